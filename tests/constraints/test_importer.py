"""Importing a blockers log on real databases: history, every problem located by line and column, nothing
written on error, re-imports that change nothing (or only add what the log learned since), and dry runs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from conftest import database_fingerprint
from factories import load_org, person, small_org, small_teams
from tandem.audit.models import AuditEvent
from tandem.constraints.facts import ConstraintKind, ConstraintState
from tandem.constraints.importer import COLUMNS, ConstraintImportReport, LogRow, import_constraint_log, to_csv
from tandem.constraints.models import Constraint
from tandem.db import transaction
from tandem.notifications.models import Notification
from tandem.org.importer import ImportRejectedError

S = ConstraintState
HEADER = ",".join(COLUMNS)


def when(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def good_log() -> bytes:
    """One open, one acknowledged, one resolved jointly, one resolved alone; people by id, e-mail and alias."""
    return to_csv(
        [
            LogRow(when(2), "Payments", "dev1", ConstraintKind.BLOCKED, "Waiting on the sandbox"),
            LogRow(when(3), "payments", "DEV1@example.com", "Overloaded", "Two releases at once", when(4), "PMONE"),
            LogRow(when(4), "Payments", "pm1", ConstraintKind.UNCERTAIN, "Pricing model?", when(5), "em1", when(9)),
            LogRow(
                when(5).date(), "Payments", "em1", ConstraintKind.OVERLOADED, "On call and hiring", resolved_at=when(6)
            ),
        ]
    )


def run(engine: Engine, data: bytes, *, dry_run: bool = False, name: str = "blockers.csv") -> ConstraintImportReport:
    with transaction(engine) as session:
        return import_constraint_log(session, data=data, name=name, actor="cli:test", dry_run=dry_run)


def rejected(engine: Engine, data: bytes) -> list[str]:
    with pytest.raises(ImportRejectedError) as caught:
        run(engine, data)
    return [str(problem) for problem in caught.value.problems]


def constraints(session: Session) -> list[Constraint]:
    return list(session.scalars(select(Constraint).order_by(Constraint.posted_at)))


def test_a_log_imports_with_its_states_and_history(engine: Engine, org: None) -> None:
    report = run(engine, good_log())
    assert (report.created, report.updated, report.unchanged, report.warnings) == (4, 0, 0, [])
    with transaction(engine) as session:
        rows = constraints(session)
        assert [(c.posted_by, c.function, c.kind, c.state, c.resolved_jointly) for c in rows] == [
            ("dev1", "engineering", ConstraintKind.BLOCKED, S.OPEN, None),
            ("dev1", "engineering", ConstraintKind.OVERLOADED, S.ACKNOWLEDGED, None),
            ("pm1", "product", ConstraintKind.UNCERTAIN, S.RESOLVED, True),
            ("em1", "engineering", ConstraintKind.OVERLOADED, S.RESOLVED, False),
        ]
        assert rows[1].acknowledged_by == "pm1" and rows[1].acknowledged_at == when(4)
        assert rows[3].posted_at == datetime(2026, 3, 5, tzinfo=UTC)  # a plain date is midnight UTC
        assert [(e.kind, e.at, e.actor, e.state) for e in rows[2].events][:3] == [
            ("posted", when(4), "person:pm1", S.OPEN),
            ("acknowledged", when(5), "person:em1", S.ACKNOWLEDGED),
            ("resolved", when(9), "cli:test", S.RESOLVED),
        ]
        assert [e.kind for e in rows[2].events][-1] == "imported"
        assert session.scalars(select(Notification)).all() == []  # history, not news
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "constraints.import")).all() == [
            "constraints.import"
        ]


def test_reimporting_the_same_log_changes_nothing(engine: Engine, org: None) -> None:
    run(engine, good_log())
    before = database_fingerprint(engine)
    report = run(engine, good_log())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert database_fingerprint(engine) == before


def test_a_later_log_adds_acknowledgements_and_resolutions(engine: Engine, org: None) -> None:
    run(engine, to_csv([LogRow(when(2), "Payments", "dev1", "blocked", "Waiting on the sandbox")]))
    later = to_csv(
        [
            LogRow(when(2), "Payments", "dev1", "blocked", "Waiting on the sandbox", when(3), "pm1", when(6)),
            LogRow(when(9), "Payments", "pm1", "uncertain", "Pricing model?"),
        ]
    )
    report = run(engine, later)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    with transaction(engine) as session:
        first = constraints(session)[0]
        assert (first.state, first.acknowledged_by, first.resolved_at, first.resolved_jointly) == (
            S.RESOLVED,
            "pm1",
            when(6),
            True,
        )
        assert [e.kind for e in first.events] == ["posted", "imported", "acknowledged", "resolved", "imported"]
    assert (run(engine, later).unchanged, run(engine, later).updated) == (2, 0)


def test_what_the_database_recorded_is_never_rewritten(engine: Engine, org: None) -> None:
    run(engine, to_csv([LogRow(when(2), "Payments", "dev1", "blocked", "Sandbox", when(3), "pm1")]))
    before = database_fingerprint(engine)
    report = run(engine, to_csv([LogRow(when(2), "Payments", "dev1", "blocked", "Sandbox", when(4), "pm1")]))
    assert (report.updated, report.unchanged) == (0, 1)
    assert [str(w) for w in report.warnings] == [
        "blockers.csv:2:6: acknowledged_at: differs from the acknowledgement recorded; the recorded one is kept"
    ]
    assert database_fingerprint(engine) == before


def test_every_problem_is_located_and_nothing_is_written(engine: Engine, org: None) -> None:
    bad = (
        f"{HEADER}\n"
        "2026-03-02T09:00:00Z,Payments,dev1,blocked,fine,,,\n"
        "2026-03-02 09:00,Nowhere,nobody,stuck,,,,\n"
        "2099-01-01T00:00:00Z,Payments,dev1,blocked,future,,,\n"
        "2026-03-05T09:00:00Z,Payments,dev1,blocked,backwards,2026-03-04T09:00:00Z,pm1,2026-03-03T09:00:00Z\n"
        "2026-03-05T09:00:00Z,Payments,dev1,blocked,self,2026-03-06T09:00:00Z,dev1,\n"
        "2026-03-05T09:00:00Z,Payments,dev1,blocked,who,,pm1,\n"
        "2026-03-02T09:00:00Z,Payments,dev1,blocked,fine,,,\n"
        "2026-03-02T09:00,Payments,dev1,blocked,no zone,,,\n"
        "2026-03-02T09:00:00Z,Payments,dev1\n"
        "2026-03-06T09:00:00Z,Payments,dev1,blocked,late,2026-03-09T09:00:00Z,pm1,2026-03-07T09:00:00Z\n"
    ).encode()
    before = database_fingerprint(engine)
    assert rejected(engine, bad) == [
        "blockers.csv:3:1: posted_at: '2026-03-02 09:00' has no time zone; end it with Z or an offset such as +01:00",
        "blockers.csv:3:2: team: unknown team 'Nowhere'",
        "blockers.csv:3:3: by: unknown person 'nobody' (not the id, e-mail or alias of anyone in the org)",
        "blockers.csv:3:4: kind: 'stuck' is not one of overloaded, blocked, uncertain",
        "blockers.csv:3:5: text: is required",
        "blockers.csv:4:1: posted_at: '2099-01-01T00:00:00Z' is in the future",
        "blockers.csv:5:6: acknowledged_at: is before posted_at",
        "blockers.csv:5:8: resolved_at: is before posted_at",
        "blockers.csv:6:7: acknowledged_by: the poster cannot acknowledge their own constraint",
        "blockers.csv:7:6: acknowledged_at: is required when acknowledged_by is given",
        "blockers.csv:8:1: a duplicate of line 2 (the same posted_at, team, by, kind and text)",
        "blockers.csv:9:1: posted_at: '2026-03-02T09:00' has no time zone; end it with Z or an offset such as +01:00",
        "blockers.csv:10:4: the row has 3 fields but the header has 8",
        "blockers.csv:11:8: resolved_at: is before acknowledged_at: a resolved constraint takes no acknowledgement",
    ]
    assert database_fingerprint(engine) == before


def test_a_missing_column_is_reported_once(engine: Engine, org: None) -> None:
    assert rejected(
        engine, b"posted_at,team,by,kind,text,acknowledged_at,resolved_at\n2026-03-02,Payments,dev1,blocked,x,,\n"
    ) == ["blockers.csv:1:8: missing required column 'acknowledged_by'"]


def test_a_file_that_is_not_utf8_is_located(engine: Engine, org: None) -> None:
    data = f"{HEADER}\n2026-03-02,Payments,dev1,blocked,caf".encode() + b"\xe9\n"
    assert rejected(engine, data) == ["blockers.csv:2:37: the file is not UTF-8 (byte 0xe9); save it as UTF-8"]


def test_text_too_long_or_with_nul_is_refused(engine: Engine, org: None) -> None:
    data = to_csv(
        [
            LogRow(when(2), "Payments", "dev1", "blocked", "x" * 2001),
            LogRow(when(2), "Payments", "dev1", "blocked", "a\x00b"),
        ]
    )
    assert rejected(engine, data) == [
        "blockers.csv:2:5: text: is 2001 characters long; the most is 2000",
        "blockers.csv:3:5: text: contains a NUL character",
    ]


def test_an_empty_log_is_a_warning_not_an_error(engine: Engine, org: None) -> None:
    report = run(engine, f"{HEADER}\n".encode())
    assert (report.created, [str(w) for w in report.warnings]) == (0, ["blockers.csv:1:1: the file has no constraints"])


def test_a_dry_run_counts_and_writes_nothing(engine: Engine, org: None) -> None:
    before = database_fingerprint(engine)
    report = run(engine, good_log(), dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert database_fingerprint(engine) == before


def test_columns_are_found_by_name_in_any_order_and_case(engine: Engine, org: None) -> None:
    data = (
        b"Text,KIND,by,team,posted_at,resolved_at,acknowledged_by,acknowledged_at,note\n"
        b"Waiting,blocked,dev1,Payments,2026-03-02T09:00:00+01:00,,,,ignored\n"
    )
    report = run(engine, data)
    assert report.created == 1
    assert [str(w) for w in report.warnings] == ["blockers.csv:1:9: unknown column 'note' is ignored"]
    with transaction(engine) as session:
        assert constraints(session)[0].posted_at == datetime(2026, 3, 2, 8, tzinfo=UTC)


def test_a_lead_posting_counts_for_their_seat_and_others_for_their_function(engine: Engine) -> None:
    load_org(engine, [*small_org(), person("des1", "gm", "design", 5, team="Payments")], small_teams())
    run(
        engine,
        to_csv(
            [
                LogRow(when(2), "Payments", "des1", "blocked", "Specs"),
                LogRow(when(2), "Payments", "pm1", "blocked", "Specs"),
            ]
        ),
    )
    with transaction(engine) as session:
        assert sorted(c.function for c in constraints(session)) == ["design", "product"]


def test_a_big_log_imports_in_batches(engine: Engine, org: None) -> None:
    rows = [
        LogRow(
            datetime(2026, 1, 1, tzinfo=UTC).replace(minute=n % 60, hour=n // 60 % 24, day=1 + n // 1440),
            "Payments",
            "dev1",
            "blocked",
            f"c{n}",
        )
        for n in range(2_500)
    ]
    assert run(engine, to_csv(rows)).created == 2_500
    assert run(engine, to_csv(rows)).unchanged == 2_500
