"""The decision findings and per-team metrics: pure functions over ``DecisionFacts``, no database.

Every duration is in working days (Monday to Friday, see ``tandem.workdays``), so a weekend never makes a
decision look slow. Each detector returns its findings sorted worst first, with ids stable across runs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from tandem.config import Thresholds
from tandem.decisions.facts import DecisionFacts, DecisionState, Factor
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, finding_id, worst_first
from tandem.workdays import working_days_between

FUNCTIONS = ("product", "engineering")
MAX_LISTED = 10
"""The most decisions a finding's evidence lists, worst first."""
PENDING = frozenset({DecisionState.OPEN, DecisionState.CONTESTED, DecisionState.ESCALATED})
_EPSILON = 1e-9
"""Shares such as 4/5 compared with a threshold of 0.8 must not fail on float rounding."""


def _by_team(decisions: Iterable[DecisionFacts]) -> dict[str, list[DecisionFacts]]:
    teams: dict[str, list[DecisionFacts]] = defaultdict(list)
    for decision in decisions:
        teams[decision.team].append(decision)
    return {team: sorted(teams[team], key=lambda d: d.id) for team in sorted(teams)}


def is_pending(decision: DecisionFacts) -> bool:
    """Opened and not yet agreed or decided: drafts have not started the clock, closed ones have stopped it."""
    return decision.resolved_at is None and decision.state in PENDING


def _median(values: Sequence[float]) -> float | None:
    return round(float(np.percentile(values, 50)), 2) if values else None


def _share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def _rounded(value: float) -> float:
    return round(value, 2)


# --- decision paralysis ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Offence:
    decision: DecisionFacts
    age: float
    overdue: float

    def evidence(self) -> dict[str, Any]:
        return {
            "id": self.decision.id,
            "title": self.decision.title,
            "state": self.decision.state.value,
            "age_working_days": _rounded(self.age),
            "overdue_working_days": _rounded(max(0.0, self.overdue)),
        }


def decision_paralysis(decisions: Sequence[DecisionFacts], thresholds: Thresholds, now: datetime) -> list[Finding]:
    """Teams whose decisions stall: the leads cannot settle them and nobody above settles them fast.

    One finding per team when any of these holds (reasons, in the evidence):

    - ``overdue``: a pending decision (open, contested or escalated; not agreed, decided, draft or closed) is
      past its decide-by by more than ``paralysis_overdue_days`` working days at ``now``;
    - ``slow_median``: over the team's resolved decisions (at least three), the median working days from opening
      to resolution exceeds the median time-box (decide-by minus opening) of those same decisions;
    - ``unanswered_escalation``: an escalation waited more than ``escalation_answer_working_days`` working days
      for an answer, either still pending at ``now`` or resolved that late.

    The evidence lists the offending decisions (at most ten, most overdue first) and both medians. Severity
    grows with the worst overdue: ``min(1, 0.4 + 0.05 * working days overdue)``.
    """
    findings = [
        _team_paralysis(team, team_decisions, thresholds, now) for team, team_decisions in _by_team(decisions).items()
    ]
    return sorted((finding for finding in findings if finding is not None), key=worst_first)


