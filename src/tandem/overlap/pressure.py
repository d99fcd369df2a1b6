"""How a team holds together under pressure: its behaviour inside pressure periods against its own baseline.

Pure functions over ``PressureFacts``, no database.

**Pressure periods** (per team, merged where they overlap): the ``pressure_before_commitment_working_days``
working days up to a committed date (a commitment revision both leads signed), and the
``pressure_after_event_working_days`` working days after a scope cut or a slip (a commitment revision with less
scope or a later date than the one before it) or an incident (an incident review). Everything else in the last
``pressure_window_days`` is the team's baseline.

**Measures**, each a comparison of the team inside pressure with the same team outside it:

- ``unilateral_changes``: the share of schedule changes one function made alone (as the siloed-schedule detector
  judges them); worse when higher;
- ``escalations``: the share of decisions opened that were escalated to the accountable manager; worse when higher;
- ``joint_rituals``: the share of rituals with product and engineering both present; worse when lower;
- ``trust``: the mean trust index of the respondents of the team's closed pulses that opened inside pressure
  against those outside; worse when lower. Both figures are admitted together through the trust privacy gate
  after every figure the trust pages show, so a team too small to release them has no trust measure.

**The test.** A share is compared with the two-proportion z-test (pooled variance, two-sided), only when each side
has at least ``fracture_min_sample`` events; trust with Welch's t-test (two-sided). A team *fractures* when at
least one measure moved the wrong way, significantly at ``fracture_alpha`` divided by the number of measures the
team has (Bonferroni: the family-wise error stays at ``fracture_alpha`` however many measures are tested), and
markedly: a share by at least ``fracture_min_share_change``, trust by at least ``fracture_min_trust_drop``.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from tandem.config import Thresholds
from tandem.memo import remember_last
from tandem.overlap.analysis import both_present
from tandem.overlap.facts import PressureFacts, RitualKind, TeamEvent
from tandem.schedule.analysis import changes_made_alone
from tandem.schedule.facts import RevisionFacts
from tandem.trust import analysis as trust_analysis
from tandem.trust.facts import TrustThresholds
from tandem.trust.privacy import Slice
from tandem.trust.stats import welch
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, finding_id, worst_first
from tandem.workdays import add_working_days

PRESSURE_KINDS = ("committed_date", "scope_cut", "slip", "incident")
MEASURES = {
    "schedule_change": ("unilateral_changes", "higher"),
    "decision": ("escalations", "higher"),
    "ritual": ("joint_rituals", "lower"),
}
"""Event kind -> (the measure its flag feeds, the direction that is worse under pressure)."""
COMMITTED_TIME = time(17)
"""A committed date is due at the end of its working day (UTC)."""


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    reasons: tuple[str, ...]


def two_proportion_test(hits_a: int, n_a: int, hits_b: int, n_b: int) -> tuple[float, float]:
    """(z, two-sided p) of the pooled two-proportion z-test of ``hits_a / n_a`` against ``hits_b / n_b``.

    With no variance at all (both shares 0 or both 1) there is no evidence of a difference: z 0, p 1.
    """
    if n_a <= 0 or n_b <= 0:
        raise ValueError("two_proportion_test: both groups need at least one event")
    pooled = (hits_a + hits_b) / (n_a + n_b)
    variance = pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b)
    if variance <= 0.0:
        return 0.0, 1.0
    z = (hits_a / n_a - hits_b / n_b) / math.sqrt(variance)
    return z, math.erfc(abs(z) / math.sqrt(2.0))


def _as_moment(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def pressure_periods(events: Sequence[TeamEvent], thresholds: Thresholds) -> dict[str, list[Period]]:
    """Each team's pressure periods, merged and in order (see the module docstring)."""
    raw: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for event in events:
        if event.kind not in PRESSURE_KINDS:
            continue
        at = _as_moment(event.at)
        if event.kind == "committed_date":
            start = add_working_days(at, -thresholds.pressure_before_commitment_working_days)
            raw[event.team].append((start, at, event.kind))
        else:
            raw[event.team].append((at, add_working_days(at, thresholds.pressure_after_event_working_days), event.kind))
    merged: dict[str, list[Period]] = {}
    for team, spans in raw.items():
        periods: list[Period] = []
        for start, end, reason in sorted(spans):
            if periods and start <= periods[-1].end:
                last = periods[-1]
                reasons = last.reasons if reason in last.reasons else (*last.reasons, reason)
                periods[-1] = Period(last.start, max(last.end, end), reasons)
            else:
                periods.append(Period(start, end, (reason,)))
        merged[team] = periods
    return merged


