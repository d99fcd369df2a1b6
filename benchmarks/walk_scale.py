"""Whether the whole walk fits in a minute and 3 GiB on a big org, and where its time goes.

    python benchmarks/walk_scale.py [--scale 1.0] [--skip-postgres] [--skip-sqlite] [--seed 11] [--json FILE]

At ``--scale 1.0`` it builds an organisation of 20,000 people in 2,000 teams (the demo generator's org, padded
with a second product manager and more engineers per team to reach the head count), a year of its history —
2,000,000 Jira changelog items (200,000 issues, ten items each, seven of them schedule changes), 300,000 pulse
answers, 50,000 decisions (the demo's decision generator, run with several seeds), 500,000 ritual attendances,
and 20,000 constraints (beyond the issue's list, so that the board has data) — writes it as the files users
import, and imports it through the importers (``tandem org import``, ``schedule import``, ``decisions import``,
``pulse import``, ``constraints import``, ``rituals import``). Rituals are imported as calendars (``.ics``) for a
sample of the teams and as the ritual CSV for the rest: the calendar path is the slower one (its rate is printed).
Every event falls in the last year, so the walk reads all of it. ``--scale 0.05`` is a one-minute smoke test.

For SQLite, and PostgreSQL when TANDEM_TEST_POSTGRES_URL names a server (the benchmark creates and drops its own
database; ANALYZE runs after the import, as autovacuum would), each in a child process of its own so that its peak
resident memory (``ru_maxrss``) is its own:

1. the imports, with their rates;
2. ``run_walk`` end to end;
3. the walk step by step (each loader, each detector and each metrics function of the registry, the assembly),
   with the SQL statements each step sends;
4. a plain scan: every row of every table the walk read, fetched through the raw driver cursor — the walk's time
   as a ratio to it says how much the walk adds to just reading its data.

Figures are printed, never asserted. The load average is printed too: the machine may be shared.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import event, text

from jira_changelog import five_histories, jira_time
from scratch import backends
from tandem.constraints.importer import LogRow, import_constraint_log
from tandem.constraints.importer import to_csv as constraints_csv
from tandem.db import make_engine, transaction, utcnow
from tandem.decisions.importer import import_decision_log
from tandem.demo.decisions import generate_decisions
from tandem.demo.generator import DemoOrg, generate_org, people_csv, teams_csv
from tandem.org.service import import_org
from tandem.overlap.facts import RitualKind
from tandem.overlap.importer import CalendarEvent, RitualRow, import_calendar, import_ritual_csv, to_ics
from tandem.overlap.importer import to_csv as rituals_csv
from tandem.overlap.kinds import KindRules
from tandem.schedule.importer import import_tracker
from tandem.trust.instrument import DEFAULT_INSTRUMENT
from tandem.trust.service import import_answers

OUT = Path(__file__).parent / ".out"
TARGETS = {
    "people": 20_000,
    "teams": 2_000,
    "changelog items": 2_000_000,
    "pulse answers": 300_000,
    "decisions": 50_000,
    "ritual attendances": 500_000,
    "constraints": 20_000,
}
ITEMS_PER_ISSUE = 10
ISSUES_PER_PAGE = 10_000
TEAMS_PER_GROUP = 20
ICS_SHARE = 0.05
"""The share of teams whose rituals come as calendar exports; the rest as the ritual CSV."""
GOAL_SECONDS, GOAL_BYTES = 60.0, 3 * 1024**3
SCAN_TABLES = (
    "people",
    "teams",
    "schedule_changes",
    "commitments",
    "commitment_revisions",
    "commitment_signatures",
    "decisions",
    "decision_events",
    "decision_scores",
    "decision_signoffs",
    "pulses",
    "pulse_responses",
    "pulse_answers",
    "pulse_invitations",
    "ritual_occurrences",
    "ritual_attendances",
    "team_constraints",
)
"""The tables the issue names; the scan reads those the walk actually touched (the breakdown records them)."""


# --- the organisation -------------------------------------------------------------------------------------------


@dataclass
class Org:
    demo: DemoOrg
    people: list[dict[str, str]]
    by_id: dict[str, dict[str, str]]
    members: dict[str, list[str]]
    """Team -> its people's ids."""
    leads: dict[str, tuple[str, str]]
    """Team -> (product lead, engineering lead)."""
    jira: dict[str, str]
    """Person id -> their Jira account id (an alias)."""


