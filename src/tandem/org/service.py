"""Org persistence: load the org for analysis, and apply a validated import as one upsert.

Functions take a ``Session`` and never commit: the caller owns the transaction, so an import is all or nothing.
Bulk work goes through executemany statements, not one ORM object per row, so 100,000 people are quick.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.db import utcnow
from tandem.org.analysis import OrgSnapshot, PersonNode, TeamNode
from tandem.org.importer import OrgFile, PersonRow, Problem, ProgressCallback, TeamRow, read_org, same_team_names
from tandem.org.models import Function, OrgImport, Person, PersonAlias, Team
from tandem.walk.findings import OrgCounts

BATCH = 5_000
PERSON_FIELDS = ("name", "email", "function", "level", "manager_id", "title", "team_id", "active")
TEAM_FIELDS = (
    "name",
    "product_lead_id",
    "engineering_lead_id",
    "accountable_manager_id",
    "jira_projects",
    "github_repos",
    "linear_teams",
    "active",
)


def load_org_snapshot(session: Session) -> OrgSnapshot:
    """The whole org as plain data for the pure analysis (two queries, no ORM objects)."""
    team_names = dict(session.execute(select(Team.id, Team.name)).all())
    people = [
        PersonNode(
            id=row.id,
            name=row.name,
            function=Function(row.function),
            level=row.level,
            manager_id=row.manager_id,
            active=row.active,
            title=row.title,
            team=team_names.get(row.team_id) if row.team_id is not None else None,
        )
        for row in session.execute(
            select(
                Person.id,
                Person.name,
                Person.function,
                Person.level,
                Person.manager_id,
                Person.active,
                Person.title,
                Person.team_id,
            )
        )
    ]
    teams = [
        TeamNode(
            name=row.name,
            product_lead_id=row.product_lead_id,
            engineering_lead_id=row.engineering_lead_id,
            accountable_manager_id=row.accountable_manager_id,
            active=row.active,
        )
        for row in session.execute(
            select(
                Team.name,
                Team.product_lead_id,
                Team.engineering_lead_id,
                Team.accountable_manager_id,
                Team.active,
            )
        )
    ]
    return OrgSnapshot.of(people, teams)


def org_counts(session: Session) -> OrgCounts:
    by_function = dict(
        session.execute(select(Person.function, func.count()).where(Person.active).group_by(Person.function)).all()
    )
    return OrgCounts(
        people=session.scalar(select(func.count()).select_from(Person)) or 0,
        active_people=sum(by_function.values()),
        teams=session.scalar(select(func.count()).select_from(Team)) or 0,
        active_teams=session.scalar(select(func.count()).select_from(Team).where(Team.active)) or 0,
        by_function={str(Function(k)): v for k, v in sorted(by_function.items())},
    )


@dataclass
class Change:
    """One record's changed fields as (before, after)."""

    key: str
    fields: dict[str, tuple[Any, Any]]


@dataclass
class ImportPlan:
    """What an import would do; ``apply_import`` carries it out, ``--dry-run`` prints it."""

    people_created: list[PersonRow] = field(default_factory=list)
    people_updated: list[Change] = field(default_factory=list)
    people_deactivated: list[str] = field(default_factory=list)
    people_unchanged: int = 0
    teams_created: list[str] = field(default_factory=list)
    teams_updated: list[Change] = field(default_factory=list)
    teams_deactivated: list[str] = field(default_factory=list)
    aliases_added: int = 0
    aliases_removed: int = 0
    warnings: list[Problem] = field(default_factory=list)
    """What the database adds to the files' own warnings (e.g. a team created without leads)."""
    # Internal: the rows to write.
    _person_values: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _team_values: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _team_ids: dict[str, int] = field(default_factory=dict, repr=False)
    _aliases: dict[str, str] = field(default_factory=dict, repr=False)
    _stale_aliases: list[str] = field(default_factory=list, repr=False)
    _existing_aliases: dict[str, str] = field(default_factory=dict, repr=False)
    _alias_inserts: list[str] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, int]:
        return {
            "people_created": len(self.people_created),
            "people_updated": len(self.people_updated),
            "people_deactivated": len(self.people_deactivated),
            "people_unchanged": self.people_unchanged,
            "teams_created": len(self.teams_created),
            "teams_updated": len(self.teams_updated),
            "teams_deactivated": len(self.teams_deactivated),
            "aliases_added": self.aliases_added,
            "aliases_removed": self.aliases_removed,
        }

    @property
    def total_writes(self) -> int:
        return (
            len(self.people_created)
            + len(self.people_updated)
            + len(self.people_deactivated)
            + len(self.teams_created)
            + len(self.teams_updated)
            + len(self.teams_deactivated)
        )


