"""Organisations with planted problems of every kind, with noise and confounders: the cases ``tandem evaluate`` runs.

Pure: the same arguments give the same case, and nothing touches a database or a file. Each case is the demo's
organisation (``tandem.demo.generator``, larger and with no structural plants of its own) with problems planted on
chosen teams, one problem a team:

- structural kinds bend the org chart of a chosen team the way the demo generator does (a level gap, a lead
  reporting to the other, a product lead reporting through the central product chain, a missing lead, one person
  in both seats); the senior leaders are not peers in every other organisation;
- every other kind comes from the demo's own generators, composed rather than changed: each generator is called on
  a sub-organisation of the chosen team and a few fillers, with fresh seeds until it plants the wanted kind on the
  chosen team (the fillers' data is thrown away), and its ``planted`` list is the truth; every other team's data
  comes from one call that plants nothing;
- a trust asymmetry takes a whole group of teams under one accountable manager (the unit the walk pools).

Confounders (``noise``: the share of teams that get one) are what a real organisation looks like: small teams of
three or four (the privacy gate shows none of their trust figures), missing data (no calendar, no tracker history,
no pulse answers, too few respondents), and healthy teams just below a threshold (a decision three working days past
its time-box, two one-sided constraints, acknowledgements two working days late). A confounder that removes the
data a plant lives in (a calendar plant without its calendar, a silo without its tracker, a trust breakdown with
fewer respondents than the gate needs) makes that plant *unobservable*: the walk is right not to report it, so it
counts for neither recall nor precision. Every healthy team is near the structural thresholds anyway: its
accountable manager is two hops up (three is distant) and half the pairs stand one level apart (two is a gap).
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar

from tandem.constraints.importer import LogRow
from tandem.demo.constraints import generate_constraints
from tandem.demo.decisions import generate_decisions
from tandem.demo.generator import DemoOrg, PlantedProblem, generate_org, people_csv, teams_csv
from tandem.demo.rituals import generate_calendars
from tandem.demo.schedule import DemoPlan, generate_schedule
from tandem.demo.trust import generate_pulses
from tandem.org.analysis import counterpart_pair
from tandem.org.importer import read_org
from tandem.workdays import add_working_days

POWER_GAP = "power_gap"
MISSING_COUNTERPART = "missing_counterpart"
DISTANT_ACCOUNTABLE_MANAGER = "distant_accountable_manager"
DECISION_PARALYSIS = "decision_paralysis"
ONE_SIDED_DECISIONS = "one_sided_decisions"
FACTOR_BLIND_SPOT = "factor_blind_spot"
SILOED_SCHEDULE = "siloed_schedule"
UNREALISTIC_COMMITMENT = "unrealistic_commitment"
TRUST_BREAKDOWN = "trust_breakdown"
TRUST_ASYMMETRY = "trust_asymmetry"
HIDDEN_CONSTRAINTS = "hidden_constraints"
ENGINEERING_ABSENT = "engineering_absent_from_discovery"
PRODUCT_ABSENT = "product_absent_from_delivery"
FRACTURE = "fracture_under_pressure"

KINDS: tuple[str, ...] = (
    POWER_GAP,
    MISSING_COUNTERPART,
    DISTANT_ACCOUNTABLE_MANAGER,
    DECISION_PARALYSIS,
    ONE_SIDED_DECISIONS,
    FACTOR_BLIND_SPOT,
    SILOED_SCHEDULE,
    UNREALISTIC_COMMITMENT,
    TRUST_BREAKDOWN,
    TRUST_ASYMMETRY,
    HIDDEN_CONSTRAINTS,
    ENGINEERING_ABSENT,
    PRODUCT_ABSENT,
    FRACTURE,
)
"""Every kind the walk reports, in the README's order."""

STRUCTURAL = frozenset({POWER_GAP, MISSING_COUNTERPART, DISTANT_ACCOUNTABLE_MANAGER})
DECISION_KINDS = frozenset({DECISION_PARALYSIS, ONE_SIDED_DECISIONS, FACTOR_BLIND_SPOT})
SCHEDULE_KINDS = frozenset({SILOED_SCHEDULE, UNREALISTIC_COMMITMENT})
CALENDAR_KINDS = frozenset({ENGINEERING_ABSENT, PRODUCT_ABSENT, FRACTURE})

