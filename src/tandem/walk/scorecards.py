"""Team scorecards and model pairs: pure functions over the walk's findings and metrics, no database.

**A practice's score** (0-100) for a team is ``100 * (1 - the worst severity)`` of the team's findings of that
practice, or 100 without one — but only when the walk had the evidence to judge it; otherwise the score is
*missing* (None), never healthy. Evidence per practice (a finding is always evidence):

- ``equal_power`` and ``common_manager``: the org chart (every active team);
- ``shared_goal``: at least ``blind_spot_min_decisions`` decisions (``metrics.decisions``);
- ``joint_schedule``: at least ``silo_min_changes`` schedule changes in the window, or a commitment in force;
- ``trust``: a released pulse figure (``metrics.trust``) or a constraint posted in the window;
- ``overlap``: enough discovery/planning or delivery rituals in the window for either overlap detector;
- ``one_team``: at least one pressure-test measure (``metrics.pressure``);
- ``relationships``: how much of the pair's work is joint: the mean of the shares of decisions agreed jointly,
  schedule changes made jointly and rituals with both sides present, whichever the team has (times 100).

**Model pairs** are teams with both leads, no finding of any kind, a relationships score of at least
``MODEL_MIN_RELATIONSHIP``, and evidence on at least ``MODEL_MIN_PRACTICES`` of the eight practices; their score
is the mean of their scores. Org-wide findings (the senior leaders misaligned) do not disqualify a pair — a healthy
pair inside a misaligned part of the org is exactly the one to learn from — and ``why`` says so. ``why`` lists
where the pair does better than the org median of every team with that figure, largest margins first.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tandem.config import Thresholds
from tandem.walk.findings import Finding, ModelPair, Practice, Scorecard

MODEL_MIN_PRACTICES = 6
MODEL_MIN_RELATIONSHIP = 70
MAX_REASONS = 4


@dataclass(frozen=True)
class Pair:
    """A team's two leads (person ids and names); None for an empty seat."""

    team: str
    product_lead: str | None
    engineering_lead: str | None
    product_lead_name: str | None = None
    engineering_lead_name: str | None = None


Metrics = Mapping[str, Mapping[str, Any]]


def _figure(metrics: Metrics, domain: str, team: str, key: str) -> Any:
    return metrics.get(domain, {}).get(team, {}).get(key)


def _trust_index(metrics: Metrics, team: str) -> float | None:
    indexes = [d["trust_index"] for d in metrics.get("trust", {}).get(team, {}).values() if "trust_index" in d]
    return round(sum(indexes) / len(indexes), 2) if indexes else None


def relationship_score(metrics: Metrics, team: str) -> int | None:
    shares = [
        share
        for share in (
            _figure(metrics, "decisions", team, "decided_jointly"),
            _figure(metrics, "schedule", team, "joint_share"),
            _figure(metrics, "overlap", team, "joint"),
        )
        if share is not None
    ]
    return round(100 * sum(shares) / len(shares)) if shares else None


def _evidence(metrics: Metrics, team: str, thresholds: Thresholds) -> dict[Practice, bool]:
    decisions = _figure(metrics, "decisions", team, "decisions") or 0
    changes = _figure(metrics, "schedule", team, "schedule_changes") or 0
    commitments = _figure(metrics, "schedule", team, "commitments_in_force") or 0
    discovery = _figure(metrics, "overlap", team, "discovery_occurrences") or 0
    delivery = metrics.get("overlap", {}).get(team, {}).get("by_kind", {})
    judged_delivery = sum(delivery.get(kind, 0) for kind in ("standup", "retro", "demo"))
    return {
        Practice.EQUAL_POWER: True,
        Practice.COMMON_MANAGER: True,
        Practice.SHARED_GOAL: decisions >= thresholds.blind_spot_min_decisions,
        Practice.JOINT_SCHEDULE: changes >= thresholds.silo_min_changes or commitments > 0,
        Practice.TRUST: bool(metrics.get("trust", {}).get(team))
        or (_figure(metrics, "constraints", team, "posted") or 0) > 0,
        Practice.OVERLAP: discovery >= thresholds.discovery_min_occurrences
        or judged_delivery >= thresholds.delivery_min_occurrences,
        Practice.ONE_TEAM: bool(_figure(metrics, "pressure", team, "measures")),
        Practice.RELATIONSHIPS: relationship_score(metrics, team) is not None,
    }


def scorecards(
    pairs: Iterable[Pair], findings: Iterable[Finding], metrics: Metrics, thresholds: Thresholds
) -> list[Scorecard]:
    """Every active team's scores per practice (None where the evidence is missing), worst overall first."""
    worst: dict[tuple[str, Practice], float] = defaultdict(float)
    kinds: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        for team in finding.scope.teams:
            worst[(team, finding.practice)] = max(worst[(team, finding.practice)], finding.severity)
            kinds[team].add(finding.kind)
    cards = []
    for pair in pairs:
        evidence = _evidence(metrics, pair.team, thresholds)
        scores: dict[Practice, int | None] = {}
        for practice in Practice:
            if practice is Practice.RELATIONSHIPS:
                joint = relationship_score(metrics, pair.team)
                penalty = worst.get((pair.team, practice))
                scores[practice] = (
                    round(100 * (1 - penalty)) if penalty is not None and joint is None else _min(joint, penalty)
                )
            elif (pair.team, practice) in worst:
                scores[practice] = round(100 * (1 - worst[(pair.team, practice)]))
            else:
                scores[practice] = 100 if evidence[practice] else None
        known = [score for score in scores.values() if score is not None]
        cards.append(
            Scorecard(
                team=pair.team,
                product_lead=pair.product_lead,
                engineering_lead=pair.engineering_lead,
                product_lead_name=pair.product_lead_name,
                engineering_lead_name=pair.engineering_lead_name,
                scores=scores,
                missing=[practice for practice, score in scores.items() if score is None],
                overall=round(sum(known) / len(known)) if known else None,
                finding_kinds=sorted(kinds[pair.team]),
            )
        )
    return sorted(cards, key=lambda c: (c.overall if c.overall is not None else 101, c.team))


