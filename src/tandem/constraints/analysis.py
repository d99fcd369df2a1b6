"""The constraints finding, metrics and ages: pure functions over ``BoardFacts``, no database.

Every duration is in working days (Monday to Friday, see ``tandem.workdays``), so a weekend never makes a
constraint look neglected. A month, for "constraints shared per person per month", is 30 days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from tandem.config import Thresholds
from tandem.constraints.facts import FUNCTIONS, BoardFacts, ConstraintFacts, ConstraintState
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, finding_id, worst_first
from tandem.workdays import working_days_between

MAX_LISTED = 10
"""The most constraints a finding's evidence lists, longest waiting first."""
DAYS_PER_MONTH = 30.0
_EPSILON = 1e-9
"""An average of exactly the threshold must not count as above it because of float rounding."""


def other_side(function: str) -> str:
    return "engineering" if function == "product" else "product"


def unacknowledged_working_days(constraint: ConstraintFacts, now: datetime) -> float:
    """How long the constraint sat without the counterpart's acknowledgement: until it was acknowledged, else
    until it was resolved (it went away unacknowledged), else until ``now``."""
    end = constraint.acknowledged_at or constraint.resolved_at or now
    return max(0.0, working_days_between(constraint.posted_at, end))


def working_days_to_acknowledge(constraint: ConstraintFacts) -> float | None:
    if constraint.acknowledged_at is None:
        return None
    return max(0.0, working_days_between(constraint.posted_at, constraint.acknowledged_at))


def working_days_to_resolve(constraint: ConstraintFacts) -> float | None:
    if constraint.resolved_at is None:
        return None
    return max(0.0, working_days_between(constraint.posted_at, constraint.resolved_at))


def working_days_phrase(days: float) -> str:
    """Whole working days, as a person would say them."""
    whole = int(days)
    if whole < 1:
        return "less than a working day"
    return f"{whole} working day{'s' if whole != 1 else ''}"


def age_text(constraint: ConstraintFacts, now: datetime) -> str:
    """The age a board shows: "3 working days unacknowledged", "acknowledged after 1 working day, open 4 working
    days", "resolved jointly after 6 working days"."""
    if constraint.state is ConstraintState.OPEN:
        return f"{working_days_phrase(unacknowledged_working_days(constraint, now))} unacknowledged"
    took = working_days_to_acknowledge(constraint)
    if constraint.state is ConstraintState.ACKNOWLEDGED:
        assert took is not None
        open_for = max(0.0, working_days_between(constraint.posted_at, now))
        return f"acknowledged after {working_days_phrase(took)}, open {working_days_phrase(open_for)}"
    resolved = working_days_to_resolve(constraint) or 0.0
    how = "jointly" if constraint.resolved_jointly else "without acknowledgement"
    return f"resolved {how} after {working_days_phrase(resolved)}"


def _median(values: Sequence[float]) -> float | None:
    return round(float(np.percentile(values, 50)), 2) if values else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _by_team(constraints: Sequence[ConstraintFacts]) -> dict[str, list[ConstraintFacts]]:
    teams: dict[str, list[ConstraintFacts]] = defaultdict(list)
    for constraint in constraints:
        teams[constraint.team].append(constraint)
    return {team: sorted(teams[team], key=lambda c: (c.posted_at, c.id)) for team in sorted(teams)}


# --- hidden constraints ---------------------------------------------------------------------------------------------