SMALL_TEAM = "small_team"
NO_CALENDAR = "no_calendar"
NO_TRACKER = "no_tracker"
NO_PULSES = "no_pulses"
FEW_RESPONDENTS = "few_respondents"
NEAR_OVERDUE_DECISION = "near_overdue_decision"
NEAR_ONE_SIDED_CONSTRAINTS = "near_one_sided_constraints"
NEAR_SLOW_ACKNOWLEDGEMENT = "near_slow_acknowledgement"
CONFOUNDERS: tuple[str, ...] = (
    SMALL_TEAM,
    NO_CALENDAR,
    NO_TRACKER,
    NO_PULSES,
    FEW_RESPONDENTS,
    NEAR_OVERDUE_DECISION,
    NEAR_ONE_SIDED_CONSTRAINTS,
    NEAR_SLOW_ACKNOWLEDGEMENT,
)
_MISSING_DATA = (NO_CALENDAR, NO_TRACKER, NO_PULSES, FEW_RESPONDENTS)
"""What can also happen to a planted team: the plant may then be unobservable."""

_STRUCTURAL_DETAILS: dict[str, tuple[str, ...]] = {
    POWER_GAP: ("level_gap", "reports_to_counterpart"),
    MISSING_COUNTERPART: ("no_engineering_lead", "no_product_lead", "same_person_in_both_seats"),
    DISTANT_ACCOUNTABLE_MANAGER: ("distant",),
}
_LEVEL_GAPS = ((4, 6), (4, 7), (5, 7), (7, 5))
"""(product lead level, engineering lead level) of a planted level gap, as the demo generator plants them."""
_CENTRAL_PRODUCT_TITLE = "Director of Product, Platform"
BREAKDOWN_MIN_ENGINEERS = 6
"""The trust generator breaks trust only on a team with this many engineering people (the lead included)."""
_ATTEMPTS = 30
"""Fresh seeds tried before a generator has planted the wanted kind on the chosen team."""
_NEAR_OVERDUE_WORKING_DAYS = 3
"""Past its time-box, below ``paralysis_overdue_days`` (5)."""
_NEAR_ONE_SIDED_POSTS = 2
"""One side's posts, the other's none: below ``hidden_constraints_min_posted`` (3)."""
_NEAR_ACKNOWLEDGEMENT_WORKING_DAYS = 2
"""Working days to acknowledge (plus the hours of the day): below ``acknowledgement_working_days`` (3) on average."""

T = TypeVar("T")


@dataclass(frozen=True)
class Plant:
    """One problem put in on purpose: what a finding of ``kind`` naming ``team`` should report.

    ``team`` is None for an org-wide problem. ``teams`` are every team the problem touches (a pooled asymmetry:
    its whole group). ``unobservable`` says why the walk cannot see it, when it cannot.
    """

    kind: str
    team: str | None
    detail: str
    teams: tuple[str, ...] = ()
    unobservable: str | None = None


@dataclass(frozen=True)
class OrgCase:
    """One generated organisation: every file the imports read, the plants and the confounders."""

    index: int
    seed: int
    now: datetime
    org: DemoOrg
    decisions: list[dict[str, object]]
    jira: dict[str, Any]
    plans: list[DemoPlan]
    pulses: str
    constraints: list[LogRow]
    calendars: dict[str, bytes]
    plants: list[Plant]
    confounders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)
    """Kinds asked for that no team here could take (too few teams, or no group to pool): reported, not planted."""


