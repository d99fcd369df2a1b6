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


def test_a_list_of_records_reads_one_record_a_line() -> None:
    decisions = [
        {"id": 3, "title": "Ship offline mode", "state": "open", "overdue_working_days": 6.5},
        {"id": 4, "title": "Drop IE11", "state": "escalated", "overdue_working_days": 2},
    ]
    assert describe(decisions) == (
        "Ship offline mode (id 3, state open, overdue working days 6.5)\n"
        "Drop IE11 (id 4, state escalated, overdue working days 2)"
    )