def build_org(scale: float, seed: int) -> Org:
    """The demo generator's org with about ``scale`` times 2,000 teams, padded to ``scale`` times 20,000 people."""
    teams = max(2, round(TARGETS["teams"] * scale))
    groups = max(1, round(teams / TEAMS_PER_GROUP))
    demo = generate_org(seed=seed, groups=groups, teams_per_group=max(1, round(teams / groups)), plant=False)
    people = list(demo.people)
    leads = {team["team"]: (team["product_lead"], team["engineering_lead"]) for team in demo.teams}
    by_id = {person["id"]: person for person in people}
    domain = people[0]["email"].rpartition("@")[2]
    rng = random.Random(f"{seed}:padding")
    names = list(leads)
    for n in range(max(0, round(TARGETS["people"] * scale) - len(people))):
        team = names[n % len(names)]
        product, engineering = leads[team]
        second_pm = n < len(names)
        person_id = f"p{len(people) + 1:04d}"
        account = f"557058:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        person = {
            "id": person_id,
            "name": f"Extra Person {n}",
            "email": f"extra.person{n}@{domain}",
            "function": "product" if second_pm else "engineering",
            "level": "5" if second_pm else "4",
            "manager_id": by_id[product]["manager_id"] if second_pm else engineering,
            "title": "Product Manager" if second_pm else "Software Engineer",
            "team": team,
            "aliases": f"extra{n};{account}",
        }
        people.append(person)
        by_id[person_id] = person
    members: dict[str, list[str]] = defaultdict(list)
    for person in people:
        if person["team"]:
            members[person["team"]].append(person["id"])
    jira = {
        person["id"]: next(alias for alias in person["aliases"].split(";") if alias.startswith("557058:"))
        for person in people
        if "557058:" in person["aliases"]
    }
    padded = DemoOrg(people=people, teams=demo.teams, planted=[], healthy_teams=demo.healthy_teams, seed=seed)
    return Org(padded, people, by_id, dict(members), leads, jira)


def weighted_authors(org: Org, team: str) -> list[str]:
    """The people who change a team's tracker, leads far more often than anyone else."""
    product, engineering = org.leads[team]
    pool = [product] * 4 + [engineering] * 4
    for person_id in org.members[team]:
        function = org.by_id[person_id]["function"]
        if person_id not in (product, engineering) and function in ("product", "engineering"):
            pool += [person_id] * (2 if function == "product" else 1)
    return pool


# --- the files --------------------------------------------------------------------------------------------------


def _author(org: Org, person_id: str | None, rng: random.Random) -> dict[str, Any]:
    if person_id is None:  # a contractor the org file does not know
        account = f"712020:{rng.randrange(5_000):04d}"
        return {"accountId": account, "displayName": f"Contractor {account[-4:]}", "active": True}
    person = org.by_id[person_id]
    author: dict[str, Any] = {"accountId": org.jira[person_id], "displayName": person["name"], "active": True}
    if rng.random() < 0.5:
        author["emailAddress"] = person["email"]
    return author


def issue(org: Org, team: str, key: str, number: int, pool: list[str], rng: random.Random, now: datetime) -> Any:
    """One issue as Jira's search API returns it with expand=changelog: five histories of two items each."""
    project = key.rpartition("-")[0]
    created = now - timedelta(minutes=rng.randrange(40 * 24 * 60, 360 * 24 * 60))
    times = [created + timedelta(minutes=m) for m in sorted(rng.sample(range(1, 30 * 24 * 60), 5))]
    sprint, version = rng.randrange(1, 60), rng.randrange(1, 40)
    due1 = (created + timedelta(days=rng.randrange(7, 30))).date().isoformat()
    due2 = (created + timedelta(days=rng.randrange(30, 60))).date().isoformat()
    target = (created + timedelta(days=rng.randrange(20, 90))).date().isoformat()
    done = rng.random() < 0.6
    items = five_histories(project, sprint, version, due1, due2, target, done=done)
    histories = [
        {
            "id": str(number * 5 + h),
            "author": _author(org, None if rng.random() < 0.1 else rng.choice(pool), rng),
            "created": jira_time(moment),
            "items": pair,
        }
        for h, (moment, pair) in enumerate(zip(times, items, strict=True))
    ]
    return {
        "id": str(10000 + number),
        "key": key,
        "changelog": {"startAt": 0, "maxResults": 5, "total": 5, "histories": histories},
        "fields": {
            "issuetype": {"id": "10001", "name": "Story", "subtask": False},
            "customfield_10016": rng.choice([1, 2, 3, 5, 8]),
            "project": {"key": project, "name": f"Project {project}"},
            "fixVersions": [{"id": str(10001 + version), "name": f"v{version + 1}", "released": done}],
            "resolution": {"id": "10000", "name": "Done"} if done else None,
            "resolutiondate": jira_time(times[-1]) if done else None,
            "created": jira_time(created),
            "updated": jira_time(times[-1]),
            "status": {"name": "Done" if done else "Blocked", "id": "10002" if done else "10005"},
            "summary": f"Story {number}: make {project} faster",
            "duedate": due2,
        },
    }