def build_case(
    index: int,
    seed: int,
    kinds: Sequence[str],
    *,
    groups: int,
    teams_per_group: int,
    noise: float,
    org_power_gap: bool,
    now: datetime,
    min_group_size: int = 5,
) -> OrgCase:
    """An organisation of ``groups`` x ``teams_per_group`` teams with one plant of each of ``kinds`` (each on its
    own team), the senior leaders not peers when ``org_power_gap``, and a confounder on about ``noise`` of the
    teams. ``min_group_size`` is the privacy gate's, to know which trust plants the walk can see."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    rng = random.Random(f"evaluate:{seed}")
    base = generate_org(seed, groups=groups, teams_per_group=teams_per_group, plant=False, org_power_gap=org_power_gap)
    people = {person["id"]: dict(person) for person in base.people}
    rows = {row["team"]: dict(row) for row in base.teams}
    names = [row["team"] for row in base.teams]
    engineering = {team: _engineering_people(people, team) for team in names}
    placed, group, unplaced = _place(kinds, names, _accountable_managers(base), engineering, rng, min_group_size)

    plants: list[Plant] = [Plant(POWER_GAP, None, "senior_leaders_not_peers")] if org_power_gap else []
    central = next(pid for pid, person in people.items() if person["title"] == _CENTRAL_PRODUCT_TITLE)
    for team, kind in placed.items():
        if kind in STRUCTURAL:
            detail = rng.choice(_STRUCTURAL_DETAILS[kind])
            _bend(people, rows[team], detail, central, rng)
            plants.append(Plant(kind, team, detail, (team,)))

    confounders = _confounders(names, placed, group, engineering, noise, rng, min_group_size)
    for team, names_of in confounders.items():
        if SMALL_TEAM in names_of:
            _shrink(people, rows[team], rng)

    org = DemoOrg(
        people=list(people.values()),
        teams=[rows[team] for team in names],
        planted=[],
        healthy_teams=list(names),
        seed=seed,
    )
    data = _Data.healthy(org, seed, now)
    pairs = _accountable_managers(org)
    for team, kind in placed.items():
        if kind in STRUCTURAL:
            continue
        fillers = sorted(t for t in pairs if t != team)
        rng.shuffle(fillers)
        planted = data.plant(org, team, kind, fillers, seed * 100 + len(plants), now)
        if planted is None:
            unplaced.append(kind)
        else:
            plants.append(Plant(planted.kind, team, planted.detail, (team,)))
    if group:
        asymmetry = data.plant_asymmetry(org, group, pairs, seed, now)
        if asymmetry is None:
            unplaced.append(TRUST_ASYMMETRY)
        else:
            plants.append(Plant(asymmetry.kind, asymmetry.team, asymmetry.detail, tuple(sorted(group))))

    data.confound(org, confounders, now, rng)
    plants = [replace(plant, unobservable=data.unobservable(plant, confounders, min_group_size)) for plant in plants]
    return OrgCase(
        index=index,
        seed=seed,
        now=now,
        org=org,
        decisions=data.decision_records(),
        jira=data.jira_export(),
        plans=[data.plans[team] for team in names if team in data.plans],
        pulses=data.pulses_csv(),
        constraints=data.constraint_rows(),
        calendars={calendar_file(team): data.calendars[team] for team in names if team in data.calendars},
        plants=plants,
        confounders={team: tuple(found) for team, found in confounders.items()},
        unplaced=unplaced,
    )


def calendar_file(team: str) -> str:
    """The file name the demo gives a team's calendar export: ``calendars/<team>.ics``."""
    return re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-") + ".ics"


# --- the org chart ---------------------------------------------------------------------------------------------


def _accountable_managers(org: DemoOrg) -> dict[str, str | None]:
    """Teams with two distinct leads of the right functions, and the accountable manager the walk will see."""
    snapshot = read_org(people_csv(org), "people.csv", teams_csv(org), "teams.csv").snapshot()
    functions = {person["id"]: person["function"] for person in org.people}
    pairs: dict[str, str | None] = {}
    for team in snapshot.teams:
        product, engineering = team.product_lead_id, team.engineering_lead_id
        if not product or not engineering or product == engineering:
            continue
        if functions.get(product) != "product" or functions.get(engineering) != "engineering":
            continue
        pairs[team.name] = counterpart_pair(snapshot, team).accountable_manager
    return pairs


def _engineering_people(people: dict[str, dict[str, str]], team: str) -> int:
    return sum(1 for person in people.values() if person["team"] == team and person["function"] == "engineering")


