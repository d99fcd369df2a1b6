"""A seeded year of decisions for the demo org, with decision problems planted in it, and the ground truth.

Pure: the same org, seed and ``now`` give the same records, and nothing touches a database. Every team with
both leads gets decisions; six of the org's structurally healthy teams get one decision problem each (two of
each kind), the rest stay clearly healthy so that the walk must find exactly what was planted:

- healthy: most decisions agreed inside their five-working-day time-box; disagreements either conceded
  (disagree and commit) or, once both leads have signed different options, escalated and decided by the
  accountable manager within a working day; the winners of disagreements alternate between the functions;
- ``decision_paralysis``: ``overdue`` (slow history and several decisions left open 10+ working days past their
  decide-by) or ``unanswered_escalation`` (escalations left waiting about eight working days);
- ``one_sided_decisions``: every disagreement goes the same way, product's in one team, engineering's in another;
- ``factor_blind_spot``: the engineering lead never scores user experience in one team, the product lead always
  scores future maintainability 0 in another.

Records are in the decisions import format: times are ISO 8601 strings in UTC, ``by`` fields are person ids.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import cycle

import numpy as np

from tandem.decisions.facts import Factor, Stance
from tandem.demo.generator import DemoOrg, PlantedProblem, people_csv, teams_csv
from tandem.org.analysis import counterpart_pair
from tandem.org.importer import read_org
from tandem.workdays import add_working_days

DECISION_PARALYSIS = "decision_paralysis"
ONE_SIDED_DECISIONS = "one_sided_decisions"
FACTOR_BLIND_SPOT = "factor_blind_spot"

OVERDUE = "overdue"
UNANSWERED_ESCALATION = "unanswered_escalation"
PRODUCT_WINS = "product_wins"
ENGINEERING_WINS = "engineering_wins"
NEVER_SCORES = "engineering_never_scores_user_experience"
ALWAYS_ZERO = "product_always_scores_future_maintainability_0"

_PLANTS: tuple[tuple[str, str], ...] = (
    (DECISION_PARALYSIS, OVERDUE),
    (ONE_SIDED_DECISIONS, PRODUCT_WINS),
    (FACTOR_BLIND_SPOT, NEVER_SCORES),
    (DECISION_PARALYSIS, UNANSWERED_ESCALATION),
    (ONE_SIDED_DECISIONS, ENGINEERING_WINS),
    (FACTOR_BLIND_SPOT, ALWAYS_ZERO),
)

TIMEBOX_WORKING_DAYS = 5
_YEAR_WORKING_DAYS = 255
_HEALTHY_RESERVE = 2
"""Teams with decisions never planted, so that even a tiny org shows healthy ones beside the problems."""
_SETTLED_WORKING_DAYS = 12
"""History decisions open at least this long before ``now``, so that they are settled by then."""

_TEMPLATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Ship offline mode behind a flag or wait for sync rewrite", ("Ship behind a flag", "Wait for the rewrite")),
    ("Build bulk export in-house or buy a vendor tool", ("Build in-house", "Buy the vendor tool", "Defer a quarter")),
    ("Drop support for the legacy mobile app version", ("Drop it now", "Drop it next quarter", "Keep it")),
    ("Launch the redesign to everyone or to 10% first", ("Everyone at once", "10% first", "Internal users first")),
    ("Rewrite the reporting queries or add a cache", ("Rewrite the queries", "Add a cache")),
    ("Split the monolith's billing module now or after the holiday freeze", ("Now", "After the freeze")),
    ("Adopt the new design system components this quarter", ("Adopt this quarter", "Adopt piecemeal", "Not yet")),
    ("Keep the manual review step in onboarding", ("Keep it", "Automate it", "Sample 10% manually")),
    ("Cut scope or move the launch date", ("Cut scope", "Move the date")),
    ("Migrate to the managed queue service", ("Migrate now", "Migrate after the audit", "Stay self-hosted")),
    ("Make two-factor sign-in mandatory for admins", ("Mandatory now", "Opt-in with nudges")),
    ("Pause feature work for a reliability sprint", ("Pause for a sprint", "Reserve 20% each sprint")),
    ("Price the new tier per seat or per usage", ("Per seat", "Per usage", "Flat fee")),
    ("Rebuild search indexing or tune the current cluster", ("Rebuild", "Tune the cluster")),
    ("Expose the public API before the partner launch", ("Before the launch", "After the launch")),
    ("Run the pricing experiment for two weeks or four", ("Two weeks", "Four weeks")),
    ("Replace the homegrown feature flags with a service", ("Replace them", "Keep and extend them")),
    ("Support dark mode in the first release", ("In the first release", "In a follow-up")),
    ("Deprecate the v1 webhooks this year", ("This year", "Next year", "Keep both")),
    ("Hire a contractor for the Android backlog", ("Hire a contractor", "Move an engineer", "Wait")),
    ("Localise into German and French before launch", ("Both before launch", "German first", "After launch")),
    ("Store audit events in the warehouse or the main database", ("Warehouse", "Main database")),
    ("Turn on automatic retries for failed payouts", ("Turn them on", "Manual retries only")),
    ("Ship the onboarding checklist without analytics", ("Ship without", "Wait for analytics")),
    ("Move the nightly batch jobs to streaming", ("Move to streaming", "Keep the batch", "Hybrid")),
    ("Freeze the schema for the partner integration", ("Freeze it", "Version it")),
    ("Add a beta label or hold the feature back", ("Beta label", "Hold it back")),
    ("Invest in end-to-end tests or in canary releases", ("End-to-end tests", "Canary releases")),
    ("Let customers self-serve refunds under 50 euros", ("Self-serve", "Support team only")),
    ("Consolidate the three notification services", ("Consolidate now", "Consolidate two", "Leave as is")),
    ("Raise the rate limits for enterprise accounts", ("Raise them", "Offer a paid add-on")),
    ("Switch the mobile apps to a shared codebase", ("Shared codebase", "Stay native")),
    ("Sunset the CSV importer in favour of the API", ("Sunset it", "Keep it for small customers")),
    ("Take on the accessibility audit findings this quarter", ("All this quarter", "Critical ones only")),
)


@dataclass(frozen=True)
class DemoDecisions:
    """Decision records in the import format, and what is (and is not) wrong with them."""

    records: list[dict[str, object]]
    planted: list[PlantedProblem]
    healthy_teams: list[str]


@dataclass(frozen=True)
class _Pair:
    team: str
    product: str
    engineering: str
    manager: str | None


def _pairs(org: DemoOrg) -> list[_Pair]:
    """Teams with two distinct leads of the right functions, with the accountable manager the analysis sees."""
    snapshot = read_org(people_csv(org), "people.csv", teams_csv(org), "teams.csv").snapshot()
    functions = {person["id"]: person["function"] for person in org.people}
    pairs = []
    for team in snapshot.teams:
        product, engineering = team.product_lead_id, team.engineering_lead_id
        if not product or not engineering or product == engineering:
            continue
        if functions.get(product) != "product" or functions.get(engineering) != "engineering":
            continue
        pairs.append(_Pair(team.name, product, engineering, counterpart_pair(snapshot, team).accountable_manager))
    return pairs


@dataclass
class _Decision:
    """One decision's full story, before cutting off whatever happens after ``now``."""

    team: str
    title: str
    options: list[str]
    opened_at: datetime
    scores: list[dict[str, object]] = field(default_factory=list)
    preferences: dict[str, str] = field(default_factory=dict)
    signoffs: list[tuple[str, datetime, str, Stance]] = field(default_factory=list)
    escalated_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    chosen_option: str | None = None
    closed_at: datetime | None = None

    @property
    def decide_by(self) -> datetime:
        return add_working_days(self.opened_at, TIMEBOX_WORKING_DAYS)

    def record(self, now: datetime) -> dict[str, object]:
        """The import record as of ``now``: events after it have not happened yet."""
        decided = self.decided_at is not None and self.decided_at <= now

        def seen(moment: datetime | None) -> str | None:
            return _iso(moment) if moment is not None and moment <= now else None

        return {
            "team": self.team,
            "title": self.title,
            "opened_at": _iso(self.opened_at),
            "decide_by": _iso(self.decide_by),
            "options": list(self.options),
            "scores": self.scores,
            "preferences": [{"by": by, "option": option} for by, option in self.preferences.items()],
            "signoffs": [
                {"by": by, "at": _iso(at), "option": option, "stance": stance.value}
                for by, at, option, stance in self.signoffs
                if at <= now
            ],
            "escalated_at": seen(self.escalated_at),
            "decided_at": seen(self.decided_at),
            "decided_by": self.decided_by if decided else None,
            "chosen_option": self.chosen_option if decided else None,
            "closed_at": seen(self.closed_at) if decided else None,
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _clock(rng: random.Random) -> time:
    """A time in office hours, to the quarter hour."""
    return time(rng.randint(9, 16), rng.choice((0, 15, 30, 45)), tzinfo=UTC)


def _working_day(day: date, offset: int) -> date:
    rolled: date = np.busday_offset(np.datetime64(day, "D"), offset, roll="backward").astype(date)
    return rolled


def _after(start: datetime, working_days: int, rng: random.Random) -> datetime:
    """Some office hour ``working_days`` after ``start``; with 0, later the same day or early the next."""
    if working_days > 0:
        return datetime.combine(_working_day(start.date(), working_days), _clock(rng))
    later = start + timedelta(minutes=rng.randint(30, 180))
    if later.hour >= 18 or later.date() != start.date():
        morning = time(rng.randint(9, 10), rng.choice((0, 15, 30, 45)), tzinfo=UTC)
        return datetime.combine(_working_day(start.date(), 1), morning)
    return later


def _lead_scores(
    rng: random.Random,
    options: list[str],
    preferred: str,
    *,
    skip: frozenset[Factor] = frozenset(),
    zero: frozenset[Factor] = frozenset(),
) -> dict[str, dict[Factor, int]]:
    """One lead's -2..2 scores, option by factor, with ``preferred`` strictly the highest total."""
    free = [factor for factor in Factor if factor not in skip and factor not in zero]
    scores = {
        option: {factor: (0 if factor in zero else rng.randint(-2, 2)) for factor in Factor if factor not in skip}
        for option in options
    }

    def total(option: str) -> int:
        return sum(scores[option].values())

    while True:
        rival = max((option for option in options if option != preferred), key=total)
        if total(preferred) > total(rival):
            return scores
        raisable = [factor for factor in free if scores[preferred][factor] < 2]
        if raisable:
            scores[preferred][rng.choice(raisable)] += 1
        else:
            scores[rival][rng.choice([factor for factor in free if scores[rival][factor] > -2])] -= 1


class _TeamWriter:
    """Writes one team's decisions, bent by its planted problem (None: healthy)."""

    def __init__(self, pair: _Pair, plant: str | None, rng: random.Random, now: datetime) -> None:
        self.pair, self.plant, self.rng, self.now = pair, plant, rng, now
        self.decisions: list[_Decision] = []
        self.titles = rng.sample(_TEMPLATES, len(_TEMPLATES))
        self.next_winner = {
            flow: rng.choice(("product", "engineering")) for flow in ("conceded", "escalated", "imposed")
        }

    def lead(self, function: str) -> str:
        return self.pair.product if function == "product" else self.pair.engineering

    def winner(self, flow: str) -> str:
        """Whose preference wins the next disagreement: always the same side when one-sided, else alternating.

        Alternating per flow keeps each flow balanced by itself, so the team stays balanced even for a reader
        who takes a disagree-and-commit sign-off for a preference (and so sees no disagreement there).
        """
        if self.plant == PRODUCT_WINS:
            return "product"
        if self.plant == ENGINEERING_WINS:
            return "engineering"
        winner = self.next_winner[flow]
        self.next_winner[flow] = "engineering" if winner == "product" else "product"
        return winner

    def disagree(self, decision: _Decision, picks: dict[str, str], first_after: int) -> datetime:
        """Both leads sign off on their own, different options (the decision is contested); returns when."""
        rng = self.rng
        order = rng.sample(("product", "engineering"), 2)
        first = _after(decision.opened_at, first_after, rng)
        second = _after(first, 0, rng)
        decision.signoffs = [
            (self.lead(order[0]), first, picks[order[0]], Stance.AGREE),
            (self.lead(order[1]), second, picks[order[1]], Stance.AGREE),
        ]
        return second

    def opened(self, working_days_ago: int) -> datetime:
        return datetime.combine(_working_day(self.now.date(), -working_days_ago), _clock(self.rng))

    def new(self, working_days_ago: int, *, contested: bool) -> tuple[_Decision, str, str]:
        """A scored decision; returns it with the product and engineering leads' preferred options."""
        rng = self.rng
        title, options = self.titles[len(self.decisions) % len(self.titles)]
        chosen = list(options) if len(options) == 2 else rng.sample(options, rng.choice((2, 3)))
        decision = _Decision(self.pair.team, title, chosen, self.opened(working_days_ago))
        product_pick = rng.choice(chosen)
        engineering_pick = rng.choice([o for o in chosen if o != product_pick]) if contested else product_pick
        picks = {"product": product_pick, "engineering": engineering_pick}
        for function, pick in picks.items():
            skip = (
                frozenset({Factor.USER_EXPERIENCE})
                if self.plant == NEVER_SCORES and function == "engineering"
                else None
            )
            zero = (
                frozenset({Factor.FUTURE_MAINTAINABILITY})
                if self.plant == ALWAYS_ZERO and function == "product"
                else None
            )
            by = self.lead(function)
            scores = _lead_scores(rng, chosen, pick, skip=skip or frozenset(), zero=zero or frozenset())
            decision.scores += [
                {"by": by, "option": option, "factor": factor.value, "score": score}
                for option in chosen
                for factor, score in scores[option].items()
            ]
            decision.preferences[by] = pick
        self.decisions.append(decision)
        return decision, product_pick, engineering_pick

    def close_later(self, decision: _Decision) -> None:
        if decision.decided_at is not None and self.rng.random() < 0.6:
            decision.closed_at = _after(decision.decided_at, self.rng.randint(5, 30), self.rng)

    def agreed(self, working_days_ago: int, *, slow: bool = False) -> None:
        """Both leads sign off on the same option: inside the time-box, or well past it when ``slow``."""
        rng = self.rng
        decision, option, _ = self.new(working_days_ago, contested=False)
        first = _after(decision.opened_at, rng.randint(3, 5) if slow else rng.randint(0, 1), rng)
        second = _after(first, rng.randint(3, 6) if slow else rng.randint(0, 2), rng)
        leads = rng.sample((self.pair.product, self.pair.engineering), 2)
        decision.signoffs = [(leads[0], first, option, Stance.AGREE), (leads[1], second, option, Stance.AGREE)]
        decision.decided_at, decision.chosen_option = second, option
        self.close_later(decision)

    def conceded(self, working_days_ago: int, *, slow: bool = False) -> None:
        """The leads disagree; the loser disagrees and commits to the winner's option."""
        rng = self.rng
        decision, product_pick, engineering_pick = self.new(working_days_ago, contested=True)
        winner = self.winner("conceded")
        loser = "engineering" if winner == "product" else "product"
        option = product_pick if winner == "product" else engineering_pick
        first = _after(decision.opened_at, rng.randint(3, 5) if slow else rng.randint(0, 1), rng)
        second = _after(first, rng.randint(3, 6) if slow else rng.randint(0, 2), rng)
        decision.signoffs = [
            (self.lead(winner), first, option, Stance.AGREE),
            (self.lead(loser), second, option, Stance.DISAGREE_AND_COMMIT),
        ]
        decision.decided_at, decision.chosen_option = second, option
        self.close_later(decision)

    def escalated(self, working_days_ago: int, *, wait: int = 0) -> None:
        """The leads sign different options and escalate; the accountable manager sides with the winner.

        The manager answers ``wait`` working days after the escalation (0: within the working day).
        """
        rng = self.rng
        decision, product_pick, engineering_pick = self.new(working_days_ago, contested=True)
        winner = self.winner("escalated")
        contested = self.disagree(
            decision, {"product": product_pick, "engineering": engineering_pick}, rng.randint(0, 1)
        )
        decision.escalated_at = _after(contested, 0, rng)
        decision.decided_at = _after(decision.escalated_at, wait, rng)
        decision.decided_by = self.pair.manager
        decision.chosen_option = product_pick if winner == "product" else engineering_pick
        self.close_later(decision)

    def imposed(self, working_days_ago: int) -> None:
        """The leads disagree and the same side always gets its way: the other lead disagrees and commits."""
        rng = self.rng
        decision, product_pick, engineering_pick = self.new(working_days_ago, contested=True)
        winner = self.winner("imposed")
        loser = "engineering" if winner == "product" else "product"
        option = product_pick if winner == "product" else engineering_pick
        first = _after(decision.opened_at, rng.randint(0, 1), rng)
        second = _after(first, rng.randint(0, 2), rng)
        decision.signoffs = [
            (self.lead(winner), first, option, Stance.AGREE),
            (self.lead(loser), second, option, Stance.DISAGREE_AND_COMMIT),
        ]
        decision.decided_at, decision.chosen_option = second, option
        self.close_later(decision)

    def stuck(self, working_days_ago: int) -> None:
        """Opened long ago and never settled: the leads disagree (or one never signs) and nobody escalates."""
        rng = self.rng
        contested = rng.random() < 0.7
        decision, product_pick, engineering_pick = self.new(working_days_ago, contested=contested)
        if contested:
            self.disagree(decision, {"product": product_pick, "engineering": engineering_pick}, rng.randint(0, 2))
        else:
            signed = _after(decision.opened_at, rng.randint(0, 2), rng)
            decision.signoffs = [(self.pair.product, signed, product_pick, Stance.AGREE)]

    def left_waiting(self, working_days_ago: int) -> None:
        """The leads sign different options and escalate, and the accountable manager has not answered since."""
        decision, product_pick, engineering_pick = self.new(working_days_ago, contested=True)
        contested = self.disagree(decision, {"product": product_pick, "engineering": engineering_pick}, 0)
        decision.escalated_at = _after(contested, 0, self.rng)

    def healthy(self, working_days_ago: int) -> None:
        """One decision the way a healthy pair makes it; settled inside its time-box."""
        roll = self.rng.random()
        if roll < 0.55 or self.pair.manager is None:
            self.agreed(working_days_ago)
        elif roll < 0.75:
            self.conceded(working_days_ago)
        else:
            self.escalated(working_days_ago)

    def write(self) -> list[_Decision]:
        rng = self.rng
        count = rng.randint(10, 16)
        days = sorted(rng.sample(range(_SETTLED_WORKING_DAYS, _YEAR_WORKING_DAYS), count), reverse=True)
        if self.plant == OVERDUE:
            for day in sorted(rng.sample(range(36, _YEAR_WORKING_DAYS), count), reverse=True):
                if rng.random() < 0.6:
                    self.agreed(day, slow=True)
                else:
                    self.conceded(day, slow=True)
            for day in sorted(rng.sample(range(16, 31), rng.randint(3, 4)), reverse=True):
                self.stuck(day)
        elif self.plant == UNANSWERED_ESCALATION:
            for index, day in enumerate(days):
                if index % 3 == 0:
                    self.escalated(day, wait=rng.randint(6, 9))
                else:
                    self.agreed(day)
            for _ in range(2):  # escalated within a day or two of opening, about eight working days before ``now``
                self.left_waiting(9)
        elif self.plant in (PRODUCT_WINS, ENGINEERING_WINS):
            contested = set(rng.sample(range(count), rng.randint(7, 9)))
            # Mostly open disagreements (different sign-offs), one in four conceded: at least six of each kind.
            flows = cycle((self.escalated, self.imposed, self.escalated, self.conceded))
            for index, day in enumerate(days):
                if index in contested:
                    next(flows)(day)
                else:
                    self.agreed(day)
        else:
            for day in days:
                self.healthy(day)
            if rng.random() < 0.4:  # one still in flight at ``now``, well inside its time-box
                self.healthy(rng.randint(1, 3))
        return self.decisions


def generate_decisions(org: DemoOrg, seed: int = 7, *, now: datetime) -> DemoDecisions:
    """A year of decisions (ending at ``now``) for ``org``'s teams with both leads; the same inputs, the same output.

    A naive ``now`` is taken as UTC. Problems are planted on six distinct teams of ``org.healthy_teams`` (fewer
    when the org has fewer, and always leaving two teams with decisions healthy), so that no decision problem
    overlaps a structural one.
    """
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    rng = random.Random(seed)
    pairs = _pairs(org)
    by_team = {pair.team: pair for pair in pairs}
    candidates = [team for team in org.healthy_teams if team in by_team and by_team[team].manager is not None]
    chosen = rng.sample(candidates, max(0, min(len(_PLANTS), len(candidates), len(pairs) - _HEALTHY_RESERVE)))
    plants = dict(zip(chosen, _PLANTS, strict=False))

    decisions: list[_Decision] = []
    for pair in pairs:
        plant = plants[pair.team][1] if pair.team in plants else None
        decisions += _TeamWriter(pair, plant, random.Random(f"{seed}:{pair.team}"), now).write()
    decisions.sort(key=lambda d: (d.opened_at, d.team, d.title))
    return DemoDecisions(
        records=[decision.record(now) for decision in decisions],
        planted=[PlantedProblem(kind, team, detail) for team, (kind, detail) in plants.items()],
        healthy_teams=[pair.team for pair in pairs if pair.team not in plants],
    )