def _team_paralysis(team: str, decisions: list[DecisionFacts], thresholds: Thresholds, now: datetime) -> Finding | None:
    reasons: list[str] = []
    offences: dict[int, _Offence] = {}

    def offend(decision: DecisionFacts, end: datetime) -> None:
        offences.setdefault(
            decision.id,
            _Offence(
                decision,
                age=working_days_between(decision.opened_at, end),
                overdue=working_days_between(decision.decide_by, end),
            ),
        )

    for decision in decisions:
        if is_pending(decision) and working_days_between(decision.decide_by, now) > thresholds.paralysis_overdue_days:
            reasons.append("overdue")
            offend(decision, now)

    resolved = [(d, d.resolved_at) for d in decisions if d.resolved_at is not None]
    median_took = _median([working_days_between(d.opened_at, at) for d, at in resolved])
    median_box = _median([working_days_between(d.opened_at, d.decide_by) for d, _ in resolved])
    if len(resolved) >= 3 and median_took is not None and median_box is not None and median_took > median_box:
        reasons.append("slow_median")
        for decision, at in resolved:
            if at > decision.decide_by:
                offend(decision, at)

    for decision in decisions:
        if decision.escalated_at is None or not (decision.resolved_at is not None or is_pending(decision)):
            continue
        answered = decision.resolved_at or now
        if working_days_between(decision.escalated_at, answered) > thresholds.escalation_answer_working_days:
            reasons.append("unanswered_escalation")
            offend(decision, answered)

    if not reasons:
        return None
    worst = sorted(offences.values(), key=lambda o: (-o.overdue, -o.age, o.decision.id))
    max_overdue = max((o.overdue for o in worst), default=0.0)
    unique_reasons = [r for r in ("overdue", "slow_median", "unanswered_escalation") if r in reasons]
    return Finding(
        id=finding_id("decision_paralysis", f"team:{team}"),
        kind="decision_paralysis",
        practice=Practice.COMMON_MANAGER,
        severity=round(min(1.0, 0.4 + 0.05 * max(0.0, max_overdue)), 3),
        title=f"{team}: " + _paralysis_title(unique_reasons, worst),
        scope=Scope(teams=[team]),
        evidence={
            "scope": "team",
            "reasons": unique_reasons,
            "decisions": [o.evidence() for o in worst[:MAX_LISTED]],
            "median_working_days_to_decide": median_took,
            "median_timebox_working_days": median_box,
            "threshold_overdue_working_days": thresholds.paralysis_overdue_days,
            "threshold_escalation_working_days": thresholds.escalation_answer_working_days,
        },
        recommendation=Recommendation(
            practice=Practice.COMMON_MANAGER,
            step=(
                f"Time-box every {team} decision, escalate it the moment the leads cannot agree, and have the "
                "accountable manager decide within two working days; a late decision costs more than an imperfect one."
            ),
        ),
    )


def _paralysis_title(reasons: Sequence[str], worst: Sequence[_Offence]) -> str:
    if "overdue" in reasons:
        late = sum(1 for o in worst if is_pending(o.decision) and o.overdue > 0)
        return f"{late} decision{'s' if late != 1 else ''} stuck past {'their' if late != 1 else 'its'} decide-by date"
    if "unanswered_escalation" in reasons:
        return "escalated decisions wait days for the accountable manager's answer"
    return "decisions typically take longer than their time-box"


# --- one-sided decisions ---------------------------------------------------------------------------------------


def _winner(decision: DecisionFacts) -> str | None:
    """Whose preference prevailed in a settled disagreement: "product", "engineering" or "neither"; None when
    the leads did not disagree (or it is not settled). A disagreement is both leads preferring different
    options, whether it was contested openly or conceded with "disagree and commit"."""
    if decision.chosen_option is None:
        return None
    product, engineering = decision.preferences.get("product"), decision.preferences.get("engineering")
    if product is None or engineering is None or product == engineering:
        return None
    if decision.chosen_option == product:
        return "product"
    if decision.chosen_option == engineering:
        return "engineering"
    return "neither"


@dataclass(frozen=True)
class _Tally:
    wins: dict[str, int]
    neither: int = 0
    """Disagreements settled on an option neither lead preferred: they count, and count for nobody."""

    @property
    def contested(self) -> int:
        return sum(self.wins.values()) + self.neither

    def one_side(self, thresholds: Thresholds) -> tuple[str, float] | None:
        """The function that wins too often, and its share; None below the minimum count or share."""
        if self.contested < thresholds.one_sided_min_contested:
            return None
        function = max(FUNCTIONS, key=lambda f: (self.wins[f], f == "product"))
        share = self.wins[function] / self.contested
        return (function, share) if share + _EPSILON >= thresholds.one_sided_share else None


def _tally(decisions: Iterable[DecisionFacts]) -> _Tally:
    wins = dict.fromkeys(FUNCTIONS, 0)
    neither = 0
    for decision in decisions:
        winner = _winner(decision)
        if winner == "neither":
            neither += 1
        elif winner is not None:
            wins[winner] += 1
    return _Tally(wins, neither)