def _place(
    kinds: Sequence[str],
    names: list[str],
    managers: dict[str, str | None],
    engineering: dict[str, int],
    rng: random.Random,
    min_group_size: int,
) -> tuple[dict[str, str], tuple[str, ...], list[str]]:
    """Which team gets which kind (one each), the asymmetric group, and the kinds no team here can take.

    The asymmetry goes first (it needs a whole group of untouched teams), then the structural kinds (they change
    reporting lines), then the rest on any other team with both leads; a trust breakdown on a team large enough
    for the generator to break it."""
    placed: dict[str, str] = {}
    group: tuple[str, ...] = ()
    unplaced: list[str] = []
    order = sorted(kinds, key=lambda kind: (kind != TRUST_ASYMMETRY, kind not in STRUCTURAL))
    for kind in order:
        if kind == TRUST_ASYMMETRY:
            options = [] if group else _poolable_groups(names, managers, engineering, min_group_size)
            if options:
                group = rng.choice(options)
            else:
                unplaced.append(kind)
            continue
        eligible = [
            team
            for team in names
            if team not in placed
            and team not in group
            and managers.get(team) is not None
            and (kind != TRUST_BREAKDOWN or engineering[team] >= BREAKDOWN_MIN_ENGINEERS)
        ]
        if eligible:
            placed[rng.choice(eligible)] = kind
        else:
            unplaced.append(kind)
    return placed, group, unplaced


def _poolable_groups(
    names: list[str], managers: dict[str, str | None], engineering: dict[str, int], min_group_size: int
) -> list[tuple[str, ...]]:
    """Groups of teams under one accountable manager that the gate can show pooled: one product lead a team, so at
    least ``min_group_size`` teams, and one team with that many engineering people."""
    groups: dict[str, list[str]] = {}
    for team in names:
        manager = managers.get(team)
        if manager is not None:
            groups.setdefault(manager, []).append(team)
    return [
        tuple(teams)
        for _, teams in sorted(groups.items())
        if len(teams) >= min_group_size and any(engineering[team] >= min_group_size for team in teams)
    ]


def _remove(people: dict[str, dict[str, str]], person_id: str) -> None:
    """Someone leaves: their reports move up to their manager."""
    manager = people[person_id]["manager_id"]
    for person in people.values():
        if person["manager_id"] == person_id:
            person["manager_id"] = manager
    del people[person_id]


def _bend(
    people: dict[str, dict[str, str]], row: dict[str, str], detail: str, central_product: str, rng: random.Random
) -> None:
    """Plant a structural problem on a team, as the demo generator builds one."""
    product, engineering = row["product_lead"], row["engineering_lead"]
    if detail == "level_gap":
        product_level, engineering_level = rng.choice(_LEVEL_GAPS)
        people[product]["level"], people[engineering]["level"] = str(product_level), str(engineering_level)
    elif detail == "reports_to_counterpart":
        people[product]["level"], people[engineering]["level"] = "6", "5"
        people[engineering]["manager_id"] = product
    elif detail == "distant":  # the product lead reports through the central product chain, not the group
        people[product]["manager_id"] = central_product
    elif detail == "no_engineering_lead":
        _remove(people, engineering)
        row["engineering_lead"] = ""
    elif detail == "no_product_lead":
        _remove(people, product)
        row["product_lead"] = ""
    elif detail == "same_person_in_both_seats":
        _remove(people, product)
        row["product_lead"] = engineering
    else:
        raise ValueError(f"unknown structural detail: {detail}")


def _shrink(people: dict[str, dict[str, str]], row: dict[str, str], rng: random.Random) -> None:
    """A team of three or four: its two leads and one or two engineers."""
    leads = (row["product_lead"], row["engineering_lead"])
    members = sorted(pid for pid, person in people.items() if person["team"] == row["team"] and pid not in leads)
    engineers = [pid for pid in members if people[pid]["function"] == "engineering"]
    keep = set(rng.sample(engineers, min(len(engineers), rng.randint(1, 2))))
    for pid in members:
        if pid not in keep:
            _remove(people, pid)


