"""The hidden_constraints detector and the constraint metrics through the walk, on real databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tandem.config import Thresholds
from tandem.constraints.importer import LogRow, import_constraint_log, to_csv
from tandem.db import transaction, utcnow
from tandem.walk.findings import Practice
from tandem.walk.registry import TimeWindow, detectors
from tandem.walk.service import run_walk


def plant(engine: Engine, rows: list[LogRow]) -> None:
    with transaction(engine) as session:
        import_constraint_log(session, data=to_csv(rows), name="plant.csv", actor="test")


def test_the_detector_is_registered_under_trust() -> None:
    assert ("hidden_constraints", Practice.TRUST) in {(d.kind, d.practice) for d in detectors()}


def test_engineering_posting_alone_is_found_through_the_walk(engine: Engine, session: Session, org: None) -> None:
    now = utcnow()
    plant(
        engine,
        [
            LogRow(now - timedelta(days=d), "Payments", "dev1", "blocked", f"c{d}", now - timedelta(days=d - 1), "pm1")
            for d in (3, 10, 20)
        ],
    )
    report = run_walk(session, Thresholds())
    (finding,) = [f for f in report.findings if f.kind == "hidden_constraints"]
    assert finding.scope.teams == ["Payments"]
    assert finding.evidence["reasons"] == ["one_sided_posting"]
    figures = report.metrics["constraints"]["Payments"]
    assert figures["posted"] == 3
    assert figures["by_function"]["engineering"]["posted"] == 3
    assert figures["by_function"]["product"]["posted"] == 0


def test_a_board_both_sides_use_and_answer_walks_clean(engine: Engine, session: Session, org: None) -> None:
    now = utcnow()
    plant(
        engine,
        [
            LogRow(now - timedelta(days=d), "Payments", by, "uncertain", f"{by}{d}", now - timedelta(days=d), ack)
            for d in (3, 10, 20)
            for by, ack in (("dev1", "pm1"), ("pm1", "em1"))
        ],
    )
    report = run_walk(session, Thresholds())
    assert [f for f in report.findings if f.kind == "hidden_constraints"] == []
    assert report.metrics["constraints"]["Payments"]["posted"] == 6


def test_an_org_without_constraints_has_figures_but_no_finding(engine: Engine, session: Session, org: None) -> None:
    report = run_walk(session, Thresholds())
    assert report.findings == []
    assert report.metrics["constraints"]["Payments"]["posted"] == 0


def test_a_walk_through_a_window_reads_only_the_constraints_posted_in_it(
    engine: Engine, session: Session, org: None
) -> None:
    now = utcnow()
    plant(
        engine,
        [
            LogRow(now - timedelta(days=d), "Payments", "dev1", "blocked", f"c{d}", now - timedelta(days=d - 1), "pm1")
            for d in (3, 10, 20)
        ],
    )
    window = TimeWindow(since=now - timedelta(days=15), until=now - timedelta(days=5))
    report = run_walk(session, Thresholds(), window=window)
    assert report.metrics["constraints"]["Payments"]["posted"] == 1
    assert report.window is not None and report.window.since == window.since
    assert run_walk(session, Thresholds()).window is None