def write_jira(org: Org, directory: Path, scale: float, rng: random.Random, now: datetime) -> int:
    """The Jira export as search-API pages; the number of changelog items written."""
    directory.mkdir(parents=True)
    issues = round(TARGETS["changelog items"] * scale / ITEMS_PER_ISSUE)
    teams = [team["team"] for team in org.demo.teams]
    projects = {team["team"]: team["jira_projects"] for team in org.demo.teams}
    pools = {team: weighted_authors(org, team) for team in teams}
    numbers: Counter[str] = Counter()
    for page, start in enumerate(range(0, issues, ISSUES_PER_PAGE)):
        count = min(ISSUES_PER_PAGE, issues - start)
        with (directory / f"search-{page + 1:03d}.json").open("w", encoding="utf-8") as out:
            out.write(f'{{"startAt":{start},"maxResults":{count},"total":{issues},"issues":[')
            for i in range(count):
                team = teams[(start + i) % len(teams)]
                numbers[team] += 1
                key = f"{projects[team]}-{numbers[team]}"
                record = issue(org, team, key, start + i, pools[team], rng, now)
                out.write(("," if i else "") + json.dumps(record, separators=(",", ":")))
            out.write("]}")
    return issues * ITEMS_PER_ISSUE


def decision_log(org: Org, scale: float, seed: int, now: datetime) -> tuple[bytes, int]:
    """The demo's year of decisions, generated with more seeds until there are enough; (the log, decisions)."""
    target = round(TARGETS["decisions"] * scale)
    records: dict[tuple[str, str, str], dict[str, Any]] = {}
    run = 0
    while len(records) < target:
        for record in generate_decisions(org.demo, seed + run, now=now).records:
            records.setdefault((str(record["team"]), str(record["title"]), str(record["opened_at"])), record)
        run += 1
    chosen = list(records.values())[:target]
    return json.dumps(chosen, separators=(",", ":")).encode(), len(chosen)


def _busday(now: datetime, back: int) -> date:
    return np.busday_offset(np.datetime64(now.date(), "D"), -back, roll="backward").astype(date)  # type: ignore[no-any-return]


def pulse_answers(org: Org, scale: float, rng: random.Random, now: datetime) -> tuple[bytes, int]:
    """Fortnightly pulses, newest first, three in four product and engineering people answering, until there are
    enough answers; (the ``tandem pulse import`` CSV, answers)."""
    target = round(TARGETS["pulse answers"] * scale)
    items = DEFAULT_INSTRUMENT.item_ids
    baseline = {person["id"]: rng.choice((3, 4, 5, 5, 6, 6, 7)) for person in org.people}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submitted_at", "team", "function", "item", "score", "respondent", "pulse"])
    answers = pulse = 0
    while answers < target:
        day = _busday(now, 2 + 10 * pulse)
        for team, people in org.members.items():
            for person_id in people:
                function = org.by_id[person_id]["function"]
                if function not in ("product", "engineering") or rng.random() >= 0.75 or answers >= target:
                    continue
                moment = datetime(day.year, day.month, day.day, 9 + rng.randrange(8), rng.randrange(60), tzinfo=UTC)
                stamp = moment.isoformat().replace("+00:00", "Z")
                for item in items:
                    score = min(7, max(1, baseline[person_id] + rng.choice((-1, 0, 0, 1))))
                    writer.writerow([stamp, team, function, item, score, person_id, day.isoformat()])
                answers += len(items)
        pulse += 1
    return buffer.getvalue().encode(), answers


RITUAL_KINDS = (
    (RitualKind.STANDUP, 30, "Daily standup", 15),
    (RitualKind.PLANNING, 14, "Sprint planning", 60),
    (RitualKind.RETRO, 12, "Sprint retro", 60),
    (RitualKind.DEMO, 12, "Sprint review", 45),
    (RitualKind.DISCOVERY, 20, "Customer interview", 45),
    (RitualKind.INCIDENT, 6, "Incident review", 60),
    (RitualKind.OTHER, 6, "Roadmap sync", 30),
)