def hidden_constraints(facts: BoardFacts, thresholds: Thresholds) -> list[Finding]:
    """Teams where constraints stay hidden: one side exposes theirs and the other does not, or nobody answers.

    One finding per team when either holds (``reasons`` in the evidence):

    - ``one_sided_posting``: over the last ``hidden_constraints_window_days``, one function (product or
      engineering; a lead counts for their seat) posted at least ``hidden_constraints_min_posted`` constraints
      while the other, which has at least one active person on the team, posted none;
    - ``slow_acknowledgement``: the team's constraints sat unacknowledged by the counterpart for more than
      ``acknowledgement_working_days`` working days on average. Judged over the constraints posted in the window
      and every one still unacknowledged and unresolved, whatever its age; each counts the working days from
      posting to its acknowledgement, else to its resolution (it went away unacknowledged), else to now.

    Constraints from other functions (design, data) count for neither side of the first rule, but they wait for
    an acknowledgement like any other. Severity: ``0.45 + 0.05`` per constraint of the posting side for a
    one-sided team, ``0.4 + 0.1`` per working day above the threshold for a slow one (the larger, plus 0.1 when
    both hold), capped at 1.
    """
    since = facts.now - timedelta(days=thresholds.hidden_constraints_window_days)
    findings = []
    for team, constraints in _by_team(facts.constraints).items():
        known = [c for c in constraints if c.posted_at <= facts.now]
        recent = [c for c in known if c.posted_at >= since]
        judged = [c for c in known if c.posted_at >= since or c.state is ConstraintState.OPEN]
        finding = _team_finding(team, recent, judged, facts, thresholds)
        if finding is not None:
            findings.append(finding)
    return sorted(findings, key=worst_first)


def _one_sided(recent: Sequence[ConstraintFacts], members: dict[str, int], minimum: int) -> tuple[str, str] | None:
    """(the side that posts, the silent side), when one side posts at least ``minimum`` and the other none."""
    posted = {f: sum(1 for c in recent if c.function == f) for f in FUNCTIONS}
    for function in FUNCTIONS:
        silent = other_side(function)
        if posted[function] >= minimum and posted[silent] == 0 and members.get(silent, 0) > 0:
            return function, silent
    return None


def _team_finding(
    team: str,
    recent: list[ConstraintFacts],
    judged: list[ConstraintFacts],
    facts: BoardFacts,
    thresholds: Thresholds,
) -> Finding | None:
    now = facts.now
    members = facts.members.get(team, {})
    leads = facts.leads.get(team, {})
    sides = _one_sided(recent, members, thresholds.hidden_constraints_min_posted)
    waits = {c.id: unacknowledged_working_days(c, now) for c in judged}
    mean_wait = sum(waits.values()) / len(waits) if waits else None
    slow = mean_wait is not None and mean_wait > thresholds.acknowledgement_working_days + _EPSILON
    if sides is None and not slow:
        return None
    reasons = (["one_sided_posting"] if sides else []) + (["slow_acknowledgement"] if slow else [])
    posted: dict[str, int] = defaultdict(int)
    for constraint in recent:
        posted[constraint.function] += 1
    severities = []
    titles = []
    steps = []
    if sides is not None:
        loud, silent = sides
        severities.append(0.45 + 0.05 * posted[loud])
        titles.append(
            f"{loud} shares its constraints, {silent} shares none ({posted[loud]} to 0 in {_window(thresholds)})"
        )
        steps.append(
            f"Have the {silent} lead post one of their own constraints on the {team} board this week, and the "
            f"{loud} side's be acknowledged within a day: trust grows when both sides show what they are short of, "
            "not when one side does all the exposing."
        )
    if slow:
        assert mean_wait is not None
        severities.append(0.4 + 0.1 * (mean_wait - thresholds.acknowledgement_working_days))
        titles.append(f"constraints wait {mean_wait:.1f} working days on average for the counterpart's acknowledgement")
        steps.append(
            f"Acknowledge every constraint within {thresholds.acknowledgement_working_days} working days (the board "
            "notifies the counterpart lead): a constraint nobody answers teaches people to stop posting them."
        )
    severity = max(severities) + (0.1 if len(severities) == 2 else 0.0)
    waiting_by_side: dict[str, list[float]] = defaultdict(list)
    for constraint in judged:
        waiting_by_side[constraint.function].append(waits[constraint.id])
    unanswered = sorted((c for c in judged if c.state is ConstraintState.OPEN), key=lambda c: waits[c.id], reverse=True)
    title = f"{team}: " + "; ".join(titles)
    return Finding(
        id=finding_id("hidden_constraints", f"team:{team}"),
        kind="hidden_constraints",
        practice=Practice.TRUST,
        severity=round(min(1.0, severity), 3),
        title=title[0].upper() + title[1:],
        scope=Scope(teams=[team], people=sorted({lead for lead in leads.values() if lead is not None})),
        evidence={
            "reasons": reasons,
            "window_days": thresholds.hidden_constraints_window_days,
            "posted_in_window": dict(sorted(posted.items())),
            "people": dict(sorted(members.items())),
            "posting_function": sides[0] if sides else None,
            "silent_function": sides[1] if sides else None,
            "judged_for_acknowledgement": len(judged),
            "mean_working_days_unacknowledged": round(mean_wait, 2) if mean_wait is not None else None,
            "mean_working_days_unacknowledged_by_function": {
                function: _mean(values) for function, values in sorted(waiting_by_side.items())
            },
            "still_unacknowledged": [
                {
                    "title": c.text if len(c.text) <= 80 else c.text[:79] + "…",
                    "id": c.id,
                    "kind": c.kind.value,
                    "function": c.function,
                    "posted_by": c.posted_by,
                    "posted_at": c.posted_at.isoformat(),
                    "working_days_unacknowledged": round(waits[c.id], 2),
                }
                for c in unanswered[:MAX_LISTED]
            ],
            "threshold_min_posted": thresholds.hidden_constraints_min_posted,
            "threshold_acknowledgement_working_days": thresholds.acknowledgement_working_days,
        },
        recommendation=Recommendation(practice=Practice.TRUST, step=" ".join(steps)),
    )