def one_sided_decisions(decisions: Sequence[DecisionFacts], thresholds: Thresholds, now: datetime) -> list[Finding]:
    """Teams (and the org) where the same function wins the disagreements: one side holds the power.

    A decision is *contested* when it is flagged contested, resolved with a chosen option, and the product and
    engineering leads preferred different options; its winner is the function whose preference was chosen
    (contested decisions where neither preference was chosen are left out). A team with at least
    ``one_sided_min_contested`` contested decisions, one function winning at least ``one_sided_share`` of them,
    gets a finding; the same rule over every team's contested decisions together gives one org-wide finding
    (subject ``org``), since a pattern across teams points at the org's structure rather than one pair (not
    when only one team has contested decisions: that would repeat the team's finding).
    Severity: ``0.5 + 2.5 * (share - one_sided_share)``, capped at 1. ``now`` is unused; all detectors share a
    signature.
    """
    del now
    findings: list[Finding] = []
    by_team = _by_team(decisions)
    for team, team_decisions in by_team.items():
        tally = _tally(team_decisions)
        one_side = tally.one_side(thresholds)
        if one_side is None:
            continue
        function, share = one_side
        findings.append(_one_sided_finding(f"team:{team}", [team], f"{team}: ", tally, function, share, thresholds))
    everyone = _tally(decisions)
    one_side = everyone.one_side(thresholds)
    involved = sorted(team for team, team_decisions in by_team.items() if _tally(team_decisions).contested)
    if one_side is not None and len(involved) > 1:
        function, share = one_side
        findings.append(_one_sided_finding("org", involved, "Across the org, ", everyone, function, share, thresholds))
    return sorted(findings, key=worst_first)


def _one_sided_finding(
    subject: str,
    teams: list[str],
    prefix: str,
    tally: _Tally,
    function: str,
    share: float,
    thresholds: Thresholds,
) -> Finding:
    other = "engineering" if function == "product" else "product"
    severity = min(1.0, max(0.0, 0.5 + (share - thresholds.one_sided_share) * 2.5))
    where = "each team's" if subject == "org" else f"{teams[0]}'s"
    return Finding(
        id=finding_id("one_sided_decisions", subject),
        kind="one_sided_decisions",
        practice=Practice.EQUAL_POWER,
        severity=round(severity, 3),
        title=f"{prefix}{function} wins {tally.wins[function]} of {tally.contested} contested decisions",
        scope=Scope(teams=teams),
        evidence={
            "scope": "org" if subject == "org" else "team",
            "contested": tally.contested,
            "wins": dict(tally.wins),
            "winning_function": function,
            "share": round(share, 3),
            "threshold_share": thresholds.one_sided_share,
            "threshold_contested": thresholds.one_sided_min_contested,
        },
        recommendation=Recommendation(
            practice=Practice.EQUAL_POWER,
            step=(
                f"Give {where} {other} lead equal standing with the {function} lead: settle disagreements on the "
                "five factors, not on rank, and escalate to the accountable manager instead of deferring by habit."
            ),
        ),
    )


# --- factor blind spots ----------------------------------------------------------------------------------------


def _words(factor: Factor) -> str:
    return factor.value.replace("_", " ")


