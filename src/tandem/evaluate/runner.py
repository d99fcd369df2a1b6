"""Run the evaluation: build each organisation, load it through the real imports, walk it, score the findings.

``score`` is pure (plants and findings in, precision and recall out) and is what the tests check by hand; the rest
orchestrates: one fresh database per organisation (SQLite in a temporary folder, or a throw-away database on a
PostgreSQL server), the same imports ``tandem demo`` runs, and ``run_walk`` at the given thresholds.

How a finding is judged (per kind *K*):

- a plant of *K* is **found** when some team-scoped finding of *K* names one of the plant's teams (an org-wide plant:
  an org-wide finding of *K*); a plant the evaluator knows the walk cannot see (its data was taken away, or the
  privacy gate holds it back) is **unobservable** and left out of recall;
- a finding of *K* is **true** when it is how some plant of *K* was found (a plant left unobservable included), and
  **false** otherwise; a false one on a team planted with another problem (or, org-wide, in an org with team
  plants of *K* that add up to it) is counted as false all the same, and listed as **explained** by that plant;
- recall = found / observable plants; precision = true findings / findings.
"""

from __future__ import annotations

import getpass
import json
import multiprocessing
import queue
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from tandem.config import Thresholds
from tandem.constraints.importer import import_constraint_log
from tandem.constraints.importer import to_csv as blockers_csv
from tandem.db import make_engine, normalise_url, transaction, upgrade, utcnow
from tandem.decisions.importer import import_decision_log
from tandem.demo.cli import enter_plans
from tandem.demo.generator import people_csv, teams_csv
from tandem.demo.rituals import DAYS as RITUAL_DAYS
from tandem.evaluate.cases import KINDS, OrgCase, Plant, build_case
from tandem.org.service import import_org
from tandem.overlap.importer import import_calendar
from tandem.overlap.kinds import KindRules
from tandem.schedule.importer import import_tracker
from tandem.trust.service import import_answers
from tandem.walk.findings import Finding
from tandem.walk.service import run_walk

STAGES: tuple[str, ...] = (
    "generating",
    "importing the org",
    "importing decisions",
    "importing tracker history and plans",
    "importing pulses",
    "importing constraints",
    "importing calendars",
    "walking",
    "done",
)
"""What happens to each organisation, in order: the progress callback hears each name as it starts (and "done")."""


# --- scoring (pure) --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """A finding as the scoring needs it."""

    kind: str
    teams: tuple[str, ...]
    org_wide: bool
    title: str

    @classmethod
    def of(cls, finding: Finding) -> Seen:
        org_wide = finding.evidence.get("scope") == "org" or not finding.scope.teams
        return cls(finding.kind, tuple(finding.scope.teams), org_wide, finding.title)


@dataclass(frozen=True)
class OrgOutcome:
    """One organisation's truth beside what the walk said about it."""

    index: int
    seed: int
    plants: Sequence[Plant]
    findings: Sequence[Seen]
    confounders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    teams: int = 0
    people: int = 0
    seconds: float = 0.0
    unplaced: Sequence[str] = ()


@dataclass
class KindScore:
    """The counts for one kind (or all of them)."""

    planted: int = 0
    unobservable: int = 0
    found: int = 0
    missed: int = 0
    findings: int = 0
    false_positives: int = 0
    explained: int = 0

    @property
    def observable(self) -> int:
        return self.planted - self.unobservable

    @property
    def precision(self) -> float | None:
        return (self.findings - self.false_positives) / self.findings if self.findings else None

    @property
    def recall(self) -> float | None:
        return self.found / self.observable if self.observable else None

    def add(self, other: KindScore) -> None:
        self.planted += other.planted
        self.unobservable += other.unobservable
        self.found += other.found
        self.missed += other.missed
        self.findings += other.findings
        self.false_positives += other.false_positives
        self.explained += other.explained

    def as_json(self) -> dict[str, Any]:
        return {
            "planted": self.planted,
            "unobservable": self.unobservable,
            "observable": self.observable,
            "found": self.found,
            "missed": self.missed,
            "findings": self.findings,
            "false_positives": self.false_positives,
            "explained": self.explained,
            "precision": _rounded(self.precision),
            "recall": _rounded(self.recall),
        }


