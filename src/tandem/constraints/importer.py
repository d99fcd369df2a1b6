"""Importing an existing blockers log (CSV) as constraints with their history.

The file is UTF-8 CSV with a header row naming exactly these columns (case-insensitive, in any order)::

    posted_at, team, by, kind, text, acknowledged_at, acknowledged_by, resolved_at

- ``posted_at``, ``acknowledged_at``, ``resolved_at``: ISO 8601 times with a zone (``2026-03-02T09:30:00Z``,
  ``…+01:00``) or plain dates (``2026-03-02``, read as midnight UTC); none in the future; the last two may be
  empty, and neither may come before ``posted_at``, nor the resolution before the acknowledgement;
- ``team``: a team's name (case-insensitive); ``by``, ``acknowledged_by``: a person's id, e-mail or alias.
  ``acknowledged_by`` may be empty (the log did not say who) but needs ``acknowledged_at``, and is never the
  poster;
- ``kind``: ``overloaded``, ``blocked`` or ``uncertain``; ``text``: required, at most 2,000 characters.

**All or nothing**: every problem is collected and reported as ``file:line:column: column: message``; a file
with any problem is rejected whole and nothing is written. The step functions of
:mod:`tandem.constraints.service` are not used: they act *now* and notify people. Each constraint is written
with its history (posted, acknowledged, resolved, each at its original time, then "imported"), and no
notification is sent. The poster's side is their lead seat on the team today, else their function.

**Idempotent**: a constraint's ``import_key`` is the SHA-256 of its team, poster, ``posted_at`` (UTC), kind and
text. A row whose key is already in the database changes nothing, except that an acknowledgement or a resolution
the log has and the database does not yet is added (the log was kept up to date since the last import). What the
database already records is never rewritten: a differing time in the log is a warning. Importing the same file
twice changes nothing.

:func:`to_csv` writes this format from plain rows (what the demo uses to plant constraints).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.constraints.facts import ConstraintKind, ConstraintState
from tandem.constraints.models import Constraint, ConstraintEvent
from tandem.constraints.service import MAX_TEXT
from tandem.db import Base, utcnow
from tandem.org.importer import ImportRejectedError, ParsedFile, Problem, RowChecker, read_csv
from tandem.org.models import Person, PersonAlias, Team

COLUMNS = ("posted_at", "team", "by", "kind", "text", "acknowledged_at", "acknowledged_by", "resolved_at")
"""The log's columns, all required, in the order :func:`to_csv` writes them."""
KINDS = {kind.value: kind for kind in ConstraintKind}
WRITE_BATCH = 1_000
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
S = ConstraintState


@dataclass(frozen=True)
class LogRow:
    """One constraint of a blockers log, as :func:`to_csv` writes it. People by id, e-mail or alias."""

    posted_at: datetime | date
    team: str
    by: str
    kind: ConstraintKind | str
    text: str
    acknowledged_at: datetime | date | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | date | None = None