def _rows_by_key(rows: Iterable[Row[Any]], key: str, fields: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {getattr(row, key): {name: getattr(row, name) for name in fields} for row in rows}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {name: (before[name], value) for name, value in after.items() if before[name] != value}


def plan_import(session: Session, org: OrgFile) -> ImportPlan:
    """Compare a validated org file with the database: creates, updates, deactivations (nothing is written).

    Team names are matched case-insensitively, so a team keeps its row (and its history) whatever the case.
    """
    plan = ImportPlan()
    existing_teams = {
        row.name.lower(): {name: getattr(row, name) for name in ("id", *TEAM_FIELDS)}
        for row in session.execute(select(Team.id, *[getattr(Team, f) for f in TEAM_FIELDS]))
    }
    people = same_team_names(org.people, (team["name"] for team in existing_teams.values()))
    wanted: dict[str, dict[str, Any]] = {}
    if org.teams is not None:
        for row in org.teams:
            wanted[row.team.lower()] = {"name": row.team, **_team_values(row)}
    for person in people:
        if person.team is None or person.team.lower() in wanted:
            continue
        current = existing_teams.get(person.team.lower())
        wanted[person.team.lower()] = (
            {name: current[name] for name in TEAM_FIELDS} | {"active": True}
            if current is not None
            else {"name": person.team, **_team_values(None)}
        )
        where = (org.people_file, person.line, org.team_column)
        if current is None:
            given = f"not in {org.teams_file}" if org.teams is not None else "new"
            plan.warnings.append(Problem(*where, f"team '{person.team}' is {given}; it is created without leads"))
        elif org.teams is not None:
            plan.warnings.append(
                Problem(*where, f"team '{person.team}' is not in {org.teams_file}; it keeps its current leads")
            )
    if org.teams is None:  # without a teams file, teams nobody names keep what they had
        for key, current in existing_teams.items():
            wanted.setdefault(key, {name: current[name] for name in TEAM_FIELDS})
    for key, values in wanted.items():
        current = existing_teams.get(key)
        if current is None:
            plan.teams_created.append(values["name"])
        elif changed := _diff(current, values):
            plan.teams_updated.append(Change(values["name"], changed))
    plan.teams_deactivated = sorted(
        current["name"] for key, current in existing_teams.items() if current["active"] and key not in wanted
    )
    plan._team_values = wanted
    plan._team_ids = {key: current["id"] for key, current in existing_teams.items()}
    team_names = {current["id"]: current["name"] for current in existing_teams.values()}

    existing_people = _rows_by_key(
        session.execute(select(Person.id, *[getattr(Person, f) for f in PERSON_FIELDS])), "id", PERSON_FIELDS
    )
    existing_aliases = dict(session.execute(select(PersonAlias.alias, PersonAlias.person_id)).all())
    aliases_of: dict[str, list[str]] = defaultdict(list)
    for alias, owner in existing_aliases.items():
        aliases_of[owner].append(alias)
    seen: set[str] = set()
    for person in _managers_first(people):
        seen.add(person.id)
        values = {
            "name": person.name,
            "email": person.email,
            "function": person.function,
            "level": person.level,
            "manager_id": person.manager_id,
            "title": person.title,
            # A new team has no id yet: keep its key and resolve it when writing.
            "team_id": plan._team_ids.get(person.team.lower(), person.team.lower()) if person.team else None,
            "active": True,
        }
        plan._person_values[person.id] = values
        current = existing_people.get(person.id)
        if current is None:
            plan.people_created.append(person)
            continue
        changed = _diff(current, values)
        if "team_id" in changed:  # people know teams by name; ids mean nothing to them
            before, _ = changed.pop("team_id")
            changed["team"] = (team_names.get(before), person.team)
        before_aliases, after_aliases = sorted(aliases_of.get(person.id, [])), sorted(person.aliases)
        if before_aliases != after_aliases:
            changed["aliases"] = (";".join(before_aliases), ";".join(after_aliases))
        if changed:
            plan.people_updated.append(Change(person.id, changed))
        else:
            plan.people_unchanged += 1
    plan.people_deactivated = sorted(
        pid for pid, current in existing_people.items() if current["active"] and pid not in seen
    )

    for person in people:
        for alias in person.aliases:
            plan._aliases[alias] = person.id
    # Aliases of people in the file that the file no longer lists are dropped; those of people who left are kept
    # (later imports still match their history) unless someone in the file now claims them.
    plan._stale_aliases = [
        alias for alias, owner in existing_aliases.items() if owner in seen and plan._aliases.get(alias) != owner
    ]
    plan._existing_aliases = existing_aliases
    plan._alias_inserts = [alias for alias, owner in plan._aliases.items() if existing_aliases.get(alias) != owner]
    plan.aliases_removed = len(plan._stale_aliases)
    plan.aliases_added = len(plan._alias_inserts)
    return plan


def _team_values(row: TeamRow | None) -> dict[str, Any]:
    return {
        "product_lead_id": row.product_lead if row else None,
        "engineering_lead_id": row.engineering_lead if row else None,
        "accountable_manager_id": row.accountable_manager if row else None,
        "jira_projects": list(row.jira_projects) if row else [],
        "github_repos": list(row.github_repos) if row else [],
        "linear_teams": list(row.linear_teams) if row else [],
        "active": True,
    }


def _managers_first(people: list[PersonRow]) -> list[PersonRow]:
    """Breadth-first from the root, so every new person's manager is written before them."""
    children: dict[str | None, list[PersonRow]] = defaultdict(list)
    for person in people:
        children[person.manager_id].append(person)
    ordered: list[PersonRow] = []
    frontier = children[None]
    while frontier:
        ordered.extend(frontier)
        frontier = [child for parent in frontier for child in children[parent.id]]
    return ordered


def apply_import(
    session: Session,
    org: OrgFile,
    plan: ImportPlan,
    *,
    imported_by: str,
    on_progress: ProgressCallback | None = None,
) -> OrgImport:
    """Write the plan: deactivations first (freeing e-mails), then teams, people, leads and aliases."""
    now = utcnow()
    advance = on_progress or (lambda _n: None)
    # Every UPDATE below is SQLAlchemy's bulk UPDATE by primary key (one executemany per batch).
    _executemany(
        session,
        update(Person),
        [{"id": pid, "active": False, "updated_at": now} for pid in plan.people_deactivated],
        advance,
    )
    _executemany(
        session,
        update(Team),
        [{"id": plan._team_ids[name.lower()], "active": False, "updated_at": now} for name in plan.teams_deactivated],
        advance,
    )
    # E-mails may move between people within one import: park every changing one on a unique placeholder.
    _executemany(
        session,
        update(Person),
        [{"id": c.key, "email": f"~moving~{c.key}"} for c in plan.people_updated if "email" in c.fields],
        lambda _n: None,
    )
    # Teams first without their leads (the leads may be new people), people next, then the leads.
    new_teams = [key for key in plan._team_values if key not in plan._team_ids]
    _executemany(
        session,
        insert(Team),
        [{**_without_people(plan._team_values[key]), "created_at": now, "updated_at": now} for key in new_teams],
        advance,
    )
    team_ids = {name.lower(): team_id for name, team_id in session.execute(select(Team.name, Team.id))}

    def person_values(pid: str) -> dict[str, Any]:
        values = dict(plan._person_values[pid])
        if isinstance(values["team_id"], str):
            values["team_id"] = team_ids[values["team_id"]]
        return values

    _executemany(
        session,
        insert(Person),
        [{"id": p.id, **person_values(p.id), "created_at": now, "updated_at": now} for p in plan.people_created],
        advance,
    )
    _executemany(
        session,
        update(Person),
        [
            {"id": c.key, **person_values(c.key), "updated_at": now}
            for c in plan.people_updated
            if set(c.fields) != {"aliases"}  # aliases live in their own table
        ],
        advance,
    )
    changed_teams = [*new_teams, *(c.key.lower() for c in plan.teams_updated)]
    _executemany(
        session,
        update(Team),
        [{"id": team_ids[key], **plan._team_values[key], "updated_at": now} for key in changed_teams],
        advance,
    )
    _write_aliases(session, plan)
    record = OrgImport(
        imported_at=now,
        imported_by=imported_by,
        people_file=org.people_file,
        people_sha256=org.people_sha256,
        teams_file=org.teams_file if org.teams is not None else None,
        teams_sha256=org.teams_sha256,
        counts=plan.counts(),
    )
    session.add(record)
    session.flush()
    return record


def _without_people(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if k.endswith("_id") else v) for k, v in values.items()}