@dataclass(frozen=True)
class Miss:
    org: int
    seed: int
    kind: str
    team: str | None
    detail: str
    confounders: tuple[str, ...]


@dataclass(frozen=True)
class FalsePositive:
    org: int
    seed: int
    kind: str
    teams: tuple[str, ...]
    title: str
    explained_by: tuple[str, ...]
    """The other plants behind it, as ``team: kind/detail``."""
    confounders: tuple[str, ...]
    """The confounders on its teams, as ``team: confounder``."""


@dataclass(frozen=True)
class Unobservable:
    org: int
    seed: int
    kind: str
    team: str | None
    detail: str
    reason: str


@dataclass(frozen=True)
class Scores:
    kinds: dict[str, KindScore]
    totals: KindScore
    missed: list[Miss]
    false_positives: list[FalsePositive]
    unobservable: list[Unobservable]


def _matches(plant: Plant, seen: Seen) -> bool:
    if seen.kind != plant.kind:
        return False
    if plant.team is None:
        return seen.org_wide
    return not seen.org_wide and bool(set(plant.teams or (plant.team,)) & set(seen.teams))


def _touches(plant: Plant) -> set[str]:
    return set(plant.teams or ((plant.team,) if plant.team else ()))


def score(outcomes: Sequence[OrgOutcome], kinds: Sequence[str] = KINDS) -> Scores:
    """Per kind: plants (observable or not), found, missed, findings, false ones and those another plant explains."""
    by_kind = {kind: KindScore() for kind in kinds}
    missed: list[Miss] = []
    false_positives: list[FalsePositive] = []
    unobservable: list[Unobservable] = []
    for outcome in outcomes:
        for plant in outcome.plants:
            counts = by_kind.setdefault(plant.kind, KindScore())
            counts.planted += 1
            if plant.unobservable is not None:
                counts.unobservable += 1
                unobservable.append(
                    Unobservable(outcome.index, outcome.seed, plant.kind, plant.team, plant.detail, plant.unobservable)
                )
            elif any(_matches(plant, seen) for seen in outcome.findings):
                counts.found += 1
            else:
                counts.missed += 1
                around = outcome.confounders.get(plant.team, ()) if plant.team else ()
                missed.append(Miss(outcome.index, outcome.seed, plant.kind, plant.team, plant.detail, around))
        for seen in outcome.findings:
            counts = by_kind.setdefault(seen.kind, KindScore())
            counts.findings += 1
            if any(_matches(plant, seen) for plant in outcome.plants):
                continue
            counts.false_positives += 1
            if seen.org_wide:  # team plants of the same kind can add up to an org-wide finding
                behind = [p for p in outcome.plants if p.kind == seen.kind and p.team is not None]
            else:
                behind = [p for p in outcome.plants if p.kind != seen.kind and _touches(p) & set(seen.teams)]
            if behind:
                counts.explained += 1
            false_positives.append(
                FalsePositive(
                    org=outcome.index,
                    seed=outcome.seed,
                    kind=seen.kind,
                    teams=seen.teams,
                    title=seen.title,
                    explained_by=tuple(f"{p.team}: {p.kind}/{p.detail}" for p in behind),
                    confounders=tuple(
                        f"{team}: {name}" for team in seen.teams for name in outcome.confounders.get(team, ())
                    ),
                )
            )
    totals = KindScore()
    for counts in by_kind.values():
        totals.add(counts)
    return Scores(by_kind, totals, missed, false_positives, unobservable)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# --- orchestration ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationSettings:
    orgs: int = 5
    seed: int = 1
    groups: int = 8
    teams_per_group: int = 6
    rate: float = 0.15
    noise: float = 0.1

    @property
    def teams(self) -> int:
        return self.groups * self.teams_per_group

    @property
    def plants_per_org(self) -> int:
        """About ``rate`` of the teams get a problem (at least one when the rate is above zero)."""
        return max(1, round(self.rate * self.teams)) if self.rate > 0 else 0