def _confounders(
    names: list[str],
    placed: dict[str, str],
    group: tuple[str, ...],
    engineering: dict[str, int],
    noise: float,
    rng: random.Random,
    min_group_size: int,
) -> dict[str, list[str]]:
    """About ``noise`` of the teams get one confounder. A planted team can only lose data; the asymmetric group
    keeps its size and its pulses (the pooled figure it is planted in needs them)."""
    chosen: dict[str, list[str]] = {}
    for team in names:
        if rng.random() >= noise:
            continue
        if placed.get(team) == MISSING_COUNTERPART:
            continue  # no pair, so no data to lose
        options = list(_MISSING_DATA if team in placed else CONFOUNDERS)
        if team in group:
            options = [c for c in options if c not in (SMALL_TEAM, NO_PULSES, FEW_RESPONDENTS)]
        if engineering[team] < min_group_size:
            options = [c for c in options if c != FEW_RESPONDENTS]
        if options:
            chosen[team] = [rng.choice(options)]
    return chosen


# --- the generated data ----------------------------------------------------------------------------------------


def _search(
    attempt: Callable[[int, int], tuple[T, list[PlantedProblem]]],
    team: str,
    kind: str,
    seed: int,
    sizes: Sequence[int],
    learned: dict[int, set[str]],
) -> tuple[T, PlantedProblem] | None:
    """Call a generator with fresh seeds, on sub-organisations of one of ``sizes`` teams, until it plants ``kind``
    on ``team``; failing that, the first other plant it put there, or None.

    A generator plants a fixed sequence of kinds on as many of its candidates as it takes, in random order, so
    what a call of each size planted (``learned``, shared by the calls of one generator) tells which sizes can
    plant ``kind`` at all: the smallest of those is used, which wastes the fewest fillers' data."""
    fallback: tuple[T, PlantedProblem] | None = None
    for number in range(_ATTEMPTS):
        useful = [size for size in sizes if kind in learned.get(size, {kind})]
        known = [size for size in useful if size in learned]
        unknown = [size for size in useful if size not in learned]
        size = (known[:1] or unknown[:1] or [sizes[-1]])[0]
        output, planted = attempt(seed * 1000 + number, size)
        learned.setdefault(size, set()).update(problem.kind for problem in planted)
        got = next((problem for problem in planted if problem.team == team), None)
        if got is None:
            continue
        if got.kind == kind:
            return output, got
        fallback = fallback or (output, got)
    return fallback


def _sub(org: DemoOrg, teams: Iterable[str], healthy: Iterable[str] | None = None) -> DemoOrg:
    """The organisation with only ``teams`` (everyone stays, so reporting lines and managers are unchanged)."""
    wanted = list(dict.fromkeys(teams))
    keep = set(wanted)
    return replace(
        org,
        teams=[row for row in org.teams if row["team"] in keep],
        healthy_teams=list(healthy) if healthy is not None else wanted,
    )


def _by_team(items: Iterable[T], team_of: Callable[[T], str]) -> dict[str, list[T]]:
    grouped: dict[str, list[T]] = {}
    for item in items:
        grouped.setdefault(team_of(item), []).append(item)
    return grouped


def _record_team(record: dict[str, object]) -> str:
    return str(record["team"])


def _row_team(row: LogRow) -> str:
    return row.team