def _iso(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def to_csv(rows: Iterable[LogRow]) -> bytes:
    """A blockers log in the import format, UTF-8 with a header row. Pure: no database."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        kind = row.kind.value if isinstance(row.kind, ConstraintKind) else row.kind
        writer.writerow(
            [
                _iso(row.posted_at),
                row.team,
                row.by,
                kind,
                row.text,
                _iso(row.acknowledged_at),
                row.acknowledged_by or "",
                _iso(row.resolved_at),
            ]
        )
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class ConstraintImportReport:
    created: int
    updated: int
    unchanged: int
    warnings: list[Problem]


@dataclass
class _Row:
    """One checked row, ready to be written or merged."""

    line: int
    team_id: int
    posted_by: str
    function: str
    kind: ConstraintKind
    text: str
    posted_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    import_key: str


def import_key(team_id: int, posted_by: str, posted_at: datetime, kind: ConstraintKind, text: str) -> str:
    moment = posted_at.astimezone(UTC).isoformat()
    return hashlib.sha256(f"{team_id}|{posted_by}|{moment}|{kind.value}|{text}".encode()).hexdigest()


class _Org:
    """People and teams, looked up once per import (inactive ones too: a log is history)."""

    def __init__(self, session: Session) -> None:
        self.ids: dict[str, str] = {}
        self.emails: dict[str, str] = {}
        for person_id, email, function in session.execute(
            select(Person.id, Person.email, Person.function).order_by(Person.active, Person.id)
        ):
            self.ids[person_id] = function.value
            self.emails[email.lower()] = person_id  # active people come last, so their address wins
        self.aliases = {
            alias.lower(): person_id
            for alias, person_id in session.execute(select(PersonAlias.alias, PersonAlias.person_id))
        }
        self.teams: dict[str, tuple[int, str | None, str | None]] = {}
        for team_id, name, product, engineering in session.execute(
            select(Team.id, Team.name, Team.product_lead_id, Team.engineering_lead_id).order_by(Team.id)
        ):
            self.teams.setdefault(name.lower(), (team_id, product, engineering))

    def person(self, value: str) -> str | None:
        if value in self.ids:
            return value
        key = value.strip().lower()
        return self.emails.get(key) or self.aliases.get(key)

    def side(self, team: tuple[int, str | None, str | None], person_id: str) -> str:
        _, product, engineering = team
        if person_id == product:
            return "product"
        if person_id == engineering:
            return "engineering"
        return self.ids[person_id]


class _Checker(RowChecker):
    """Checks one constraint row against the org."""

    def __init__(self, parsed: ParsedFile, record: tuple[int, list[str]], org: _Org, now: datetime) -> None:
        super().__init__(parsed, record)
        self.org, self.now = org, now

    def time(self, column: str, *, required: bool) -> datetime | None:
        value = self.text(column, required=required, limit=64)
        if value is None:
            return None
        try:
            if _DATE.fullmatch(value):
                parsed = datetime.combine(date.fromisoformat(value), time(), UTC)
            else:
                parsed = datetime.fromisoformat(value)
        except ValueError:
            self.problem(column, f"'{value}' is not an ISO 8601 time (like 2026-03-02T09:30:00Z) or date")
            return None
        moment = self.in_utc(column, value, parsed)
        if moment is not None and moment > self.now:
            self.problem(column, f"'{value}' is in the future")
            return None
        return moment

    def person(self, column: str, *, required: bool) -> str | None:
        value = self.text(column, required=required, limit=320)
        return self.person_in(column, value, self.org.person) if value is not None else None

    def check(self) -> _Row | None:
        posted_at = self.time("posted_at", required=True)
        team_name = self.text("team", required=True, limit=200)
        team = self.org.teams.get(team_name.lower()) if team_name else None
        if team_name and team is None:
            self.problem("team", f"unknown team '{team_name}'")
        poster = self.person("by", required=True)
        raw_kind = self.parsed.cell(self.record, "kind")
        kind = KINDS.get(raw_kind.lower())
        if not raw_kind:
            self.problem("kind", "is required")
        elif kind is None:
            self.problem("kind", f"'{raw_kind}' is not one of {', '.join(KINDS)}")
        text = self.text("text", required=True, limit=MAX_TEXT)
        acknowledged_at = self.time("acknowledged_at", required=False)
        acknowledged_by = self.person("acknowledged_by", required=False)
        resolved_at = self.time("resolved_at", required=False)
        if self.parsed.cell(self.record, "acknowledged_by") and not self.parsed.cell(self.record, "acknowledged_at"):
            self.problem("acknowledged_at", "is required when acknowledged_by is given")
        if acknowledged_by is not None and acknowledged_by == poster:
            self.problem("acknowledged_by", "the poster cannot acknowledge their own constraint")
        early: set[str] = set()
        if posted_at is not None:
            for column, moment in (("acknowledged_at", acknowledged_at), ("resolved_at", resolved_at)):
                if moment is not None and moment < posted_at:
                    self.problem(column, "is before posted_at")
                    early.add(column)
        if acknowledged_at is not None and resolved_at is not None and resolved_at < acknowledged_at and not early:
            self.problem("resolved_at", "is before acknowledged_at: a resolved constraint takes no acknowledgement")
        if not self.ok:
            return None
        assert posted_at is not None and team is not None and poster is not None and kind is not None and text
        return _Row(
            line=self.line,
            team_id=team[0],
            posted_by=poster,
            function=self.org.side(team, poster),
            kind=kind,
            text=text,
            posted_at=posted_at,
            acknowledged_at=acknowledged_at,
            acknowledged_by=acknowledged_by,
            resolved_at=resolved_at,
            import_key=import_key(team[0], poster, posted_at, kind, text),
        )


@dataclass
class _Log:
    new: list[_Row]
    known: list[_Row]
    warnings: list[Problem]
    columns: dict[str, int]
    """1-based column of each field in the file, for warnings about rows already imported."""


def read_constraint_log(session: Session, data: bytes, name: str) -> _Log:
    """Parse and check a whole file against the org; ImportRejectedError with every problem when anything is
    wrong. Rows already imported (by key) are returned apart from the new ones."""
    parsed = read_csv(data, name, COLUMNS, ())
    now = utcnow()
    rows: list[_Row] = []
    if parsed.header_ok:
        org = _Org(session)
        first: dict[str, int] = {}
        for record in parsed.rows:
            row = _Checker(parsed, record, org, now).check()
            if row is None:
                continue
            if row.import_key in first:
                parsed.problems.append(
                    Problem(
                        name,
                        row.line,
                        1,
                        f"a duplicate of line {first[row.import_key]} (the same posted_at, team, by, kind and text)",
                    )
                )
                continue
            first[row.import_key] = row.line
            rows.append(row)
        if parsed.complete and not parsed.rows and not parsed.misshapen_rows:
            parsed.warnings.append(Problem(name, 1, 1, "the file has no constraints"))
    if parsed.problems:
        raise ImportRejectedError(parsed.problems)
    existing = _existing_keys(session, {row.team_id for row in rows})
    return _Log(
        new=[row for row in rows if row.import_key not in existing],
        known=[row for row in rows if row.import_key in existing],
        warnings=sorted(parsed.warnings),
        columns={column: parsed.column_number(column) for column in COLUMNS},
    )


def _existing_keys(session: Session, teams: set[int]) -> set[str]:
    """The import keys already in the database of the teams the file names: one scan of those teams' keys."""
    if not teams:
        return set()
    found = session.scalars(
        select(Constraint.import_key).where(Constraint.team_id.in_(sorted(teams)), Constraint.import_key.is_not(None))
    )
    return {key for key in found if key is not None}


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _state(row: _Row) -> ConstraintState:
    if row.resolved_at is not None:
        return S.RESOLVED
    return S.ACKNOWLEDGED if row.acknowledged_at is not None else S.OPEN


def _history(row: _Row, actor: str) -> list[tuple[datetime, str, str, ConstraintState, dict[str, Any]]]:
    """(at, actor, kind, state after, data) of each step the log records, in time order."""
    steps: list[tuple[datetime, str, str, ConstraintState, dict[str, Any]]] = [
        (row.posted_at, f"person:{row.posted_by}", "posted", S.OPEN, {"kind": row.kind.value, "function": row.function})
    ]
    if row.acknowledged_at is not None:
        who = f"person:{row.acknowledged_by}" if row.acknowledged_by else actor
        steps.append((row.acknowledged_at, who, "acknowledged", S.ACKNOWLEDGED, {"by": row.acknowledged_by}))
    if row.resolved_at is not None:
        jointly = row.acknowledged_at is not None
        steps.append((row.resolved_at, actor, "resolved", S.RESOLVED, {"jointly": jointly, "note": ""}))
    return steps


def _write(session: Session, rows: Sequence[_Row], actor: str, name: str, now: datetime) -> None:
    """Insert constraints and their events with two multi-row statements (Core: the ORM would insert one
    constraint at a time to read back its id)."""
    constraints = _table(Constraint)
    inserted = session.execute(
        insert(constraints).returning(constraints.c.id, constraints.c.import_key),
        [
            {
                "team_id": row.team_id,
                "kind": row.kind,
                "text": row.text,
                "help": "",
                "posted_by": row.posted_by,
                "function": row.function,
                "posted_at": row.posted_at,
                "state": _state(row),
                "acknowledged_at": row.acknowledged_at,
                "acknowledged_by": row.acknowledged_by,
                "resolved_at": row.resolved_at,
                "resolved_by": None,
                "resolved_jointly": row.acknowledged_at is not None if row.resolved_at is not None else None,
                "resolution": "",
                "created_by": actor,
                "updated_at": now,
                "import_key": row.import_key,
                "version": 1,
            }
            for row in rows
        ],
    )
    ids = {key: constraint_id for constraint_id, key in inserted}
    events: list[dict[str, Any]] = []
    for row in rows:
        constraint_id = ids[row.import_key]
        steps = _history(row, actor)
        events += [
            {"constraint_id": constraint_id, "at": at, "actor": who, "kind": kind, "state": state, "data": data}
            for at, who, kind, state, data in steps
        ]
        events.append(
            {
                "constraint_id": constraint_id,
                "at": now,
                "actor": actor,
                "kind": "imported",
                "state": steps[-1][3],
                "data": {"file": name[-300:], "line": row.line},
            }
        )
    session.execute(insert(_table(ConstraintEvent)), events)


def _merge(
    session: Session, log: _Log, actor: str, name: str, now: datetime, *, dry_run: bool
) -> tuple[int, list[Problem]]:
    """Add to constraints already imported what the log has since recorded (an acknowledgement, a resolution);
    never rewrite what the database holds. (updated, warnings)"""
    rows = log.known
    if not rows:
        return 0, []
    by_key = {
        c.import_key: c
        for c in session.scalars(select(Constraint).where(Constraint.import_key.in_([row.import_key for row in rows])))
    }
    updated = 0
    warnings: list[Problem] = []

    def warn(row: _Row, column: str, message: str) -> None:
        warnings.append(Problem(name, row.line, log.columns[column], f"{column}: {message}"))

    for row in rows:
        constraint = by_key[row.import_key]
        changes: list[tuple[datetime, str, str, ConstraintState, dict[str, Any]]] = []
        acknowledged_at = constraint.acknowledged_at
        if row.acknowledged_at is not None:
            if constraint.state is S.OPEN:
                acknowledged_at = row.acknowledged_at
                who = f"person:{row.acknowledged_by}" if row.acknowledged_by else actor
                changes.append((row.acknowledged_at, who, "acknowledged", S.ACKNOWLEDGED, {"by": row.acknowledged_by}))
            elif constraint.acknowledged_at != row.acknowledged_at:
                warn(row, "acknowledged_at", "differs from the acknowledgement recorded; the recorded one is kept")
        if row.resolved_at is not None:
            if constraint.state is not S.RESOLVED and acknowledged_at is not None and row.resolved_at < acknowledged_at:
                warn(row, "resolved_at", "is before the acknowledgement recorded; the resolution is not added")
            elif constraint.state is not S.RESOLVED:
                jointly = acknowledged_at is not None
                changes.append((row.resolved_at, actor, "resolved", S.RESOLVED, {"jointly": jointly, "note": ""}))
            elif constraint.resolved_at != row.resolved_at:
                warn(row, "resolved_at", "differs from the resolution recorded; the recorded one is kept")
        if not changes:
            continue
        updated += 1
        if dry_run:
            continue
        for at, who, kind, state, data in changes:
            if kind == "acknowledged":
                constraint.acknowledged_at, constraint.acknowledged_by = at, row.acknowledged_by
            else:
                constraint.resolved_at, constraint.resolved_jointly = at, data["jointly"]
            constraint.state = state
            session.add(ConstraintEvent(constraint=constraint, at=at, actor=who, kind=kind, state=state, data=data))
        constraint.updated_at = now
        session.add(
            ConstraintEvent(
                constraint=constraint,
                at=now,
                actor=actor,
                kind="imported",
                state=constraint.state,
                data={"file": name[-300:], "line": row.line},
            )
        )
    session.flush()
    return updated, warnings


def import_constraint_log(
    session: Session, *, data: bytes, name: str, actor: str, dry_run: bool = False
) -> ConstraintImportReport:
    """Check the whole file (ImportRejectedError lists every problem), then create the constraints not yet
    imported and bring the others up to date, in the caller's transaction. A dry run writes nothing."""
    log = read_constraint_log(session, data, name)
    now = utcnow()
    updated, merge_warnings = _merge(session, log, actor, name, now, dry_run=dry_run)
    warnings = sorted([*log.warnings, *merge_warnings])
    report = ConstraintImportReport(
        created=len(log.new), updated=updated, unchanged=len(log.known) - updated, warnings=warnings
    )
    if dry_run or not (log.new or updated):
        return report
    for start in range(0, len(log.new), WRITE_BATCH):
        _write(session, log.new[start : start + WRITE_BATCH], actor, name, now)
    audit.record(
        session,
        actor=actor,
        action="constraints.import",
        entity="constraint_log",
        entity_id=name[-320:],
        after={"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return report