@dataclass
class Rituals:
    csv_rows: list[RitualRow] = field(default_factory=list)
    ics: dict[str, bytes] = field(default_factory=dict)
    ics_occurrences: int = 0
    ics_attendances: int = 0
    attendances: int = 0


def rituals(org: Org, scale: float, rng: random.Random, now: datetime) -> Rituals:
    """A year of meetings, round-robin over the teams until there are enough attendances (organisers counted as
    present, as the import stores them): a sample of the teams as calendar exports, the rest as ritual CSV rows."""
    target = round(TARGETS["ritual attendances"] * scale)
    teams = sorted(org.members)
    as_ics = set(teams[: max(1, round(len(teams) * ICS_SHARE))])
    weights = [weight for _, weight, _, _ in RITUAL_KINDS]
    events: dict[str, list[CalendarEvent]] = defaultdict(list)
    seen: set[tuple[str, datetime, str, str]] = set()
    found = Rituals()
    while found.attendances < target:
        for team in teams:
            kind, _, summary, minutes = rng.choices(RITUAL_KINDS, weights)[0]
            product, engineering = org.leads[team]
            organiser = product if kind in (RitualKind.DISCOVERY, RitualKind.DEMO) else engineering
            day = _busday(now, rng.randrange(1, 255))
            start = datetime(day.year, day.month, day.day, 9 + rng.randrange(8), rng.choice((0, 30)), tzinfo=UTC)
            if (team, start, kind, organiser) in seen:
                continue
            seen.add((team, start, kind, organiser))
            present = {organiser}
            present |= {person for person in org.members[team] if rng.random() < 0.55}
            present |= {lead for lead in (product, engineering) if rng.random() < 0.75}
            found.attendances += len(present)
            if team in as_ics:
                found.ics_occurrences += 1
                found.ics_attendances += len(present)
                events[team].append(
                    CalendarEvent(
                        uid=f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@bench",
                        summary=f"[{team}] {summary}",
                        start=start,
                        minutes=minutes,
                        organiser_email=org.by_id[organiser]["email"],
                        attendees=[(org.by_id[person]["email"], "ACCEPTED") for person in sorted(present)],
                    )
                )
            else:
                found.csv_rows.append(
                    RitualRow(start, start + timedelta(minutes=minutes), team, kind, organiser, sorted(present))
                )
            if found.attendances >= target:
                break
    found.ics = {f"{team}.ics": to_ics(listed, name=team) for team, listed in sorted(events.items())}
    return found


def constraint_log(org: Org, scale: float, rng: random.Random, now: datetime) -> tuple[bytes, int]:
    """A blockers log: posted by a team's product or engineering people, mostly acknowledged by the counterpart
    lead, half resolved."""
    count = round(TARGETS["constraints"] * scale)
    teams = sorted(org.members)
    rows = []
    for n in range(count):
        team = teams[n % len(teams)]
        product, engineering = org.leads[team]
        posters = [p for p in org.members[team] if org.by_id[p]["function"] in ("product", "engineering")]
        by = rng.choice(posters)
        counterpart = engineering if org.by_id[by]["function"] == "product" else product
        posted = now - timedelta(minutes=rng.randrange(2 * 24 * 60, 300 * 24 * 60))
        acknowledged = posted + timedelta(hours=rng.randrange(1, 120)) if rng.random() < 0.7 else None
        acknowledged = acknowledged if acknowledged is not None and acknowledged < now else None
        resolved = (acknowledged or posted) + timedelta(days=rng.randrange(1, 20)) if rng.random() < 0.5 else None
        rows.append(
            LogRow(
                posted_at=posted,
                team=team,
                by=by,
                kind=rng.choice(("overloaded", "blocked", "uncertain")),
                text=f"Waiting on a decision about item {n}",
                acknowledged_at=acknowledged,
                acknowledged_by=counterpart if acknowledged and counterpart != by else None,
                resolved_at=resolved if resolved is None or resolved < now else None,
            )
        )
    return constraints_csv(rows), count


@dataclass
class Files:
    directory: Path
    written: dict[str, int]
    """What was written, by the names of TARGETS."""


