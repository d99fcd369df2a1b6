"""Importing tracker history: items upserted, schedule changes appended, each mapped to a team and a person.

The records come from :mod:`tandem.schedule.trackers` one at a time and are written in batches of
:data:`BATCH` with executemany statements, so an export of millions of changes imports in bounded memory.
Nothing here commits: the caller's transaction makes the import all or nothing, a bad record late in a file
included.

**Idempotent.** ``schedule_changes`` is append-only (the database refuses UPDATE and DELETE), so a re-import
inserts only the changes whose ``external_id`` is not there yet, checked a batch at a time. ``tracker_items`` is
upserted by (source, key): a re-import brings title, status, team and completion up to date.

**Mapping.** An item's project (Jira project key, GitHub ``owner/repo``, Linear team) maps to the active team that
lists it in ``jira_projects``, ``github_repos`` or ``linear_teams``, case-insensitively; a Linear item also maps by
its team key (``ENG`` in ``ENG-42``). An actor's identities are tried in order, each against active people's
e-mails and then their aliases, case-insensitively; the first match gives the person and their function. What
maps to nobody is kept (team or person NULL) and counted in the import record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, String, Table, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.db import Base
from tandem.org.models import Person, PersonAlias, Team
from tandem.schedule.models import ScheduleChange, TrackerImport, TrackerItem
from tandem.schedule.trackers import (
    ProgressCallback,
    ReadNotes,
    Record,
    ScheduleChangeRecord,
    Source,
    TrackerItemRecord,
    read_tracker,
)

BATCH = 5_000
UNKNOWN_ACTOR = "(unknown)"
"""The actor of a change the tracker recorded no one for (a Jira automation, a deleted GitHub user)."""


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_ITEMS, _CHANGES = _table(TrackerItem), _table(ScheduleChange)
_ITEM_FIELDS = ("project", "team_id", "title", "status", "created_at", "completed_at")
_LIMITS = {
    column.name: column.type.length
    for table in (_ITEMS, _CHANGES, _table(TrackerImport))
    for column in table.columns
    if isinstance(column.type, String) and column.type.length
}
"""Column sizes: PostgreSQL refuses a longer value, so text is clipped to fit (a sprint list can run long)."""


@dataclass
class TrackerImportOutcome:
    """The import record written, and what the CLI tells the user besides its counts."""

    record: TrackerImport
    actor_names: dict[str, str] = field(default_factory=dict)
    """Unknown actor -> the name the tracker shows for them (Jira's display name), when it differs."""
    warnings: list[str] = field(default_factory=list)


class _OrgMap:
    """The active teams and people, as the lookups an import needs (loaded once, three queries)."""

    def __init__(self, session: Session, source: Source) -> None:
        column = {"jira": Team.jira_projects, "github": Team.github_repos, "linear": Team.linear_teams}[source]
        self.source = source
        self.teams: dict[str, int] = {}
        for team_id, keys in session.execute(select(Team.id, column).where(Team.active).order_by(Team.id)):
            for key in keys or []:
                self.teams.setdefault(key.strip().lower(), team_id)
        functions: dict[str, str] = {}
        self.people: dict[str, tuple[str, str]] = {}
        for person_id, email, function in session.execute(
            select(Person.id, Person.email, Person.function).where(Person.active).order_by(Person.id)
        ):
            functions[person_id] = function.value
            self.people[email.strip().lower()] = (person_id, function.value)
        aliases = session.execute(
            select(PersonAlias.alias, PersonAlias.person_id)
            .join(Person, Person.id == PersonAlias.person_id)
            .where(Person.active)
            .order_by(PersonAlias.alias)
        )
        for alias, person_id in aliases:
            self.people.setdefault(alias.strip().lower(), (person_id, functions[person_id]))
        self._actors: dict[tuple[str, ...], tuple[str, str | None, str | None]] = {}

    def team(self, project: str, key: str) -> int | None:
        team = self.teams.get(project.lower())
        if team is None and self.source == "linear":
            team = self.teams.get(key.rpartition("-")[0].lower())
        return team

    def actor(self, identities: tuple[str, ...]) -> tuple[str, str | None, str | None]:
        """(actor as stored: the first identity, person id, function): the first identity that names an active
        person gives the person."""
        found = self._actors.get(identities)
        if found is None:
            shown = _clip(identities[0], "actor") if identities else UNKNOWN_ACTOR
            match = next((m for i in identities if (m := self.people.get(i.lower())) is not None), None)
            found = (shown, *match) if match is not None else (shown, None, None)
            self._actors[identities] = found
        return found


@dataclass
class _Counts:
    items_read: int = 0
    items_added: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_completed: int = 0
    changes_read: int = 0
    changes_added: int = 0
    changes_already_present: int = 0
    changes_by_field: Counter[str] = field(default_factory=Counter)
    unknown_actors: Counter[str] = field(default_factory=Counter)
    unmapped_projects: Counter[str] = field(default_factory=Counter)


class _Writer:
    """Buffers mapped rows and writes them a batch at a time."""

    def __init__(self, session: Session, org: _OrgMap, source: Source) -> None:
        self.session, self.org, self.source = session, org, source
        self.postgresql = session.get_bind().dialect.name == "postgresql"
        self.counts = _Counts()
        self.actor_names: dict[str, str] = {}
        self._items: dict[str, dict[str, Any]] = {}
        self._changes: dict[str, dict[str, Any]] = {}

    def add(self, record: Record) -> None:
        if isinstance(record, TrackerItemRecord):
            self._add_item(record)
        else:
            self._add_change(record)

    def _add_item(self, item: TrackerItemRecord) -> None:
        counts = self.counts
        counts.items_read += 1
        team_id = self.org.team(item.project, item.key)
        if team_id is None:
            counts.unmapped_projects[item.project] += 1
        if item.completed_at is not None:
            counts.items_completed += 1
        key = _clip(item.key, "key")
        self._items[key] = {
            "source": self.source,
            "key": key,
            "project": _clip(item.project, "project"),
            "team_id": team_id,
            "title": _clip(item.title, "title"),
            "status": _clip(item.status, "status"),
            "created_at": item.created_at,
            "completed_at": item.completed_at,
        }
        if len(self._items) >= BATCH:
            self._flush_items()

    def _add_change(self, change: ScheduleChangeRecord) -> None:
        counts = self.counts
        counts.changes_read += 1
        actor, person_id, function = self.org.actor(change.actors)
        if person_id is None:
            counts.unknown_actors[actor] += 1
            if change.actors and change.actors[-1] != actor:
                self.actor_names.setdefault(actor, change.actors[-1])
        external_id = _clip(change.external_id, "external_id")
        if external_id in self._changes:  # the same change twice in the input (overlapping pages)
            counts.changes_already_present += 1
            return
        self._changes[external_id] = {
            "source": self.source,
            "external_id": external_id,
            "team_id": self.org.team(change.project, change.item_key),
            "item_key": _clip(change.item_key, "item_key"),
            "field": change.field,
            "from_value": _clip(change.from_value, "from_value"),
            "to_value": _clip(change.to_value, "to_value"),
            "actor": actor,
            "person_id": person_id,
            "function": function,
            "at": change.at,
        }
        if len(self._changes) >= BATCH:
            self._flush_changes()

    def _one_of(self, column: ColumnElement[str], values: Iterable[str]) -> ColumnElement[bool]:
        """``column IN (...)``; on PostgreSQL ``= ANY(array)``, one parameter instead of 5,000 (a re-import runs
        this for every batch, and the long IN list costs more to send and plan than the lookup itself)."""
        if self.postgresql:
            return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
        return column.in_(list(values))

    def finish(self) -> None:
        self._flush_items()
        self._flush_changes()

    def _flush_changes(self) -> None:
        rows, self._changes = self._changes, {}
        if not rows:
            return
        present = set(
            self.session.scalars(select(_CHANGES.c.external_id).where(self._one_of(_CHANGES.c.external_id, rows)))
        )
        new = [row for external_id, row in rows.items() if external_id not in present]
        self.counts.changes_already_present += len(present)
        self.counts.changes_added += len(new)
        self.counts.changes_by_field.update(row["field"] for row in new)
        if new:
            self.session.execute(insert(_CHANGES), new)

    def _flush_items(self) -> None:
        rows, self._items = self._items, {}
        if not rows:
            return
        columns = [_ITEMS.c[name] for name in _ITEM_FIELDS]
        existing = {
            row.key: row
            for row in self.session.execute(
                select(_ITEMS.c.id, _ITEMS.c.key, *columns).where(
                    _ITEMS.c.source == self.source, self._one_of(_ITEMS.c.key, rows)
                )
            )
        }
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for key, row in rows.items():
            before = existing.get(key)
            if before is None:
                inserts.append(row)
            elif any(getattr(before, name) != row[name] for name in _ITEM_FIELDS):
                updates.append({"item_id": before.id, **{f"new_{name}": row[name] for name in _ITEM_FIELDS}})
        self.counts.items_added += len(inserts)
        self.counts.items_updated += len(updates)
        self.counts.items_unchanged += len(rows) - len(inserts) - len(updates)
        if inserts:
            self.session.execute(insert(_ITEMS), inserts)
        if updates:
            statement = (
                update(_ITEMS)
                .where(_ITEMS.c.id == bindparam("item_id"))
                .values({name: bindparam(f"new_{name}") for name in _ITEM_FIELDS})
            )
            self.session.execute(statement, updates)


def import_tracker(
    session: Session,
    source: Source,
    path: Path,
    *,
    imported_by: str,
    progress: ProgressCallback | None = None,
) -> TrackerImportOutcome:
    """Read ``path`` (a file, or a directory of JSON files for Jira and GitHub), write what is new, and record
    the import. A :class:`~tandem.schedule.trackers.TrackerFormatError` propagates: the caller rolls back."""
    notes = ReadNotes()
    writer = _Writer(session, _OrgMap(session, source), source)
    for parsed in read_tracker(source, path, progress, notes):
        writer.add(parsed)
    writer.finish()
    counts = writer.counts
    summary = {
        "items_read": counts.items_read,
        "items_added": counts.items_added,
        "items_updated": counts.items_updated,
        "items_unchanged": counts.items_unchanged,
        "items_completed": counts.items_completed,
        "changes_read": counts.changes_read,
        "changes_added": counts.changes_added,
        "changes_already_present": counts.changes_already_present,
        "changes_added_by_field": dict(sorted(counts.changes_by_field.items())),
    }
    if notes.truncated_changelogs:
        summary["truncated_changelogs"] = notes.truncated_changelogs
    if notes.pull_requests_skipped:
        summary["pull_requests_skipped"] = notes.pull_requests_skipped
    record = TrackerImport(
        source=source,
        path=_clip(str(path), "path"),
        imported_by=imported_by,
        counts=summary,
        unknown_actors=dict(counts.unknown_actors.most_common()),
        unmapped_projects=dict(counts.unmapped_projects.most_common()),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=imported_by,
        action="schedule.tracker_import",
        entity="tracker_import",
        entity_id=str(record.id),
        after={"source": source, "path": record.path, **summary},
    )
    return TrackerImportOutcome(
        record=record,
        actor_names={actor: name for actor, name in writer.actor_names.items() if actor in counts.unknown_actors},
        warnings=_warnings(notes),
    )


def _warnings(notes: ReadNotes) -> list[str]:
    warnings = []
    if notes.truncated_changelogs:
        examples = ", ".join(notes.truncated_examples)
        warnings.append(
            f"{notes.truncated_changelogs} issue(s) have more history than the export holds (e.g. {examples}): "
            "Jira's search returns at most 100 changelog entries an issue; older changes of those issues are missing"
        )
    if notes.pull_requests_skipped:
        warnings.append(f"{notes.pull_requests_skipped} pull request(s) skipped: only issues are work items")
    return warnings


def _clip(value: Any, column: str) -> Any:
    """Text cut to its column's size (an ellipsis marks the cut); other values as they are."""
    limit = _LIMITS[column]
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value