def _write_aliases(session: Session, plan: ImportPlan) -> None:
    """Delete aliases that are stale or move to someone else, then insert the new and moved ones."""
    to_delete = sorted(set(plan._stale_aliases) | {a for a in plan._alias_inserts if a in plan._existing_aliases})
    for start in range(0, len(to_delete), BATCH):
        session.execute(delete(PersonAlias).where(PersonAlias.alias.in_(to_delete[start : start + BATCH])))
    rows = [{"alias": alias, "person_id": plan._aliases[alias]} for alias in plan._alias_inserts]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(PersonAlias), rows[start : start + BATCH])


def _executemany(session: Session, statement: Any, rows: list[dict[str, Any]], advance: Callable[[int], None]) -> None:
    """Run one statement over many parameter sets, in batches (nothing at all for no rows)."""
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        session.execute(statement, chunk)
        advance(len(chunk))


@dataclass
class ImportOutcome:
    org: OrgFile
    plan: ImportPlan
    record: OrgImport | None
    """None on a dry run."""


def import_org(
    session: Session,
    *,
    people_data: bytes,
    people_file: str,
    teams_data: bytes | None = None,
    teams_file: str | None = None,
    imported_by: str,
    dry_run: bool = False,
    on_progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Validate both files whole (ImportRejectedError lists every problem), then plan and, unless dry, apply."""
    org = read_org(people_data, people_file, teams_data, teams_file or "teams.csv", on_progress)
    plan = plan_import(session, org)
    if dry_run:
        return ImportOutcome(org=org, plan=plan, record=None)
    record = apply_import(session, org, plan, imported_by=imported_by, on_progress=on_progress)
    audit.record(
        session,
        actor=imported_by,
        action="org.import",
        entity="org_import",
        entity_id=str(record.id),
        after={"people_file": people_file, "teams_file": teams_file, **plan.counts()},
    )
    return ImportOutcome(org=org, plan=plan, record=record)


def team_rows(session: Session) -> list[Team]:
    """Every team, active first, by name."""
    return list(session.scalars(select(Team).order_by(Team.active.desc(), Team.name)))


def people_page(session: Session, *, limit: int, offset: int) -> tuple[list[Person], int]:
    total = session.scalar(select(func.count()).select_from(Person)) or 0
    rows = session.scalars(select(Person).order_by(Person.id).limit(limit).offset(offset)).all()
    return list(rows), total


def direct_reports(session: Session, person_id: str) -> list[Person]:
    return list(
        session.scalars(select(Person).where(Person.manager_id == person_id, Person.active).order_by(Person.name))
    )


def team_members(session: Session, team: Team) -> list[Person]:
    return list(session.scalars(select(Person).where(Person.team_id == team.id, Person.active).order_by(Person.name)))


def _plausible(key: str, limit: int) -> bool:
    """Whether a key from a URL could be in the database at all (no NUL, not over the column's size)."""
    return 0 < len(key) <= limit and "\x00" not in key


def person_by_id(session: Session, person_id: str) -> Person | None:
    return session.get(Person, person_id) if _plausible(person_id, 128) else None


def team_by_name(session: Session, name: str) -> Team | None:
    """A team by name, case-insensitively as the importer matches them (in Python: SQLite folds only ASCII)."""
    if not _plausible(name, 200):
        return None
    exact = session.scalars(select(Team).where(Team.name == name)).first()
    if exact is not None:
        return exact
    wanted = name.lower()
    match = next(
        (team_id for team_id, team in session.execute(select(Team.id, Team.name)) if team.lower() == wanted), None
    )
    return session.get(Team, match) if match is not None else None


SHOWN_CHANGES = 50


def change_lines(plan: ImportPlan, limit: int = SHOWN_CHANGES) -> list[str]:
    """The plan as ``+``/``~``/``-`` lines, at most ``limit`` of each sort."""
    sections: list[list[str]] = [
        [f"+ person {p.id} {p.name} ({p.function.value}, level {p.level})" for p in plan.people_created],
        [
            f"~ person {c.key}: " + "; ".join(f"{k} {_show(a)} → {_show(b)}" for k, (a, b) in c.fields.items())
            for c in plan.people_updated
        ],
        [f"- person {pid} (deactivated)" for pid in plan.people_deactivated],
        [f"+ team {name}" for name in plan.teams_created],
        [
            f"~ team {c.key}: " + "; ".join(f"{k} {_show(a)} → {_show(b)}" for k, (a, b) in c.fields.items())
            for c in plan.teams_updated
        ],
        [f"- team {name} (deactivated)" for name in plan.teams_deactivated],
    ]
    lines: list[str] = []
    for section in sections:
        lines += section[:limit]
        if len(section) > limit:
            lines.append(f"  … and {len(section) - limit} more")
    return lines


def _show(value: object) -> str:
    if value is None or value == []:
        return "∅"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(getattr(value, "value", value))