def write_files(scale: float, seed: int) -> Files:
    """Every file the imports read, into benchmarks/.out/walk-scale-<scale>/ (rewritten: the data is relative to
    now, and the walk looks at the last year)."""
    directory = OUT / f"walk-scale-{scale:g}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    now = utcnow()
    rng = random.Random(seed)
    org = build_org(scale, seed)
    (directory / "people.csv").write_bytes(people_csv(org.demo))
    (directory / "teams.csv").write_bytes(teams_csv(org.demo))
    written = {"people": len(org.people), "teams": len(org.demo.teams)}
    written["changelog items"] = write_jira(org, directory / "jira", scale, rng, now)
    log, written["decisions"] = decision_log(org, scale, seed, now)
    (directory / "decisions.json").write_bytes(log)
    answers, written["pulse answers"] = pulse_answers(org, scale, rng, now)
    (directory / "pulses.csv").write_bytes(answers)
    board, written["constraints"] = constraint_log(org, scale, rng, now)
    (directory / "constraints.csv").write_bytes(board)
    meetings = rituals(org, scale, rng, now)
    (directory / "calendars").mkdir()
    for name, data in meetings.ics.items():
        (directory / "calendars" / name.replace("/", "_")).write_bytes(data)
    (directory / "rituals.csv").write_bytes(rituals_csv(meetings.csv_rows))
    written["ritual attendances"] = meetings.attendances
    written["ics occurrences"] = meetings.ics_occurrences
    written["ics attendances"] = meetings.ics_attendances
    written["csv occurrences"] = len(meetings.csv_rows)
    (directory / "written.json").write_text(json.dumps(written))
    return Files(directory, written)


# --- the children -------------------------------------------------------------------------------------------------


def peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rss_bytes() -> int:
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def child_import(url: str, directory: Path) -> dict[str, Any]:
    """Every import, each in its own transaction, in the order a user would run them."""
    engine = make_engine(url)
    steps: list[dict[str, Any]] = []

    def step(name: str, work: Callable[[Any], dict[str, int]]) -> None:
        started = time.perf_counter()
        with transaction(engine) as session:
            counts = work(session)
        steps.append({"step": name, "seconds": time.perf_counter() - started, "counts": counts, "peak": peak_bytes()})

    def org(session: Any) -> dict[str, int]:
        outcome = import_org(
            session,
            people_data=(directory / "people.csv").read_bytes(),
            people_file="people.csv",
            teams_data=(directory / "teams.csv").read_bytes(),
            teams_file="teams.csv",
            imported_by="bench",
        )
        counts = outcome.plan.counts()
        return {"people": counts["people_created"], "teams": counts["teams_created"]}

    def tracker(session: Any) -> dict[str, int]:
        counts = import_tracker(session, "jira", directory / "jira", imported_by="bench").record.counts
        written = json.loads((directory / "written.json").read_text())["changelog items"]
        return {
            "changelog items": written,
            "schedule changes": counts["changes_added"],
            "issues": counts["items_added"],
        }

    def decisions(session: Any) -> dict[str, int]:
        data = (directory / "decisions.json").read_bytes()
        report = import_decision_log(session, data=data, name="decisions.json", actor="bench")
        return {"decisions": report.created}

    def pulses(session: Any) -> dict[str, int]:
        data = (directory / "pulses.csv").read_bytes()
        report = import_answers(session, data, name="pulses.csv", actor_label="bench")
        return {"answers": report.answers, "responses": report.responses, "pulses": report.pulses_created}

    def constraints(session: Any) -> dict[str, int]:
        data = (directory / "constraints.csv").read_bytes()
        return {"constraints": import_constraint_log(session, data=data, name="constraints.csv", actor="bench").created}

    def calendars(session: Any) -> dict[str, int]:
        created = unmatched = 0
        rules, now = KindRules.of(), utcnow()
        for path in sorted((directory / "calendars").iterdir()):
            report = import_calendar(
                session,
                data=path.read_bytes(),
                name=path.name,
                actor="bench",
                rules=rules,
                since=now - timedelta(days=366),
                until=now,
            )
            created += report.created
            unmatched += report.unmatched_kind + report.unmatched_team
        attendances = _count(session, "ritual_attendances")
        return {"occurrences": created, "attendances": attendances, "skipped (no kind)": unmatched}

    def ritual_csv(session: Any) -> dict[str, int]:
        before = _count(session, "ritual_attendances")
        data = (directory / "rituals.csv").read_bytes()
        report = import_ritual_csv(session, data=data, name="rituals.csv", actor="bench")
        return {"occurrences": report.created, "attendances": _count(session, "ritual_attendances") - before}

    step("org (people.csv, teams.csv)", org)
    step("tracker (Jira export)", tracker)
    step("decisions (decision log JSON)", decisions)
    step("pulses (answers CSV)", pulses)
    step("constraints (blockers CSV)", constraints)
    step("rituals, calendars (.ics)", calendars)
    step("rituals, CSV", ritual_csv)
    if engine.dialect.name == "postgresql":
        started = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        steps.append({"step": "ANALYZE", "seconds": time.perf_counter() - started, "counts": {}, "peak": peak_bytes()})
    with engine.connect() as connection:
        rows = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in SCAN_TABLES}
        rows["person_aliases"] = connection.execute(text("SELECT count(*) FROM person_aliases")).scalar_one()
        rows["tracker_items"] = connection.execute(text("SELECT count(*) FROM tracker_items")).scalar_one()
    engine.dispose()
    return {"steps": steps, "rows": rows}