def under_pressure(periods: Sequence[Period], at: datetime, starts: Sequence[datetime] | None = None) -> bool:
    """Whether ``at`` falls in one of a team's (merged, ordered) periods, ends included (``starts``: the periods'
    starts, when the caller asks of many moments)."""
    starts = starts if starts is not None else [p.start for p in periods]
    index = bisect.bisect_right(starts, at) - 1
    return index >= 0 and at <= periods[index].end


@dataclass
class Measure:
    """One measure's comparison: the figures inside and outside pressure, and the test's verdict."""

    name: str
    worse_when: str
    inside: float
    outside: float
    inside_n: int
    outside_n: int
    inside_hits: int | None = None
    outside_hits: int | None = None
    p_value: float = 1.0
    statistic: float = 0.0
    test: str = "two_proportion_z"
    worse: bool = False
    marked: bool = False
    significant: bool = False

    @property
    def fractured(self) -> bool:
        return self.worse and self.marked and self.significant

    @property
    def change(self) -> float:
        return self.inside - self.outside

    def evidence(self) -> dict[str, Any]:
        figures: dict[str, Any] = {
            "test": self.test,
            "worse_when": self.worse_when,
            "inside": round(self.inside, 4),
            "outside": round(self.outside, 4),
            "change": round(self.change, 4),
            "inside_n": self.inside_n,
            "outside_n": self.outside_n,
            "statistic": round(self.statistic, 4),
            "p_value": round(self.p_value, 6),
            "fractured": self.fractured,
        }
        if self.inside_hits is not None:
            figures["inside_hits"] = self.inside_hits
            figures["outside_hits"] = self.outside_hits
        return figures


@dataclass
class TeamPressure:
    """A team's pressure comparison: its periods and each measure it has enough evidence for."""

    team: str
    periods: list[Period]
    measures: dict[str, Measure] = field(default_factory=dict)
    alpha_each: float | None = None
    pressure_days: float = 0.0
    """Calendar days of the window under pressure."""

    @property
    def fractured(self) -> list[Measure]:
        return [m for m in self.measures.values() if m.fractured]


def _share_measure(name: str, worse_when: str, inside: list[bool], outside: list[bool], minimum: int) -> Measure | None:
    if len(inside) < minimum or len(outside) < minimum:
        return None
    hits_in, hits_out = sum(inside), sum(outside)
    z, p = two_proportion_test(hits_in, len(inside), hits_out, len(outside))
    return Measure(
        name=name,
        worse_when=worse_when,
        inside=hits_in / len(inside),
        outside=hits_out / len(outside),
        inside_n=len(inside),
        outside_n=len(outside),
        inside_hits=hits_in,
        outside_hits=hits_out,
        p_value=p,
        statistic=z,
    )


def _trust_measures(
    facts: PressureFacts, periods: dict[str, list[Period]], since: datetime, trust_thresholds: TrustThresholds
) -> dict[str, Measure]:
    """Trust inside against outside pressure per team, only where the privacy gate releases both figures."""
    instrument = facts.trust.instrument
    sides: dict[str, dict[bool, list[tuple[tuple[str, str], float]]]] = defaultdict(lambda: {True: [], False: []})
    for response in facts.trust.responses:
        opened = datetime.combine(response.pulse_date, time(12), tzinfo=UTC)
        if not since <= opened <= facts.now:
            continue
        mean = instrument.respondent_mean(response.scores)
        if mean is None:
            continue
        pressured = under_pressure(periods.get(response.team, []), opened)
        sides[response.team][pressured].append((response.key, mean))
    if not sides:
        return {}
    gate = trust_analysis.gate_after_catalogue(facts.trust, trust_thresholds)
    measures = {}
    for team in sorted(sides):
        inside, outside = sides[team][True], sides[team][False]
        if len(inside) < 2 or len(outside) < 2:
            continue
        admitted = gate.admit(
            Slice(f"team:{team}|pressure:inside", frozenset(key for key, _ in inside)),
            Slice(f"team:{team}|pressure:outside", frozenset(key for key, _ in outside)),
        )
        if not admitted:
            continue
        a, b = [m for _, m in inside], [m for _, m in outside]
        difference = welch(a, b)
        measures[team] = Measure(
            name="trust",
            worse_when="lower",
            inside=sum(a) / len(a),
            outside=sum(b) / len(b),
            inside_n=len(a),
            outside_n=len(b),
            p_value=difference.p_value,
            statistic=_welch_t(a, b),
            test="welch_t",
        )
    return measures