def factor_blind_spots(decisions: Sequence[DecisionFacts], thresholds: Thresholds, now: datetime) -> list[Finding]:
    """A lead who ignores one of the five factors: the pair no longer weighs the whole goal together.

    Per team and per function (product, engineering), over the non-draft decisions where that function's lead
    scored anything: with at least ``blind_spot_min_decisions`` of them, every factor the lead never scored
    ("never scored") or only ever scored 0 ("always 0") is a blind spot. One finding per (team, function) lists
    every blind factor; severity ``0.4 + 0.15`` per blind factor, capped at 1. ``now`` is unused; all detectors
    share a signature.
    """
    del now
    findings: list[Finding] = []
    for team, team_decisions in _by_team(decisions).items():
        for function in FUNCTIONS:
            # The team's weighed decisions (either lead scored something): a lead who never scores while their
            # counterpart does is blind on every factor; a team that never scores at all (an imported log without
            # scores) is missing data, not a blind spot.
            scored = [
                d.scores.get(function, {})
                for d in team_decisions
                if d.state != DecisionState.DRAFT and any(any(by.values()) for by in d.scores.values())
            ]
            if len(scored) < thresholds.blind_spot_min_decisions:
                continue
            how: dict[str, str] = {}
            for factor in Factor:
                given = [score for scores in scored for score in scores.get(factor, [])]
                if not given:
                    how[factor.value] = "never scored"
                elif not any(given):
                    how[factor.value] = "always 0"
            if not how:
                continue
            blind = [Factor(value) for value in how]
            findings.append(
                Finding(
                    id=finding_id("factor_blind_spot", f"team:{team}:{function}"),
                    kind="factor_blind_spot",
                    practice=Practice.SHARED_GOAL,
                    severity=round(min(1.0, 0.4 + 0.15 * len(blind)), 3),
                    title=f"{team}: {function} never weighs " + _joined([_words(factor) for factor in blind]),
                    scope=Scope(teams=[team]),
                    evidence={
                        "scope": "team",
                        "function": function,
                        "factors": [factor.value for factor in blind],
                        "decisions_scored": len(scored),
                        "how": how,
                        "threshold_decisions": thresholds.blind_spot_min_decisions,
                    },
                    recommendation=Recommendation(
                        practice=Practice.SHARED_GOAL,
                        step=(
                            f"Ask the {team} {function} lead to score every option on all five factors, "
                            f"{_joined([_words(factor) for factor in blind])} included, and review the scores with "
                            "their counterpart before either signs off: the goal is shared, so are the factors."
                        ),
                    ),
                )
            )
    return sorted(findings, key=worst_first)


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


# --- metrics ---------------------------------------------------------------------------------------------------


def team_metrics(decisions: Sequence[DecisionFacts], now: datetime) -> dict[str, dict[str, float | int | None]]:
    """How each team decides, by team name: volume, speed, escalations and who settles things.

    - ``decisions``: every decision recorded, drafts included; ``resolved``: those agreed or decided;
    - ``pending``: opened and not yet resolved at ``now``; ``overdue``: pending and past decide-by at ``now``;
    - ``median_working_days_to_decide``, ``p90_working_days_to_decide``: opening to resolution over resolved
      decisions (NumPy's linear percentiles), None with none resolved;
    - ``escalation_rate``: the share of opened (non-draft) decisions that were escalated, None with none opened;
    - ``decided_by_product`` / ``decided_by_engineering``: shares of resolved decisions where the leads disagreed
      and that function's preference prevailed (however it was settled);
    - ``decided_jointly``: agreed by both leads; ``decided_by_manager``: decided by the accountable manager
      after an escalation. Shares of resolved decisions; None with none resolved.
    """
    metrics: dict[str, dict[str, float | int | None]] = {}
    for team, team_decisions in _by_team(decisions).items():
        opened = [d for d in team_decisions if d.state != DecisionState.DRAFT]
        resolved = [d for d in team_decisions if d.resolved_at is not None]
        took = [working_days_between(d.opened_at, d.resolved_at) for d in resolved if d.resolved_at is not None]
        pending = [d for d in team_decisions if is_pending(d)]

        settled = Counter(d.decided_by_function for d in resolved)
        prevailed = Counter(_winner(d) for d in resolved)
        metrics[team] = {
            "decisions": len(team_decisions),
            "resolved": len(resolved),
            "pending": len(pending),
            "overdue": sum(1 for d in pending if d.decide_by < now),
            "median_working_days_to_decide": _median(took),
            "p90_working_days_to_decide": round(float(np.percentile(took, 90)), 2) if took else None,
            "escalation_rate": _share(sum(1 for d in opened if d.escalated_at is not None), len(opened)),
            "decided_by_product": _share(prevailed["product"], len(resolved)),
            "decided_by_engineering": _share(prevailed["engineering"], len(resolved)),
            "decided_jointly": _share(settled["joint"], len(resolved)),
            "decided_by_manager": _share(settled["manager"], len(resolved)),
        }
    return metrics