def _count(session: Any, table: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def child_walk(url: str) -> dict[str, Any]:
    """``run_walk`` end to end, as the CLI and the web app call it."""
    from tandem.config import Thresholds
    from tandem.walk.service import run_walk

    engine = make_engine(url)
    with engine.connect() as connection:  # connect (and, on SQLite, set the pragmas) before the clock starts
        connection.execute(text("SELECT 1"))
    before = peak_bytes()
    started = time.perf_counter()
    with transaction(engine) as session:
        report = run_walk(session, Thresholds())
    seconds = time.perf_counter() - started
    kinds = Counter(finding.kind for finding in report.findings)
    engine.dispose()
    return {"seconds": seconds, "peak": peak_bytes(), "before": before, "findings": dict(sorted(kinds.items()))}


def _name(function: Callable[..., Any]) -> str:
    return f"{function.__module__.removeprefix('tandem.')}.{function.__qualname__}"


class _TimedReads(dict[Any, Any]):
    """The walk's once-per-walk memo (``registry.read``), timing each loader's first read. A loader that reads
    another (the pressure test reads the schedule, decisions, rituals and pulses) is charged only its own time and
    statements: what it reads through ``read`` is charged to that loader."""

    def __init__(self, statements: Counter[str], record: Callable[[str, float, int], None]) -> None:
        super().__init__()
        self.statements, self.record = statements, record
        self.stack: list[list[Any]] = []
        """Per load under way: [name, started, statements so far, seconds and statements of the loads inside]."""

    def __contains__(self, loader: object) -> bool:
        found = super().__contains__(loader)
        if not found and callable(loader):
            self.stack.append([_name(loader), time.perf_counter(), self.statements.total(), 0.0, 0])
        return found

    def __setitem__(self, loader: Any, value: Any) -> None:
        super().__setitem__(loader, value)
        if self.stack:
            name, started, before, inner_seconds, inner_statements = self.stack.pop()
            seconds, statements = time.perf_counter() - started, self.statements.total() - before
            if self.stack:
                self.stack[-1][3] += seconds
                self.stack[-1][4] += statements
            self.record(name, seconds - inner_seconds, statements - inner_statements)


def _listed(detect: Callable[[Any, Any], Iterable[Any]], data: Any, thresholds: Any) -> list[Any]:
    return list(detect(data, thresholds))


def child_breakdown(url: str) -> dict[str, Any]:
    """The walk's steps as ``run_walk`` takes them (each loader read once per walk, through the registry's memo),
    each timed, with the statements it sent and the memory held after it."""
    from tandem.config import Thresholds
    from tandem.org.service import org_counts
    from tandem.walk import registry, scorecards
    from tandem.walk.findings import worst_first
    from tandem.walk.registry import detectors, metric_providers
    from tandem.walk.service import team_pairs

    engine = make_engine(url)
    statements = Counter[str]()
    tables: set[str] = set()

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        statements["all"] += 1
        tables.update(table.lower() for table in re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', statement, re.IGNORECASE))

    rows: list[dict[str, Any]] = []

    def row(kind: str, name: str, seconds: float, sent: int, results: int | None = None) -> None:
        rows.append(
            {"kind": kind, "name": name, "seconds": seconds, "statements": sent, "rss": rss_bytes(), "results": results}
        )

    def timed(kind: str, name: str, work: Callable[[], Any]) -> Any:
        before, started = statements.total(), time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        row(kind, name, seconds, statements.total() - before, len(result) if isinstance(result, (list, dict)) else None)
        return result

    def load(loader: Callable[[Any], Any], session: Any) -> Any:
        if memo is None:  # a registry without the memo: every detector's loader is timed where it is first used
            if loader not in plain:
                plain[loader] = timed("load", _name(loader), lambda: loader(session))
            return plain[loader]
        return registry.read(session, loader)

    thresholds = Thresholds()
    detectors()  # import the domains first: their import time is not the walk's
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    started = time.perf_counter()
    plain: dict[Any, Any] = {}
    memo: _TimedReads | None = None
    with transaction(engine) as session:
        findings: list[Any] = []
        figures: dict[str, Any] = {}
        reads = getattr(registry, "one_read_per_walk", None)
        paused = getattr(registry, "collector_paused", nullcontext)
        with reads(session) if reads is not None else nullcontext(), paused():
            key = getattr(registry, "_READ", None)
            if key is not None and key in session.info:
                memo = _TimedReads(statements, lambda name, seconds, sent: row("load", name, seconds, sent))
                session.info[key] = memo
            for registered in detectors():
                data = load(registered.load, session)
                findings += timed("detect", registered.kind, partial(_listed, registered.detect, data, thresholds))
            for provider in metric_providers():
                data = load(provider.load, session)
                figures[provider.name] = timed("metrics", provider.name, partial(provider.compute, data, thresholds))
        ordered = sorted(findings, key=worst_first)
        pairs = timed("assemble", "walk.service.team_pairs", lambda: team_pairs(session))
        cards = timed(
            "assemble", "scorecards.scorecards", lambda: scorecards.scorecards(pairs, ordered, figures, thresholds)
        )
        timed("assemble", "org.service.org_counts", lambda: org_counts(session))
        timed(
            "assemble",
            "scorecards.model_pairs",
            lambda: scorecards.model_pairs(cards, figures, org_findings=ordered),
        )
    total = time.perf_counter() - started
    engine.dispose()
    return {"rows": rows, "total": total, "peak": peak_bytes(), "tables": sorted(tables)}


def child_scan(url: str, tables: list[str]) -> dict[str, Any]:
    """Every row of every table, through the raw driver cursor (no ORM, no type conversion beyond the driver's)."""
    engine = make_engine(url)
    connection = engine.raw_connection()
    figures: dict[str, Any] = {}
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchall()
        for table in tables:
            started = time.perf_counter()
            cursor.execute(f"SELECT * FROM {table}")
            count = 0
            while batch := cursor.fetchmany(10_000):
                count += len(batch)
            figures[table] = {"seconds": time.perf_counter() - started, "rows": count}
        cursor.close()
    finally:
        connection.close()
    engine.dispose()
    return {"tables": figures, "peak": peak_bytes()}


def run_child(*arguments: str) -> dict[str, Any]:
    """Run this file as a child process; its last line of output is its figures as JSON. (Linux carries a
    process's peak RSS across ``exec``: a child's ``ru_maxrss`` starts at this parent's, which therefore stays
    small — the files are generated in a child too.)"""
    result = subprocess.run([sys.executable, __file__, "--child", *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"the child '{arguments[0]}' failed with status {result.returncode}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


# --- the report ---------------------------------------------------------------------------------------------------


def gib(size: float) -> str:
    return f"{size / 1024**3:.2f} GiB"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def print_imports(figures: dict[str, Any]) -> None:
    print(f"  {'import':<32} {'seconds':>8}  {'rate':<60} {'peak RSS':>10}  imported")
    for step in figures["steps"]:
        counts, seconds = step["counts"], step["seconds"]
        rate = ", ".join(
            f"{value / seconds:,.0f} {name}/s" for name, value in counts.items() if value and "(" not in name
        )
        done = ", ".join(f"{value:,} {name}" for name, value in counts.items())
        print(f"  {step['step']:<32} {seconds:8.1f}  {rate:<60} {gib(step['peak']):>10}  {done}")
    total = sum(step["seconds"] for step in figures["steps"])
    print(f"  {'all imports':<32} {total:8.1f}")


def print_rows(rows: dict[str, int], written: dict[str, int]) -> None:
    print(
        "  in the database: "
        + ", ".join(f"{table} {count:,}" for table, count in rows.items() if count)
        + f" (written: {written['changelog items']:,} Jira changelog items, {written['pulse answers']:,} pulse "
        f"answers, {written['ritual attendances']:,} ritual attendances)"
    )


def print_breakdown(figures: dict[str, Any]) -> None:
    print(f"  {'step':<10} {'what':<52} {'seconds':>8} {'share':>6} {'SQL':>6} {'RSS after':>10}  results")
    total = figures["total"]
    for row in figures["rows"]:
        results = "" if row["results"] is None else f"{row['results']:,}"
        print(
            f"  {row['kind']:<10} {row['name']:<52} {row['seconds']:8.2f} {row['seconds'] / total:6.0%} "
            f"{row['statements']:>6,} {gib(row['rss']):>10}  {results}"
        )
    by_kind: dict[str, float] = defaultdict(float)
    for row in figures["rows"]:
        by_kind[row["kind"]] += row["seconds"]
    summary = ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in by_kind.items())
    print(f"  {'total':<63} {total:8.2f}  ({summary}; peak RSS {gib(figures['peak'])})")


def print_scan(scan: dict[str, Any], walk_seconds: float) -> None:
    tables = scan["tables"]
    print(f"  {'plain scan (raw cursor)':<32} {'rows':>12} {'seconds':>8} {'rows/s':>12}")
    for table, row in sorted(tables.items(), key=lambda item: -item[1]["seconds"]):
        rate = row["rows"] / row["seconds"] if row["seconds"] else 0
        print(f"  {table:<32} {row['rows']:>12,} {row['seconds']:8.2f} {rate:>12,.0f}")
    seconds = sum(row["seconds"] for row in tables.values())
    rows = sum(row["rows"] for row in tables.values())
    print(
        f"  {'all':<32} {rows:>12,} {seconds:8.2f}   walk / scan = {walk_seconds / seconds:.1f}x "
        f"(peak RSS of the scan {gib(scan['peak'])})"
    )


def measure(label: str, database: Callable[[], AbstractContextManager[str]], files: Files) -> dict[str, Any]:
    print(f"\n[{label}] ({load_average()})")
    with database() as url:
        imported = run_child("import", url, str(files.directory))
        print_imports(imported)
        print_rows(imported["rows"], files.written)
        print(f"  ({load_average()})")
        walk = run_child("walk", url)
        verdict = "met" if walk["seconds"] < GOAL_SECONDS and walk["peak"] < GOAL_BYTES else "NOT met"
        print(
            f"  run_walk: {walk['seconds']:.1f} s, peak RSS {gib(walk['peak'])} ({gib(walk['before'])} before the "
            f"walk) — goal {GOAL_SECONDS:.0f} s and {gib(GOAL_BYTES)}: {verdict}; {sum(walk['findings'].values()):,} "
            f"findings {walk['findings']} ({load_average()})"
        )
        breakdown = run_child("breakdown", url)
        print(
            "  the walk step by step (a second walk, run_walk's steps timed one by one; a loader that reads another "
            "is charged its own time and SQL only):"
        )
        print_breakdown(breakdown)
        read = [table for table in breakdown["tables"] if table in SCAN_TABLES or table == "person_aliases"]
        unread = [table for table in SCAN_TABLES if table not in read]
        scan = run_child("scan", url, ",".join(read))
        print(f"  tables the walk read: {', '.join(read)}; not read: {', '.join(unread) or 'none'}")
        print_scan(scan, walk["seconds"])
        print(f"  ({load_average()})")
    return {"import": imported, "walk": walk, "breakdown": breakdown, "scan": scan}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the target sizes (0.05: a smoke test)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--skip-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--skip-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, url, *rest = args.child
        if mode == "generate":  # in a child too, so that its memory is not every later child's starting peak
            files = write_files(float(url), int(rest[0]))
            figures = {"directory": str(files.directory), "written": files.written}
        elif mode == "import":
            figures = child_import(url, Path(rest[0]))
        elif mode == "walk":
            figures = child_walk(url)
        elif mode == "breakdown":
            figures = child_breakdown(url)
        else:
            figures = child_scan(url, rest[0].split(",") if rest and rest[0] else [])
        print(json.dumps(figures))
        return

    if args.skip_postgres:
        os.environ.pop("TANDEM_TEST_POSTGRES_URL", None)
    started = time.perf_counter()
    generated = run_child("generate", str(args.scale), str(args.seed))
    files = Files(Path(generated["directory"]), generated["written"])
    size = sum(path.stat().st_size for path in files.directory.rglob("*") if path.is_file())
    written = files.written
    print(
        f"scale {args.scale:g}: {written['people']:,} people, {written['teams']:,} teams, "
        f"{written['changelog items']:,} Jira changelog items, {written['decisions']:,} decisions, "
        f"{written['pulse answers']:,} pulse answers, {written['ritual attendances']:,} ritual attendances "
        f"({written['ics attendances']:,} in {written['ics occurrences']:,} calendar events, the rest in "
        f"{written['csv occurrences']:,} CSV rows), {written['constraints']:,} constraints; "
        f"{size / 1e6:,.0f} MB of files in {files.directory}, written in {time.perf_counter() - started:.0f} s"
    )
    chosen = [(label, database) for label, database in backends() if not (args.skip_sqlite and label == "sqlite")]
    results = {label: measure(label, database, files) for label, database in chosen}
    if args.json:
        args.json.write_text(json.dumps({"scale": args.scale, "written": written, "results": results}, indent=1))


if __name__ == "__main__":
    main()