def _window(thresholds: Thresholds) -> str:
    return f"{thresholds.hidden_constraints_window_days} days"


# --- metrics --------------------------------------------------------------------------------------------------------


def _figures(constraints: Sequence[ConstraintFacts], people: int, months: float) -> dict[str, Any]:
    acknowledged = [d for c in constraints if (d := working_days_to_acknowledge(c)) is not None]
    resolved = [c for c in constraints if c.resolved_at is not None]
    return {
        "posted": len(constraints),
        "people": people,
        "per_person_per_month": round(len(constraints) / people / months, 3) if people else None,
        "median_working_days_to_acknowledge": _median(acknowledged),
        "median_working_days_to_resolve": _median(
            [d for c in resolved if (d := working_days_to_resolve(c)) is not None]
        ),
    }


def team_metrics(facts: BoardFacts, thresholds: Thresholds) -> dict[str, dict[str, Any]]:
    """Per team, over the constraints posted in the last ``hidden_constraints_window_days``:

    - ``posted``, ``people`` (active, leads by their seat) and ``per_person_per_month`` (constraints shared per
      person per 30 days; None for a team with nobody in it);
    - ``median_working_days_to_acknowledge`` (over those acknowledged) and ``median_working_days_to_resolve``
      (over those resolved), None when there are none;
    - ``open``, ``acknowledged``, ``resolved`` now, and ``resolved_jointly``: the share of the resolved ones that
      the counterpart had acknowledged first;
    - ``by_function``: the same first five figures for each side (product and engineering always, other
      functions when they have people or constraints).

    Teams with people but no constraints are listed too: sharing none is a figure.
    """
    window = thresholds.hidden_constraints_window_days
    since = facts.now - timedelta(days=window)
    months = window / DAYS_PER_MONTH
    by_team = _by_team([c for c in facts.constraints if since <= c.posted_at <= facts.now])
    figures: dict[str, dict[str, Any]] = {}
    for team in sorted(set(by_team) | set(facts.members)):
        constraints = by_team.get(team, [])
        members = facts.members.get(team, {})
        states = [c.state for c in constraints]
        resolved = [c for c in constraints if c.resolved_at is not None]
        functions = sorted(set(FUNCTIONS) | set(members) | {c.function for c in constraints}, key=_function_order)
        figures[team] = {
            **_figures(constraints, sum(members.values()), months),
            "open": states.count(ConstraintState.OPEN),
            "acknowledged": states.count(ConstraintState.ACKNOWLEDGED),
            "resolved": len(resolved),
            "resolved_jointly": round(sum(bool(c.resolved_jointly) for c in resolved) / len(resolved), 4)
            if resolved
            else None,
            "by_function": {
                function: _figures([c for c in constraints if c.function == function], members.get(function, 0), months)
                for function in functions
            },
        }
    return figures


def _function_order(function: str) -> tuple[int, str]:
    return (FUNCTIONS.index(function) if function in FUNCTIONS else len(FUNCTIONS), function)