def _parse_pulses(text: str) -> tuple[list[str], dict[str, list[list[str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    column = header.index("team")
    return header, _by_team(reader, lambda row: row[column])


@dataclass
class _Data:
    """Every team's data, by team: first all healthy, then the plants and confounders replace a team's share."""

    project_keys: dict[str, str]
    decisions: dict[str, list[dict[str, object]]]
    jira_frame: dict[str, Any]
    issues: dict[str, list[dict[str, Any]]]
    plans: dict[str, DemoPlan]
    pulse_header: list[str]
    pulses: dict[str, list[list[str]]]
    constraints: dict[str, list[LogRow]]
    calendars: dict[str, bytes]
    learned: dict[str, dict[int, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    """Per generator, the kinds a call of each size planted (see ``_search``)."""

    @classmethod
    def healthy(cls, org: DemoOrg, seed: int, now: datetime) -> _Data:
        """One call of each generator that plants nothing: every team with both leads, healthy."""
        everyone = frozenset(row["team"] for row in org.teams)
        keys = {row["team"]: row["jira_projects"] for row in org.teams}
        decisions = generate_decisions(replace(org, healthy_teams=[]), seed, now=now)
        schedule = generate_schedule(org, seed, now=now, avoid=everyone)
        pulses = generate_pulses(org, seed, now=now, managers={}, avoid=everyone)
        board, board_plants = generate_constraints(org, seed, now=now, avoid=everyone)
        calendars = generate_calendars(org, seed, now=now, avoid=everyone)
        stray = [*decisions.planted, *schedule.planted, *pulses.planted, *board_plants, *calendars.planted]
        if stray:
            raise RuntimeError(f"a generator planted a problem where none was asked for: {stray[0]}")
        header, answers = _parse_pulses(pulses.csv)
        by_file = {calendar_file(team): team for team in everyone}
        by_key = {key: team for team, key in keys.items()}
        return cls(
            project_keys=keys,
            decisions=_by_team(decisions.records, _record_team),
            jira_frame={k: v for k, v in schedule.jira.items() if k != "issues"},
            issues=_by_team(schedule.jira["issues"], lambda issue: by_key[issue["fields"]["project"]["key"]]),
            plans={plan.team: plan for plan in schedule.plans},
            pulse_header=header,
            pulses=answers,
            constraints=_by_team(board, _row_team),
            calendars={by_file[name]: data for name, data in calendars.files.items()},
        )

    def plant(
        self, org: DemoOrg, team: str, kind: str, fillers: list[str], seed: int, now: datetime
    ) -> PlantedProblem | None:
        """Plant ``kind`` on ``team`` with the generator of its domain; the problem planted, or None."""
        if kind in DECISION_KINDS:
            return self._plant_decisions(org, team, kind, fillers, seed, now)
        if kind in SCHEDULE_KINDS:
            return self._plant_schedule(org, team, kind, fillers, seed, now)
        if kind == TRUST_BREAKDOWN:
            return self._plant_breakdown(org, team, seed, now)
        if kind == HIDDEN_CONSTRAINTS:
            return self._plant_constraints(org, team, kind, fillers, seed, now)
        if kind in CALENDAR_KINDS:
            return self._plant_calendar(org, team, kind, fillers, seed, now)
        raise ValueError(f"not a kind planted through a generator: {kind}")

    def _plant_decisions(
        self, org: DemoOrg, team: str, kind: str, fillers: list[str], seed: int, now: datetime
    ) -> PlantedProblem | None:
        def attempt(attempt_seed: int, size: int) -> tuple[list[dict[str, object]], list[PlantedProblem]]:
            chosen = [team, *fillers[: size - 1]]
            reserve = fillers[size - 1 : size + 1]  # the generator always leaves two teams healthy
            out = generate_decisions(_sub(org, [*chosen, *reserve], healthy=chosen), attempt_seed, now=now)
            return [r for r in out.records if r["team"] == team], out.planted

        found = _search(attempt, team, kind, seed, (1, 2, 3, 4, 5, 6), self.learned["decisions"])
        if found is None:
            return None
        self.decisions[team] = found[0]
        return found[1]

    def _plant_schedule(
        self, org: DemoOrg, team: str, kind: str, fillers: list[str], seed: int, now: datetime
    ) -> PlantedProblem | None:
        key = self.project_keys[team]

        def attempt(attempt_seed: int, size: int) -> tuple[tuple[list[dict[str, Any]], DemoPlan], list[PlantedProblem]]:
            out = generate_schedule(_sub(org, [team, *fillers[: size - 1]]), attempt_seed, now=now)
            issues = [issue for issue in out.jira["issues"] if issue["fields"]["project"]["key"] == key]
            plan = next(plan for plan in out.plans if plan.team == team)
            return (issues, plan), out.planted

        found = _search(attempt, team, kind, seed, (3, 4, 5), self.learned["schedule"])  # it keeps two healthy
        if found is None:
            return None
        self.issues[team], self.plans[team] = found[0]
        return found[1]

    def _plant_breakdown(self, org: DemoOrg, team: str, seed: int, now: datetime) -> PlantedProblem | None:
        def attempt(attempt_seed: int, size: int) -> tuple[list[list[str]], list[PlantedProblem]]:
            del size
            out = generate_pulses(_sub(org, [team]), attempt_seed, now=now, managers={}, avoid=frozenset())
            return _parse_pulses(out.csv)[1].get(team, []), out.planted

        found = _search(attempt, team, TRUST_BREAKDOWN, seed, (1,), self.learned["trust"])
        if found is None:
            return None
        self.pulses[team] = found[0]
        return found[1]

    def _plant_constraints(
        self, org: DemoOrg, team: str, kind: str, fillers: list[str], seed: int, now: datetime
    ) -> PlantedProblem | None:
        def attempt(attempt_seed: int, size: int) -> tuple[list[LogRow], list[PlantedProblem]]:
            rows, planted = generate_constraints(
                _sub(org, [team, *fillers[: size - 1]]), attempt_seed, now=now, avoid=frozenset()
            )
            return [row for row in rows if row.team == team], planted

        found = _search(attempt, team, kind, seed, (2, 1), self.learned["constraints"])  # two: either problem
        if found is None:
            return None
        self.constraints[team] = found[0]
        return found[1]

    def _plant_calendar(
        self, org: DemoOrg, team: str, kind: str, fillers: list[str], seed: int, now: datetime
    ) -> PlantedProblem | None:
        def attempt(attempt_seed: int, size: int) -> tuple[bytes, list[PlantedProblem]]:
            out = generate_calendars(_sub(org, [team, *fillers[: size - 1]]), attempt_seed, now=now, avoid=frozenset())
            return out.files[calendar_file(team)], out.planted

        found = _search(attempt, team, kind, seed, (1, 2, 3), self.learned["calendars"])
        if found is None:
            return None
        self.calendars[team] = found[0]
        return found[1]

    def plant_asymmetry(
        self, org: DemoOrg, group: tuple[str, ...], managers: dict[str, str | None], seed: int, now: datetime
    ) -> PlantedProblem | None:
        """Every team of ``group`` answers as an asymmetric group under its accountable manager."""
        out = generate_pulses(
            _sub(org, group),
            seed,
            now=now,
            managers={team: managers.get(team) for team in group},
            avoid=frozenset(group),
        )
        planted = next((problem for problem in out.planted if problem.kind == TRUST_ASYMMETRY), None)
        if planted is None:
            return None
        answers = _parse_pulses(out.csv)[1]
        for team in group:
            self.pulses[team] = answers.get(team, [])
        return planted

    def confound(self, org: DemoOrg, confounders: dict[str, list[str]], now: datetime, rng: random.Random) -> None:
        """Take away or bend each confounded team's data (a small team was already shrunk in the org)."""
        people = {person["id"]: person for person in org.people}
        rows = {row["team"]: row for row in org.teams}
        for team, names in confounders.items():
            for name in names:
                if name == NO_CALENDAR:
                    self.calendars.pop(team, None)
                elif name == NO_TRACKER:
                    self.issues[team] = []
                elif name == NO_PULSES:
                    self.pulses[team] = []
                elif name == FEW_RESPONDENTS:
                    self.pulses[team] = _few_respondents(self.pulse_header, self.pulses.get(team, []), rng)
                elif name == NEAR_OVERDUE_DECISION:
                    self.decisions[team] = [*self.decisions.get(team, []), *_near_overdue(self.decisions, team, now)]
                elif name == NEAR_ONE_SIDED_CONSTRAINTS:
                    product = rows[team]["product_lead"]
                    self.constraints[team] = _near_one_sided(self.constraints.get(team, []), product, people)
                elif name == NEAR_SLOW_ACKNOWLEDGEMENT:
                    self.constraints[team] = [_late_acknowledgement(row) for row in self.constraints.get(team, [])]

    def respondents(self, team: str, function: str) -> int:
        column, by = self.pulse_header.index("function"), self.pulse_header.index("respondent")
        return len({row[by] for row in self.pulses.get(team, []) if row[column] == function})

    def unobservable(self, plant: Plant, confounders: dict[str, list[str]], min_group_size: int) -> str | None:
        """Why the walk cannot see ``plant`` in this data, or None when it can."""
        if plant.team is None:
            return None
        around = confounders.get(plant.team, [])
        if plant.kind in CALENDAR_KINDS and plant.team not in self.calendars:
            return "no calendar imported"
        if plant.kind == SILOED_SCHEDULE and NO_TRACKER in around:
            return "no tracker history imported"
        if plant.kind == TRUST_BREAKDOWN and NO_PULSES in around:
            return "no pulse answers imported"
        if plant.kind == TRUST_BREAKDOWN:
            answered = self.respondents(plant.team, "engineering")
            if answered < min_group_size:
                return f"{answered} engineering respondents; the privacy gate shows nothing under {min_group_size}"
        return None

    def decision_records(self) -> list[dict[str, object]]:
        records = [record for team in sorted(self.decisions) for record in self.decisions[team]]
        return sorted(records, key=lambda r: (str(r["opened_at"]), str(r["team"]), str(r["title"])))

    def jira_export(self) -> dict[str, Any]:
        issues = [issue for team in sorted(self.issues) for issue in self.issues[team]]
        return {**self.jira_frame, "maxResults": len(issues), "total": len(issues), "issues": issues}

    def pulses_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.pulse_header)
        for team in sorted(self.pulses):
            writer.writerows(self.pulses[team])
        return buffer.getvalue()

    def constraint_rows(self) -> list[LogRow]:
        rows = [row for team in sorted(self.constraints) for row in self.constraints[team]]
        return sorted(rows, key=lambda row: (str(row.posted_at), row.team, row.by))


def _few_respondents(header: list[str], rows: list[list[str]], rng: random.Random) -> list[list[str]]:
    """Only three or four of the team's engineering people answer (the product side is one lead anyway)."""
    function, respondent = header.index("function"), header.index("respondent")
    engineers = sorted({row[respondent] for row in rows if row[function] == "engineering"})
    keep = set(rng.sample(engineers, min(len(engineers), rng.randint(3, 4))))
    return [row for row in rows if row[function] != "engineering" or row[respondent] in keep]


def _near_overdue(decisions: dict[str, list[dict[str, object]]], team: str, now: datetime) -> list[dict[str, object]]:
    """One decision still open a few working days past its time-box, fewer than paralysis needs."""
    history = decisions.get(team, [])
    if not history:
        return []
    template = history[0]
    opened = add_working_days(datetime.combine(now.date(), time(10), UTC), -(5 + _NEAR_OVERDUE_WORKING_DAYS))
    decide_by = add_working_days(opened, 5)
    return [
        {
            **template,
            "title": f"Revisit: {template['title']}",
            "opened_at": opened.isoformat(),
            "decide_by": decide_by.isoformat(),
            "signoffs": [],
            "escalated_at": None,
            "decided_at": None,
            "decided_by": None,
            "chosen_option": None,
            "closed_at": None,
        }
    ]


def _near_one_sided(rows: list[LogRow], product_lead: str, people: dict[str, dict[str, str]]) -> list[LogRow]:
    """Product posts nothing and engineering two: one-sided, but below the threshold."""
    engineering = [
        row for row in rows if row.by != product_lead and people.get(row.by, {}).get("function") == "engineering"
    ]
    return sorted(engineering, key=lambda row: str(row.posted_at))[:_NEAR_ONE_SIDED_POSTS]


def _late_acknowledgement(row: LogRow) -> LogRow:
    """Acknowledged two working days after posting (the evening): slower than usual, below the threshold."""
    if row.acknowledged_at is None or not isinstance(row.posted_at, datetime):
        return row
    acknowledged = datetime.combine(
        add_working_days(row.posted_at, _NEAR_ACKNOWLEDGEMENT_WORKING_DAYS).date(), time(18, 30), UTC
    )
    resolved = row.resolved_at
    if isinstance(resolved, datetime) and resolved <= acknowledged:
        resolved = acknowledged + timedelta(days=1)
    return replace(row, acknowledged_at=acknowledged, resolved_at=resolved)