@dataclass(frozen=True)
class Evaluation:
    settings: EvaluationSettings
    thresholds: Thresholds
    backend: str
    outcomes: list[OrgOutcome]
    scores: Scores
    seconds: float

    def as_json(self) -> dict[str, Any]:
        defaults = Thresholds().model_dump()
        changed = {name: value for name, value in self.thresholds.model_dump().items() if defaults[name] != value}
        return {
            "settings": {
                "orgs": self.settings.orgs,
                "seed": self.settings.seed,
                "groups": self.settings.groups,
                "teams_per_group": self.settings.teams_per_group,
                "rate": self.settings.rate,
                "noise": self.settings.noise,
                "backend": self.backend,
                "thresholds": changed or "default",
            },
            "kinds": {kind: counts.as_json() for kind, counts in self.scores.kinds.items()},
            "totals": self.scores.totals.as_json(),
            "orgs": [
                {
                    "index": o.index,
                    "seed": o.seed,
                    "teams": o.teams,
                    "people": o.people,
                    "plants": len(o.plants),
                    "findings": len(o.findings),
                    "confounded_teams": len(o.confounders),
                    "unplaced": list(o.unplaced),
                    "seconds": round(o.seconds, 2),
                }
                for o in self.outcomes
            ],
            "missed": [_plain(miss) for miss in self.scores.missed],
            "false_positives": [_plain(fp) for fp in self.scores.false_positives],
            "unobservable": [_plain(item) for item in self.scores.unobservable],
            "runtime_seconds": round(self.seconds, 2),
        }


def _plain(item: Miss | FalsePositive | Unobservable) -> dict[str, Any]:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in vars(item).items()}


def kind_stream(seed: int) -> Iterator[str]:
    """Every kind once in a shuffled round, round after round: consecutive organisations share out the kinds."""
    rng = random.Random(f"evaluate:{seed}:kinds")
    while True:
        round_ = list(KINDS)
        rng.shuffle(round_)
        yield from round_


@contextmanager
def sqlite_database(folder: Path, number: int) -> Iterator[Engine]:
    path = folder / f"org-{number}.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        path.unlink(missing_ok=True)


@contextmanager
def postgres_database(server_url: str, number: int) -> Iterator[Engine]:
    """A throw-away database on the server (the user needs CREATEDB), dropped afterwards."""
    server = normalise_url(server_url)
    name = f"tandem_evaluate_{number}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(server.set(database=name))
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass(frozen=True)
class OrgJob:
    """One organisation to evaluate: everything a worker process needs, picklable."""

    index: int
    seed: int
    kinds: tuple[str, ...]
    settings: EvaluationSettings
    thresholds: Thresholds
    folder: Path
    postgres_server: str | None = None


def plan_jobs(
    settings: EvaluationSettings, thresholds: Thresholds, folder: Path, postgres_server: str | None = None
) -> list[OrgJob]:
    """Organisation ``n`` has seed ``seed + n`` and the next ``plants_per_org`` kinds of the stream."""
    stream = kind_stream(settings.seed)
    return [
        OrgJob(
            index=index,
            seed=settings.seed + index,
            kinds=tuple(next(stream) for _ in range(settings.plants_per_org)),
            settings=settings,
            thresholds=thresholds,
            folder=folder,
            postgres_server=postgres_server,
        )
        for index in range(settings.orgs)
    ]


def evaluate(
    settings: EvaluationSettings,
    *,
    thresholds: Thresholds,
    postgres_server: str | None = None,
    jobs: int = 1,
    on_stage: Callable[[int, str], None] | None = None,
) -> Evaluation:
    """Build, load, walk and score ``settings.orgs`` organisations, ``jobs`` at a time (each in its own process
    when more than one); ``on_stage(index, stage)`` hears each organisation reach each of ``STAGES``."""
    started = time.perf_counter()
    report = on_stage or _ignore
    with tempfile.TemporaryDirectory(prefix="tandem-evaluate-") as scratch:
        planned = plan_jobs(settings, thresholds, Path(scratch), postgres_server)
        if jobs <= 1 or len(planned) <= 1:
            outcomes = [run_job(job, partial(report, job.index)) for job in planned]
        else:
            outcomes = _in_processes(planned, min(jobs, len(planned)), report)
    return Evaluation(
        settings=settings,
        thresholds=thresholds,
        backend="postgresql" if postgres_server is not None else "sqlite",
        outcomes=outcomes,
        scores=score(outcomes),
        seconds=time.perf_counter() - started,
    )


def _ignore(_index: int, _stage: str) -> None:
    return None