def _min(joint: int | None, penalty: float | None) -> int | None:
    if joint is None:
        return None
    return joint if penalty is None else min(joint, round(100 * (1 - penalty)))


# --- model pairs ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Comparison:
    domain: str
    key: str
    higher_is_better: bool
    words: Callable[[float, float], str]


def _pct(value: float) -> str:
    return f"{value:.0%}"


COMPARISONS = (
    _Comparison(
        "overlap", "discovery_with_engineer", True, lambda t, m: f"engineers in {_pct(t)} of discovery vs {_pct(m)}"
    ),
    _Comparison(
        "overlap",
        "delivery_with_product",
        True,
        lambda t, m: f"product in {_pct(t)} of standups, retros and demos vs {_pct(m)}",
    ),
    _Comparison("overlap", "joint", True, lambda t, m: f"both sides in {_pct(t)} of rituals vs {_pct(m)}"),
    _Comparison(
        "decisions", "decided_jointly", True, lambda t, m: f"{_pct(t)} of decisions agreed jointly vs {_pct(m)}"
    ),
    _Comparison(
        "decisions",
        "median_working_days_to_decide",
        False,
        lambda t, m: f"decisions settled in {t:g} working days (median) vs {m:g}",
    ),
    _Comparison("decisions", "escalation_rate", False, lambda t, m: f"{_pct(t)} of decisions escalated vs {_pct(m)}"),
    _Comparison(
        "schedule", "joint_share", True, lambda t, m: f"{_pct(t)} of schedule changes made jointly vs {_pct(m)}"
    ),
    _Comparison("trust", "trust_index", True, lambda t, m: f"trust index {t:g} of 7 vs {m:g}"),
    _Comparison(
        "constraints",
        "median_working_days_to_acknowledge",
        False,
        lambda t, m: f"constraints acknowledged in {t:g} working days (median) vs {m:g}",
    ),
)


def _value(metrics: Metrics, comparison: _Comparison, team: str) -> float | None:
    if comparison.domain == "trust":
        return _trust_index(metrics, team)
    value = _figure(metrics, comparison.domain, team, comparison.key)
    return float(value) if isinstance(value, int | float) else None


def why(metrics: Metrics, team: str, teams: Iterable[str]) -> list[str]:
    """Where the team does better than the org median (over every team with the figure), largest margin first."""
    reasons: list[tuple[float, str]] = []
    everyone = list(teams)
    for comparison in COMPARISONS:
        mine = _value(metrics, comparison, team)
        values = [v for t in everyone if (v := _value(metrics, comparison, t)) is not None]
        if mine is None or len(values) < 3:
            continue
        median = statistics.median(values)
        margin = (mine - median) if comparison.higher_is_better else (median - mine)
        if margin <= 0:
            continue
        scale = abs(median) if median else 1.0
        phrase = comparison.words(round(mine, 2), round(median, 2)) + " org median"
        reasons.append((margin / scale, phrase))
    return [phrase for _, phrase in sorted(reasons, key=lambda r: -r[0])[:MAX_REASONS]]


def model_pairs(
    cards: Iterable[Scorecard], metrics: Metrics, *, org_findings: Iterable[Finding] = ()
) -> list[ModelPair]:
    """The pairs healthy on every practice they have evidence for (see the module docstring), best first."""
    cards = list(cards)
    misaligned = [f for f in org_findings if not f.scope.teams]
    found = []
    for card in cards:
        known = [s for s in card.scores.values() if s is not None]
        relationship = card.scores.get(Practice.RELATIONSHIPS)
        if (
            card.product_lead is None
            or card.engineering_lead is None
            or card.finding_kinds
            or len(known) < MODEL_MIN_PRACTICES
            or relationship is None
            or relationship < MODEL_MIN_RELATIONSHIP
        ):
            continue
        reasons = [f"no finding on any of the {len(known)} practices with evidence"]
        reasons += why(metrics, card.team, (c.team for c in cards))
        if misaligned:
            kinds = ", ".join(sorted({f.kind for f in misaligned}))
            reasons.append(f"healthy although the org's senior leaders are misaligned ({kinds} at org scope)")
        found.append(
            ModelPair(
                team=card.team,
                product_lead=card.product_lead,
                engineering_lead=card.engineering_lead,
                product_lead_name=card.product_lead_name,
                engineering_lead_name=card.engineering_lead_name,
                score=round(sum(known) / len(known)),
                why=reasons,
            )
        )
    return sorted(found, key=lambda p: (-p.score, p.team))