def _welch_t(a: Sequence[float], b: Sequence[float]) -> float:
    standard_error = math.sqrt(float(np.var(a, ddof=1)) / len(a) + float(np.var(b, ddof=1)) / len(b))
    difference = float(np.mean(a) - np.mean(b))
    return difference / standard_error if standard_error > 0 else 0.0


def team_events(facts: PressureFacts, thresholds: Thresholds) -> list[TeamEvent]:
    """The events the test reads, derived from the domains' facts:

    schedule changes by product or engineering judged alone or joint; decisions opened (escalated or not);
    rituals other than ``other`` (both sides present or not); committed dates (every target date of a revision
    both functions signed); slips and scope cuts (a revision after the first with a later date or less scope,
    when it was made); incidents (incident reviews).
    """
    events = [
        TeamEvent(team, "schedule_change", at, alone)
        for team, at, alone in changes_made_alone(facts.schedule, thresholds)
    ]
    events += [TeamEvent(d.team, "decision", d.opened_at, d.escalated_at is not None) for d in facts.decisions]
    for occurrence in facts.occurrences:
        if occurrence.kind is not RitualKind.OTHER:
            events.append(TeamEvent(occurrence.team, "ritual", occurrence.start, both_present(occurrence)))
        if occurrence.kind is RitualKind.INCIDENT:
            events.append(TeamEvent(occurrence.team, "incident", occurrence.start))
    committed: set[tuple[str, date]] = set()
    previous: dict[int, RevisionFacts] = {}
    for rev in sorted(facts.schedule.revisions, key=lambda r: (r.commitment_id, r.number)):
        if rev.signature("product") is not None and rev.signature("engineering") is not None:
            committed.add((rev.team, rev.target_date))
        before = previous.get(rev.commitment_id)
        previous[rev.commitment_id] = rev
        if before is not None and rev.target_date > before.target_date:
            events.append(TeamEvent(rev.team, "slip", rev.created_at))
        if before is not None and rev.scope_size < before.scope_size:
            events.append(TeamEvent(rev.team, "scope_cut", rev.created_at))
    events += [
        TeamEvent(team, "committed_date", datetime.combine(day, COMMITTED_TIME, tzinfo=UTC))
        for team, day in sorted(committed)
    ]
    return events


def compare_under_pressure(
    facts: PressureFacts, thresholds: Thresholds, trust_thresholds: TrustThresholds | None = None
) -> dict[str, TeamPressure]:
    """Every team's comparison over the last ``pressure_window_days`` (see the module docstring).

    Teams without a single pressure period are left out: there is nothing to compare.
    """
    since = facts.now - timedelta(days=thresholds.pressure_window_days)
    ahead = facts.now + _lookahead(thresholds)
    events = [(event, moment) for event in team_events(facts, thresholds) if since <= (moment := _as_moment(event.at))]
    periods = pressure_periods([event for event, moment in events if moment <= ahead], thresholds)
    starts = {team: [p.start for p in team_periods] for team, team_periods in periods.items()}
    flags: dict[str, dict[str, dict[bool, list[bool]]]] = defaultdict(
        lambda: defaultdict(lambda: {True: [], False: []})
    )
    for event, moment in events:  # a million schedule changes at 2,000 teams: the periods' starts are found once
        if moment <= facts.now and event.kind in MEASURES and event.team in periods:
            inside = under_pressure(periods[event.team], moment, starts[event.team])
            flags[event.team][event.kind][inside].append(event.flag)
    trust = _trust_measures(facts, periods, since, trust_thresholds or TrustThresholds())
    compared = {}
    for team in sorted(periods):
        team_pressure = TeamPressure(team=team, periods=periods[team])
        team_pressure.pressure_days = round(
            sum(max(0.0, (min(p.end, facts.now) - max(p.start, since)) / timedelta(days=1)) for p in periods[team]),
            1,
        )
        for kind, (name, worse_when) in MEASURES.items():
            measure = _share_measure(
                name, worse_when, flags[team][kind][True], flags[team][kind][False], thresholds.fracture_min_sample
            )
            if measure is not None:
                team_pressure.measures[name] = measure
        if team in trust:
            team_pressure.measures["trust"] = trust[team]
        if team_pressure.measures:
            alpha_each = thresholds.fracture_alpha / len(team_pressure.measures)
            team_pressure.alpha_each = alpha_each
            for measure in team_pressure.measures.values():
                measure.significant = measure.p_value < alpha_each
                worse_sign = 1.0 if measure.worse_when == "higher" else -1.0
                measure.worse = measure.change * worse_sign > 0
                needed = (
                    thresholds.fracture_min_trust_drop
                    if measure.name == "trust"
                    else thresholds.fracture_min_share_change
                )
                measure.marked = abs(measure.change) + 1e-9 >= needed
        compared[team] = team_pressure
    return compared


