"""The trust findings and per-team figures: pure functions over ``TrustFacts``, no database.

Every figure here is computed only from groups the privacy gate released (``tandem.trust.privacy``), and all three
public functions gate the same catalogue in the same order, so together they never show more than one gate
allowed. The catalogue, most important first:

1. each team's latest pulse, per direction (the trust index, its interval and response rate);
2. each team's last ``trend_window`` pulses, per direction, all or none (the trend);
3. pooled units for the asymmetry, deepest manager first, both directions or neither;
4. each team's subscale alphas, over the respondents who answered every item of the subscale.

A direction is the respondent's function rating the other (``product_to_engineering``: product's trust in
engineering). The trust index of a group is the mean of its respondents' means (reverse items flipped).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from tandem.memo import remember_last
from tandem.trust.facts import ResponseFacts, TrustFacts, TrustThresholds
from tandem.trust.instrument import Direction, Instrument
from tandem.trust.privacy import Gate, Slice
from tandem.trust.stats import Estimate, cronbach_alpha, response_rate, trend, trust_index, welch
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, finding_id, worst_first

_EPSILON = 1e-9
"""A gap of exactly 1.0 must not miss the threshold on float rounding."""


def _rounded(value: float) -> float:
    return round(value, 2)


@dataclass(frozen=True)
class _Reading:
    """A released group in one direction: its responses and their respondent means."""

    slice: Slice
    pulse_id: str | None
    """The pulse its responses come from; None for a pool of teams whose latest pulses differ."""
    responses: tuple[ResponseFacts, ...]
    means: tuple[float, ...]
    invited: int | None

    @property
    def n(self) -> int:
        return len(self.means)

    def estimate(self, thresholds: TrustThresholds) -> Estimate:
        return trust_index(self.means, thresholds.confidence)

    def figures(self, instrument: Instrument, thresholds: TrustThresholds) -> dict[str, Any]:
        """The released figures of this group (the interval clipped to the scale, where the true mean lies)."""
        estimate = self.estimate(thresholds)
        return {
            "respondents": estimate.n,
            "trust_index": _rounded(estimate.mean),
            "ci_low": _rounded(max(float(instrument.scale_min), estimate.low)),
            "ci_high": _rounded(min(float(instrument.scale_max), estimate.high)),
            "confidence": round(estimate.confidence, 4),
            "response_rate": _response_rate(self.n, self.invited),
        }

    def item_means(self, instrument: Instrument) -> dict[str, float]:
        """Per item, the mean score; only items every respondent answered, so each mean is over the released group."""
        scored = [instrument.scored(response.scores) for response in self.responses]
        return {
            item_id: _rounded(float(np.mean([scores[item_id] for scores in scored])))
            for item_id in instrument.item_ids
            if all(item_id in scores for scores in scored)
        }


def _response_rate(answered: int, invited: int | None) -> float | None:
    if invited is None or invited < answered:  # an invitation count that is out of date says nothing
        return None
    rate = response_rate(answered, invited)
    return round(rate, 4) if rate is not None else None


@dataclass(frozen=True)
class _Pool:
    """Teams under one manager, pooled because none of them shows both directions alone."""

    manager: str
    teams: tuple[str, ...]
    readings: dict[Direction, _Reading]


@dataclass
class _Released:
    """Everything the gate let through for one set of facts."""

    instrument: Instrument
    gate: Gate
    latest: dict[tuple[str, Direction], _Reading] = field(default_factory=dict)
    windows: dict[tuple[str, Direction], list[_Reading]] = field(default_factory=dict)
    pools: list[_Pool] = field(default_factory=list)
    alphas: dict[tuple[str, Direction], dict[str, float | None]] = field(default_factory=dict)


@remember_last
def _released(facts: TrustFacts, thresholds: TrustThresholds) -> _Released:
    """Run the gate over the catalogue (see the module docstring), in its fixed order. Once per walk: the trust
    metrics, both trust detectors and the pressure test read the same release."""
    instrument = facts.instrument
    scored: dict[tuple[str, str, Direction], list[tuple[ResponseFacts, float]]] = defaultdict(list)
    pulse_dates: dict[str, dict[str, date]] = defaultdict(dict)
    for response in facts.responses:
        mean = instrument.respondent_mean(response.scores)
        if mean is None:  # answered nothing: contributes to no figure
            continue
        scored[(response.team, response.pulse_id, response.direction)].append((response, mean))
        pulse_dates[response.team][response.pulse_id] = response.pulse_date
    pulses = {
        team: sorted(dates, key=lambda p: (dates[p], _pulse_order(p))) for team, dates in sorted(pulse_dates.items())
    }

    def reading(key: str, groups: Sequence[tuple[str, str, Direction]]) -> _Reading | None:
        rows = sorted((row for group in groups for row in scored.get(group, [])), key=lambda row: row[0].key)
        if not rows:
            return None
        invited_counts = [facts.invited.get(group) for group in groups]
        invited = sum(c for c in invited_counts if c is not None) if None not in invited_counts else None
        return _Reading(
            slice=Slice(key, frozenset(response.key for response, _ in rows)),
            pulse_id=groups[0][1] if len({pulse for _, pulse, _ in groups}) == 1 else None,
            responses=tuple(response for response, _ in rows),
            means=tuple(mean for _, mean in rows),
            invited=invited,
        )

    gate = Gate.for_figures(thresholds)
    released = _Released(instrument, gate)
    for team, team_pulses in pulses.items():
        for direction in Direction:
            latest = reading(f"team:{team}|{direction}|pulse:{team_pulses[-1]}", [(team, team_pulses[-1], direction)])
            if latest is not None and gate.admit(latest.slice):
                released.latest[(team, direction)] = latest

    for (team, direction), latest in list(released.latest.items()):
        window = pulses[team][-thresholds.trend_window :]
        earlier = [reading(f"team:{team}|{direction}|pulse:{p}", [(team, p, direction)]) for p in window[:-1]]
        readings = [r for r in earlier if r is not None]
        whole = len(window) == thresholds.trend_window and len(readings) == len(earlier)
        if whole and gate.admit(*(r.slice for r in readings)):
            released.windows[(team, direction)] = [*readings, latest]

    judged = {team for team in pulses if all((team, d) in released.latest for d in Direction)}
    for manager in _deepest_first(facts.managers):
        teams = tuple(t for t in pulses if t not in judged and manager in facts.managers.get(t, ()))
        if len(teams) < 2:  # one team alone is the team's own group, already refused
            continue
        both = {d: reading(f"manager:{manager}|{d}", [(t, pulses[t][-1], d) for t in teams]) for d in Direction}
        pooled = {d: r for d, r in both.items() if r is not None}
        if len(pooled) == len(Direction) and gate.admit(*(r.slice for r in pooled.values())):
            released.pools.append(_Pool(manager, teams, pooled))
            judged.update(teams)

    for (team, direction), latest in released.latest.items():
        alphas: dict[str, float | None] = {}
        for subscale, items in instrument.subscales.items():
            complete = [r for r in latest.responses if all(item in r.scores for item in items)]
            if len(items) < 2 or not complete:
                continue
            key = f"{latest.slice.key}|alpha:{subscale}"
            if gate.admit(Slice(key, frozenset(r.key for r in complete))):
                matrix = [[instrument.score(item, r.scores[item]) for item in items] for r in complete]
                alpha = cronbach_alpha(matrix)
                alphas[subscale] = round(alpha, 3) if alpha is not None else None
        released.alphas[(team, direction)] = alphas
    return released


def gate_after_catalogue(facts: TrustFacts, thresholds: TrustThresholds | None = None) -> Gate:
    """The figures gate with every figure of the trust catalogue already admitted, in its order.

    Another domain's pulse figures (the pressure test's trust under and outside pressure) are admitted through
    this gate *after* the catalogue, so they can never change what the trust pages release, and every figure
    released anywhere still satisfies the cell rule together.
    """
    return _released(facts, thresholds or TrustThresholds()).gate.copy()  # the catalogue's own gate stays as released


def _pulse_order(pulse_id: str) -> tuple[int, str]:
    """Same-day pulses in the order they were made: ``"3|10"`` after ``"3|9"`` (numbers, not strings)."""
    tail = pulse_id.rsplit("|", 1)[-1]
    return (int(tail), pulse_id) if tail.isdigit() else (-1, pulse_id)


def _deepest_first(managers: dict[str, tuple[str, ...]]) -> list[str]:
    """Every manager in the chains, those with the most managers above them first (the smallest parts first)."""
    above: dict[str, int] = {}
    for chain in managers.values():
        for position, manager in enumerate(chain):
            above[manager] = max(above.get(manager, 0), len(chain) - position - 1)
    return sorted(above, key=lambda manager: (-above[manager], manager))


def _who(direction: Direction) -> str:
    return f"{direction.respondents}'s trust in {direction.rated}"


# --- trust breakdown -------------------------------------------------------------------------------------------


def trust_breakdown(facts: TrustFacts, thresholds: TrustThresholds | None = None) -> list[Finding]:
    """Teams where one side has stopped trusting the other: the pair cannot work as one.

    One finding per team and direction whose latest pulse the gate released, when any of these holds (``reasons``):

    - ``low_index``: the trust index is below ``breakdown_index`` (4.0 of 7, the scale's midpoint: on average
      the respondents do not agree that they trust their counterparts);
    - ``low_lower_bound``: the lower bound of its interval (at 1 - ``alpha``) is below ``breakdown_lower_bound``
      (3.5): a small group whose mean looks fine may still be low;
    - ``falling``: over the team's last ``trend_window`` (3) pulses, all released, the regression of respondent
      means on the pulse shows a significant fall (p < ``alpha``, see ``stats.trend``).

    Severity: ``0.5 + 0.25`` per point below the index threshold; a fall ``0.4 + 0.3`` per point fallen across the
    window; a low lower bound alone 0.4; the largest applies, capped at 1.
    """
    thresholds = thresholds or TrustThresholds()
    released = _released(facts, thresholds)
    instrument = released.instrument
    findings = []
    for (team, direction), latest in sorted(released.latest.items()):
        estimate = latest.estimate(thresholds)
        reasons: list[str] = []
        severity = 0.0
        if estimate.mean < thresholds.breakdown_index:
            reasons.append("low_index")
            severity = max(severity, 0.5 + 0.25 * (thresholds.breakdown_index - estimate.mean))
        if estimate.low < thresholds.breakdown_lower_bound:
            reasons.append("low_lower_bound")
            severity = max(severity, 0.4)
        window = released.windows.get((team, direction))
        trend_evidence: dict[str, Any] | None = None
        if window is not None:
            fitted = trend([r.means for r in window], thresholds.alpha)
            trend_evidence = {
                "pulses": [
                    {
                        "pulse_id": r.pulse_id,
                        "pulse_date": r.responses[0].pulse_date.isoformat(),
                        "respondents": r.n,
                        "trust_index": _rounded(float(np.mean(r.means))),
                    }
                    for r in window
                ],
                "slope_per_pulse": _rounded(fitted.slope),
                "p_value": round(fitted.p_value, 4),
                "significant_fall": fitted.significant_fall,
            }
            if fitted.significant_fall:
                reasons.append("falling")
                severity = max(severity, 0.4 + 0.3 * -fitted.slope * (len(window) - 1))
        if not reasons:
            continue
        items = latest.item_means(instrument)
        lowest = sorted(items, key=lambda item: (items[item], item))[:2]
        findings.append(
            Finding(
                id=finding_id("trust_breakdown", f"team:{team}:{direction}"),
                kind="trust_breakdown",
                practice=Practice.TRUST,
                severity=round(min(1.0, severity), 3),
                title=f"{team}: " + _breakdown_title(direction, reasons, estimate, trend_evidence, instrument),
                scope=Scope(teams=[team]),
                evidence={
                    "scope": "team",
                    "direction": direction.value,
                    "reasons": reasons,
                    "pulse_id": latest.pulse_id,
                    "pulse_date": latest.responses[0].pulse_date.isoformat(),
                    **latest.figures(instrument, thresholds),
                    "items": items,
                    "trend": trend_evidence,
                    "threshold_index": thresholds.breakdown_index,
                    "threshold_lower_bound": thresholds.breakdown_lower_bound,
                    "trend_window": thresholds.trend_window,
                    "alpha": thresholds.alpha,
                    "min_group_size": thresholds.min_group_size,
                },
                recommendation=Recommendation(
                    practice=Practice.TRUST,
                    step=(
                        f"Have the {team} product and engineering leads and their accountable manager hear what lies "
                        f"behind {direction.respondents}'s answers"
                        + (f" (lowest: {', '.join(item.replace('_', ' ') for item in lowest)})" if lowest else "")
                        + ", agree one change each side makes toward the other, and check it at the next pulse."
                    ),
                ),
            )
        )
    return sorted(findings, key=worst_first)


def _breakdown_title(
    direction: Direction,
    reasons: list[str],
    estimate: Estimate,
    trend_evidence: dict[str, Any] | None,
    instrument: Instrument,
) -> str:
    if "low_index" in reasons:
        return f"{_who(direction)} is {estimate.mean:.1f} of {instrument.scale_max}"
    if "falling" in reasons and trend_evidence is not None:
        first, last = trend_evidence["pulses"][0], trend_evidence["pulses"][-1]
        return (
            f"{_who(direction)} fell from {first['trust_index']:.1f} to {last['trust_index']:.1f} "
            f"over {len(trend_evidence['pulses'])} pulses"
        )
    return f"{_who(direction)} may be low: {estimate.low:.1f} to {estimate.high:.1f} of {instrument.scale_max}"


# --- trust asymmetry -------------------------------------------------------------------------------------------


def trust_asymmetry(facts: TrustFacts, thresholds: TrustThresholds | None = None) -> list[Finding]:
    """Units where one side trusts the other far less than it is trusted: the relationship runs one way.

    The unit is the smallest where the gate releases both directions of the latest pulse: a team, or else the
    teams under one manager pooled. Teams are pooled up their manager chains (``TrustFacts.managers``: the
    accountable manager, then up the reporting line), deepest manager first; a pool holds the teams under that
    manager not yet judged — on their own or in a deeper pool — so no one is counted twice and a pool never
    differs from a released team by a handful of people. A finding when the two directions' trust indexes differ by
    ``asymmetry_gap`` (1.0) or more; its scope lists the unit's teams (and the manager of a pool). The evidence
    adds Welch's test of the difference. Severity ``0.5 + 0.25`` per point beyond the gap, capped at 1.
    """
    thresholds = thresholds or TrustThresholds()
    released = _released(facts, thresholds)
    units: list[tuple[str, tuple[str, ...], str | None, dict[Direction, _Reading]]] = []
    for team in sorted({team for team, _ in released.latest}):
        if all((team, d) in released.latest for d in Direction):
            units.append((f"team:{team}", (team,), None, {d: released.latest[(team, d)] for d in Direction}))
    for pool in released.pools:
        units.append((f"manager:{pool.manager}", pool.teams, pool.manager, pool.readings))
    findings = []
    for subject, teams, manager, readings in units:
        product, engineering = readings[Direction.PRODUCT_TO_ENGINEERING], readings[Direction.ENGINEERING_TO_PRODUCT]
        tested = welch(product.means, engineering.means)
        gap = abs(tested.difference)
        if gap + _EPSILON < thresholds.asymmetry_gap:
            continue
        lower = Direction.PRODUCT_TO_ENGINEERING if tested.difference < 0 else Direction.ENGINEERING_TO_PRODUCT
        where = f"{teams[0]}: " if manager is None else f"Teams under {manager} ({', '.join(teams)}): "
        findings.append(
            Finding(
                id=finding_id("trust_asymmetry", subject),
                kind="trust_asymmetry",
                practice=Practice.TRUST,
                severity=round(min(1.0, 0.5 + 0.25 * (gap - thresholds.asymmetry_gap)), 3),
                title=(
                    f"{where}{lower.respondents} trusts {lower.rated} {gap:.1f} points less than "
                    f"{lower.rated} trusts {lower.respondents}"
                ),
                scope=Scope(teams=list(teams), people=[manager] if manager is not None else []),
                evidence={
                    "scope": "team" if manager is None else "manager",
                    "manager": manager,
                    "teams": list(teams),
                    "directions": {
                        d.value: {"pulse_id": r.pulse_id, **r.figures(released.instrument, thresholds)}
                        for d, r in readings.items()
                    },
                    "gap": _rounded(gap),
                    "lower_direction": lower.value,
                    "welch_p_value": round(tested.p_value, 4),
                    "threshold_gap": thresholds.asymmetry_gap,
                    "min_group_size": thresholds.min_group_size,
                },
                recommendation=Recommendation(
                    practice=Practice.TRUST,
                    step=(
                        f"Ask the {lower.respondents} side what {lower.rated} would have to do to earn its trust, "
                        f"share the answer with {lower.rated} in a session both leads run together, and have "
                        f"{lower.rated} make and keep one visible commitment before the next pulse."
                    ),
                ),
            )
        )
    return sorted(findings, key=worst_first)


# --- metrics ---------------------------------------------------------------------------------------------------


def trust_metrics(facts: TrustFacts, thresholds: TrustThresholds | None = None) -> dict[str, dict[str, Any]]:
    """Per team and direction, the released figures of its latest pulse: respondents, trust index and interval,
    response rate, Cronbach's alpha per subscale (None when undefined), and the trend when its window is released.
    A team or direction the gate held back is absent, not zero."""
    thresholds = thresholds or TrustThresholds()
    released = _released(facts, thresholds)
    metrics: dict[str, dict[str, Any]] = {}
    for (team, direction), latest in sorted(released.latest.items()):
        figures: dict[str, Any] = {"pulse_id": latest.pulse_id, **latest.figures(released.instrument, thresholds)}
        figures["alpha"] = released.alphas.get((team, direction), {})
        window = released.windows.get((team, direction))
        if window is not None:
            fitted = trend([r.means for r in window], thresholds.alpha)
            figures["trend"] = {
                "slope_per_pulse": _rounded(fitted.slope),
                "p_value": round(fitted.p_value, 4),
                "significant_fall": fitted.significant_fall,
                "pulses": [
                    {
                        "pulse_id": r.pulse_id,
                        "date": r.responses[0].pulse_date.isoformat(),
                        **r.figures(released.instrument, thresholds),
                    }
                    for r in window
                ],
            }
        metrics.setdefault(team, {})[direction.value] = figures
    return metrics
