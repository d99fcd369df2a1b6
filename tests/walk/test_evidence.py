"""Evidence phrases: the text and Markdown reports show every figure a finding carries."""

from __future__ import annotations

from tandem.walk.report.evidence import describe, evidence_lines


def test_a_person_shows_every_figure() -> None:
    leader = {"id": "p3", "name": "Amanda Diaz", "title": "VP Product", "level": 8, "depth": 2}
    assert describe(leader) == "Amanda Diaz (p3, level 8, depth 2, VP Product)"


def test_an_inactive_person_says_so() -> None:
    assert describe({"id": "p9", "name": "Lee", "level": 6, "active": False}) == "Lee (p9, level 6, inactive)"


def test_missing_values_and_lists_read_plainly() -> None:
    assert evidence_lines({"accountable_manager": None, "reasons": ["level_gap", "reports_to_counterpart"]}) == [
        ("accountable manager", "—"),
        ("reasons", "level_gap, reports_to_counterpart"),
    ]