_compared = remember_last(compare_under_pressure)
"""The walk's finding and its metrics read the same facts, and the comparison (every team's periods, tests and
trust gate) is the costly part, so it is made once for both."""


def _lookahead(thresholds: Thresholds) -> timedelta:
    """A committed date up to this far ahead already puts today under pressure."""
    return timedelta(days=thresholds.pressure_before_commitment_working_days * 7 // 5 + 3)


_MEASURE_WORDS = {
    "unilateral_changes": "schedule changes made alone",
    "escalations": "decisions escalated",
    "joint_rituals": "rituals with both sides present",
    "trust": "trust index",
}


def _measure_phrase(measure: Measure) -> str:
    words = _MEASURE_WORDS[measure.name]
    if measure.name == "trust":
        return f"{words} {measure.outside:.1f} -> {measure.inside:.1f} of 7"
    return f"{words} {measure.outside:.0%} -> {measure.inside:.0%}"


def fracture_under_pressure(
    facts: PressureFacts, thresholds: Thresholds, trust_thresholds: TrustThresholds | None = None
) -> list[Finding]:
    """Teams that turn on each other under pressure: a measure moves markedly and significantly against the
    team's own baseline inside pressure periods (see the module docstring for the periods and the test).

    Severity: ``0.5 + 0.1`` per measure that fractured, ``+ 0.5 *`` the largest share change (or a quarter of
    the largest trust drop), capped at 1.
    """
    findings = []
    for team, compared in _compared(facts, thresholds, trust_thresholds).items():
        fractured = compared.fractured
        if not fractured:
            continue
        effect = max(abs(m.change) / (4.0 if m.name == "trust" else 1.0) for m in fractured)
        severity = min(1.0, 0.5 + 0.1 * len(fractured) + 0.5 * effect)
        reasons: dict[str, int] = defaultdict(int)
        for period in compared.periods:
            for reason in period.reasons:
                reasons[reason] += 1
        leads = facts.leads.get(team, {})
        findings.append(
            Finding(
                id=finding_id("fracture_under_pressure", f"team:{team}"),
                kind="fracture_under_pressure",
                practice=Practice.ONE_TEAM,
                severity=round(severity, 3),
                title=f"{team} turns on itself under pressure: " + "; ".join(_measure_phrase(m) for m in fractured),
                scope=Scope(teams=[team], people=sorted({p for p in leads.values() if p is not None})),
                evidence={
                    "fractured": [m.name for m in fractured],
                    "measures": {name: m.evidence() for name, m in compared.measures.items()},
                    "pressure_periods": len(compared.periods),
                    "pressure_days": compared.pressure_days,
                    "window_days": thresholds.pressure_window_days,
                    "period_reasons": dict(sorted(reasons.items())),
                    "alpha": thresholds.fracture_alpha,
                    "alpha_each": compared.alpha_each,
                    "threshold_min_sample": thresholds.fracture_min_sample,
                    "threshold_min_share_change": thresholds.fracture_min_share_change,
                    "threshold_min_trust_drop": thresholds.fracture_min_trust_drop,
                },
                recommendation=Recommendation(
                    practice=Practice.ONE_TEAM,
                    step=(
                        "Agree now, while calm, how the team works in a crunch: both leads sign every date or scope "
                        "change, product and engineering stay in the daily standup together, and disagreements go "
                        "to the accountable manager the same day instead of around each other. Review the last "
                        "pressure period in a joint retro and name what each side needed from the other."
                    ),
                ),
            )
        )
    return sorted(findings, key=worst_first)


def pressure_figures(
    facts: PressureFacts, thresholds: Thresholds, trust_thresholds: TrustThresholds | None = None
) -> dict[str, dict[str, Any]]:
    """Per team with pressure periods: the periods and every measure's comparison, for the walk's metrics and the
    team page."""
    return {
        team: {
            "pressure_periods": len(compared.periods),
            "pressure_days": compared.pressure_days,
            "periods": [
                {"start": p.start.isoformat(), "end": p.end.isoformat(), "reasons": list(p.reasons)}
                for p in compared.periods
            ],
            "alpha_each": compared.alpha_each,
            "measures": {name: m.evidence() for name, m in compared.measures.items()},
        }
        for team, compared in _compared(facts, thresholds, trust_thresholds).items()
    }