def _in_processes(planned: list[OrgJob], workers: int, report: Callable[[int, str], None]) -> list[OrgOutcome]:
    """Each organisation in a worker process (spawned: a clean interpreter, no inherited engines); their progress
    comes back through a queue."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        progress = manager.Queue()
        futures = [pool.submit(_job_in_process, job, progress) for job in planned]
        while True:
            try:
                index, stage = progress.get(timeout=0.2)
                report(index, stage)
            except queue.Empty:
                if all(future.done() for future in futures):
                    break
        return [future.result() for future in futures]


def _job_in_process(job: OrgJob, progress: Any) -> OrgOutcome:
    return run_job(job, lambda stage: progress.put((job.index, stage)))


def run_job(job: OrgJob, on_stage: Callable[[str], None] = lambda _stage: None) -> OrgOutcome:
    """One organisation in a fresh database: SQLite in the job's folder, or a throw-away PostgreSQL database."""
    database = (
        postgres_database(job.postgres_server, job.index)
        if job.postgres_server is not None
        else sqlite_database(job.folder, job.index)
    )
    return run_org(
        job.index,
        job.seed,
        job.kinds,
        job.settings,
        thresholds=job.thresholds,
        database=database,
        folder=job.folder,
        on_stage=on_stage,
    )


def run_org(
    index: int,
    seed: int,
    kinds: Sequence[str],
    settings: EvaluationSettings,
    *,
    thresholds: Thresholds,
    database: AbstractContextManager[Engine],
    folder: Path,
    on_stage: Callable[[str], None] = lambda _stage: None,
) -> OrgOutcome:
    """One organisation: generate it, import it into a fresh database, walk it."""
    started = time.perf_counter()
    on_stage(STAGES[0])
    case = build_case(
        index,
        seed,
        kinds,
        groups=settings.groups,
        teams_per_group=settings.teams_per_group,
        noise=settings.noise,
        org_power_gap=settings.rate > 0 and index % 2 == 0,
        now=utcnow(),
        min_group_size=thresholds.min_group_size,
    )
    with database as engine:
        with transaction(engine) as session:
            load_case(session, case, folder, on_stage=on_stage)
        on_stage(STAGES[7])
        with transaction(engine) as session:
            report = run_walk(session, thresholds)
    on_stage(STAGES[8])
    return OrgOutcome(
        index=index,
        seed=seed,
        plants=case.plants,
        findings=[Seen.of(finding) for finding in report.findings],
        confounders=case.confounders,
        teams=len(case.org.teams),
        people=len(case.org.people),
        seconds=time.perf_counter() - started,
        unplaced=list(case.unplaced),
    )


def load_case(
    session: Session, case: OrgCase, folder: Path, *, on_stage: Callable[[str], None] = lambda _stage: None
) -> None:
    """Everything ``tandem demo`` imports, through the same imports, in the caller's transaction."""
    actor = f"cli:{getpass.getuser()} (evaluate)"
    on_stage(STAGES[1])
    import_org(
        session,
        people_data=people_csv(case.org),
        people_file="people.csv",
        teams_data=teams_csv(case.org),
        teams_file="teams.csv",
        imported_by=actor,
    )
    on_stage(STAGES[2])
    import_decision_log(session, data=json.dumps(case.decisions).encode(), name="decisions.json", actor=actor)
    on_stage(STAGES[3])
    jira = folder / f"jira-{case.index}.json"
    jira.write_text(json.dumps(case.jira), encoding="utf-8")
    try:
        import_tracker(session, "jira", jira, imported_by=actor)
    finally:
        jira.unlink(missing_ok=True)
    enter_plans(session, case.plans)
    on_stage(STAGES[4])
    import_answers(session, case.pulses.encode(), name="pulses.csv", actor_label=actor)
    on_stage(STAGES[5])
    import_constraint_log(session, data=blockers_csv(case.constraints), name="constraints.csv", actor=actor)
    on_stage(STAGES[6])
    rules = KindRules.of()
    for name, data in case.calendars.items():
        import_calendar(
            session,
            data=data,
            name=f"calendars/{name}",
            actor=actor,
            rules=rules,
            since=case.now - timedelta(days=RITUAL_DAYS),
            until=case.now,
        )
