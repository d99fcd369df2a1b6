"""The decision detectors and metrics on hand-built facts: each fires on its planted case, not just below it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tandem.config import Thresholds
from tandem.decisions.analysis import decision_paralysis, factor_blind_spots, one_sided_decisions, team_metrics
from tandem.decisions.facts import DecisionFacts, DecisionState, Factor, within
from tandem.walk.findings import Practice, finding_id
from tandem.workdays import add_working_days

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
THRESHOLDS = Thresholds()
_ids = iter(range(1, 1_000_000))


def facts(
    team: str = "Payments",
    *,
    state: DecisionState = DecisionState.OPEN,
    opened: datetime = MONDAY,
    timebox: int = 5,
    resolved_after: float | None = None,
    escalated_after: float | None = None,
    contested: bool = False,
    chosen: str | None = None,
    decided_by: str | None = None,
    preferences: dict[str, str] | None = None,
    scores: dict[str, dict[Factor, list[int]]] | None = None,
) -> DecisionFacts:
    """A decision opened at ``opened``; ``*_after`` are whole working days after opening."""
    return DecisionFacts(
        id=next(_ids),
        team=team,
        title=f"Decision {team}",
        state=state,
        opened_at=opened,
        decide_by=add_working_days(opened, timebox),
        resolved_at=add_working_days(opened, int(resolved_after)) if resolved_after is not None else None,
        escalated_at=add_working_days(opened, int(escalated_after)) if escalated_after is not None else None,
        contested=contested,
        chosen_option=chosen,
        decided_by_function=decided_by,
        preferences=preferences or {},
        scores=scores or {},
    )


def won_by(winner: str, team: str = "Payments") -> DecisionFacts:
    """A contested decision, resolved in favour of ``winner``'s preference."""
    preferences = {"product": "ship now", "engineering": "wait for the rewrite"}
    return facts(
        team,
        state=DecisionState.DECIDED,
        resolved_after=3,
        contested=True,
        chosen=preferences[winner],
        decided_by="other",
        preferences=preferences,
    )


def scored(function: str, blind: dict[Factor, list[int] | None] | None = None) -> DecisionFacts:
    """A decision both leads scored on two options, 1 and -1 per factor, except where ``blind`` says otherwise
    for ``function``'s lead."""
    per_factor: dict[Factor, list[int]] = {}
    for factor in Factor:
        override = (blind or {}).get(factor, [1, -1])
        if factor in (blind or {}) and override is None:
            continue
        per_factor[factor] = list(override or [])
    counterpart = "engineering" if function == "product" else "product"
    full = {factor: [1, -1] for factor in Factor}
    return facts(state=DecisionState.AGREED, resolved_after=2, scores={function: per_factor, counterpart: full})


def working_days_later(days: int) -> datetime:
    return add_working_days(MONDAY, days)


# --- decision_paralysis ----------------------------------------------------------------------------------------


def test_overdue_by_exactly_the_threshold_is_not_paralysis() -> None:
    decision = facts()
    now = add_working_days(decision.decide_by, THRESHOLDS.paralysis_overdue_days)
    assert decision_paralysis([decision], THRESHOLDS, now) == []


def test_overdue_by_more_than_the_threshold_is_paralysis() -> None:
    decision = facts(state=DecisionState.CONTESTED)
    now = add_working_days(decision.decide_by, 6)

    (finding,) = decision_paralysis([decision], THRESHOLDS, now)

    assert finding.kind == "decision_paralysis"
    assert finding.practice == Practice.COMMON_MANAGER
    assert finding.recommendation.practice == Practice.COMMON_MANAGER
    assert finding.id == finding_id("decision_paralysis", "team:Payments")
    assert finding.scope.teams == ["Payments"]
    assert finding.evidence["reasons"] == ["overdue"]
    assert finding.evidence["decisions"] == [
        {
            "id": decision.id,
            "title": "Decision Payments",
            "state": "contested",
            "age_working_days": 11.0,
            "overdue_working_days": 6.0,
        }
    ]
    assert finding.severity == pytest.approx(0.7)


def test_weekends_do_not_count_towards_overdue() -> None:
    decision = facts()  # decide_by is the next Monday 09:00
    now = decision.decide_by + timedelta(days=7)  # seven calendar days, five working days
    assert decision_paralysis([decision], THRESHOLDS, now) == []
    assert decision_paralysis([decision], THRESHOLDS, now + timedelta(days=1))  # a sixth working day


@pytest.mark.parametrize(
    ("state", "resolved_after"),
    [(DecisionState.DRAFT, None), (DecisionState.CLOSED, None), (DecisionState.AGREED, 4)],
)
def test_drafts_closed_and_resolved_decisions_are_never_overdue(
    state: DecisionState, resolved_after: float | None
) -> None:
    decision = facts(state=state, resolved_after=resolved_after)
    assert decision_paralysis([decision], THRESHOLDS, working_days_later(60)) == []


def test_a_median_over_the_timebox_is_paralysis() -> None:
    slow = [facts(state=DecisionState.AGREED, resolved_after=days) for days in (3, 7, 8)]

    (finding,) = decision_paralysis(slow, THRESHOLDS, working_days_later(30))

    assert finding.evidence["reasons"] == ["slow_median"]
    assert finding.evidence["median_working_days_to_decide"] == 7.0
    assert finding.evidence["median_timebox_working_days"] == 5.0
    assert [d["overdue_working_days"] for d in finding.evidence["decisions"]] == [3.0, 2.0]


def test_a_median_within_the_timebox_is_not_paralysis() -> None:
    decisions = [facts(state=DecisionState.AGREED, resolved_after=days) for days in (3, 5, 8)]
    assert decision_paralysis(decisions, THRESHOLDS, working_days_later(30)) == []


def test_a_slow_median_needs_three_resolved_decisions() -> None:
    decisions = [facts(state=DecisionState.AGREED, resolved_after=days) for days in (7, 8)]
    assert decision_paralysis(decisions, THRESHOLDS, working_days_later(30)) == []


def test_an_escalation_pending_longer_than_the_threshold_is_paralysis() -> None:
    decision = facts(state=DecisionState.ESCALATED, escalated_after=1)

    (finding,) = decision_paralysis([decision], THRESHOLDS, working_days_later(4))

    assert finding.evidence["reasons"] == ["unanswered_escalation"]
    assert finding.severity == pytest.approx(0.4)


def test_an_escalation_pending_exactly_the_threshold_is_not_paralysis() -> None:
    decision = facts(state=DecisionState.ESCALATED, escalated_after=1)
    assert decision_paralysis([decision], THRESHOLDS, working_days_later(3)) == []


def test_an_escalation_answered_late_is_paralysis_even_once_resolved() -> None:
    late = facts(state=DecisionState.DECIDED, escalated_after=1, resolved_after=4)
    prompt = facts(state=DecisionState.DECIDED, escalated_after=1, resolved_after=3)

    assert decision_paralysis([prompt], THRESHOLDS, working_days_later(40)) == []
    (finding,) = decision_paralysis([late], THRESHOLDS, working_days_later(40))
    assert finding.evidence["reasons"] == ["unanswered_escalation"]


def test_one_finding_per_team_listing_at_most_ten_decisions_worst_first() -> None:
    now = working_days_later(40)
    stuck = [facts(opened=working_days_later(day), state=DecisionState.OPEN) for day in range(12)]
    other = facts("Checkout", opened=working_days_later(30))

    (finding,) = decision_paralysis([*stuck, other], THRESHOLDS, now)

    listed = finding.evidence["decisions"]
    assert len(listed) == 10
    assert [d["id"] for d in listed] == [d.id for d in stuck[:10]]
    assert listed[0]["overdue_working_days"] == 35.0
    assert finding.severity == 1.0


def test_paralysis_findings_are_worst_first_with_stable_ids() -> None:
    now = working_days_later(40)
    decisions = [facts("Alpha", opened=working_days_later(20)), facts("Zebra", opened=working_days_later(2))]

    findings = decision_paralysis(decisions, THRESHOLDS, now)

    assert [f.scope.teams for f in findings] == [["Zebra"], ["Alpha"]]  # the more overdue first
    assert findings == decision_paralysis(decisions[::-1], THRESHOLDS, now)


# --- one_sided_decisions ---------------------------------------------------------------------------------------


def test_four_contested_decisions_all_won_by_one_side_are_too_few() -> None:
    assert one_sided_decisions([won_by("product") for _ in range(4)], THRESHOLDS, MONDAY) == []


def test_five_contested_decisions_four_won_by_one_side_is_one_sided() -> None:
    decisions = [won_by("engineering") for _ in range(4)] + [won_by("product")]

    (finding,) = one_sided_decisions(decisions, THRESHOLDS, MONDAY)

    assert finding.kind == "one_sided_decisions"
    assert finding.practice == Practice.EQUAL_POWER
    assert finding.id == finding_id("one_sided_decisions", "team:Payments")
    assert finding.evidence == finding.evidence | {
        "scope": "team",
        "contested": 5,
        "wins": {"product": 1, "engineering": 4},
        "winning_function": "engineering",
        "share": 0.8,
    }
    assert finding.severity == pytest.approx(0.5)


def test_five_contested_decisions_three_won_by_one_side_is_not_one_sided() -> None:
    decisions = [won_by("product") for _ in range(3)] + [won_by("engineering") for _ in range(2)]
    assert one_sided_decisions(decisions, THRESHOLDS, MONDAY) == []


def test_a_clean_sweep_is_the_most_severe() -> None:
    (finding,) = one_sided_decisions([won_by("product") for _ in range(6)], THRESHOLDS, MONDAY)
    assert finding.severity == 1.0
    assert finding.evidence["share"] == 1.0


def test_pending_decisions_and_missing_preferences_do_not_count_as_contested() -> None:
    preferences = {"product": "a", "engineering": "b"}
    not_counted = [
        facts(contested=True, preferences=preferences),  # still pending
        facts(contested=True, chosen="a", preferences={"product": "a"}, resolved_after=2),  # one preference
    ]
    assert one_sided_decisions([won_by("product") for _ in range(4)] + not_counted, THRESHOLDS, MONDAY) == []


def test_a_disagreement_settled_on_neither_option_counts_for_nobody() -> None:
    neither = facts(contested=True, chosen="c", preferences={"product": "a", "engineering": "b"}, resolved_after=2)
    (finding,) = one_sided_decisions([won_by("product") for _ in range(4)] + [neither], THRESHOLDS, MONDAY)
    assert (finding.evidence["contested"], finding.evidence["share"]) == (5, 0.8)


def test_a_conceded_disagreement_counts_like_a_contested_one() -> None:
    conceded = facts(contested=False, chosen="a", preferences={"product": "a", "engineering": "b"}, resolved_after=2)
    (finding,) = one_sided_decisions([won_by("product") for _ in range(4)] + [conceded], THRESHOLDS, MONDAY)
    assert finding.evidence["wins"] == {"product": 5, "engineering": 0}


def test_a_pattern_across_teams_is_an_org_finding() -> None:
    decisions = [won_by("product", team) for team in ("Search", "Billing", "Payments") for _ in range(2)]

    (finding,) = one_sided_decisions(decisions, THRESHOLDS, MONDAY)

    assert finding.id == finding_id("one_sided_decisions", "org")
    assert finding.evidence["scope"] == "org"
    assert finding.evidence["contested"] == 6
    assert finding.scope.teams == ["Billing", "Payments", "Search"]


def test_teams_one_sided_in_opposite_directions_do_not_make_an_org_finding() -> None:
    decisions = [won_by("product", "Search") for _ in range(5)] + [won_by("engineering", "Billing") for _ in range(5)]
    findings = one_sided_decisions(decisions, THRESHOLDS, MONDAY)
    assert sorted(f.scope.teams[0] for f in findings) == ["Billing", "Search"]
    assert all(f.evidence["scope"] == "team" for f in findings)


# --- factor_blind_spots ----------------------------------------------------------------------------------------


def test_a_factor_never_scored_over_four_decisions_is_too_little_to_judge() -> None:
    decisions = [scored("engineering", {Factor.USER_EXPERIENCE: None}) for _ in range(4)]
    assert factor_blind_spots(decisions, THRESHOLDS, MONDAY) == []


def test_a_factor_never_scored_over_five_decisions_is_a_blind_spot() -> None:
    decisions = [scored("engineering", {Factor.USER_EXPERIENCE: None}) for _ in range(5)]

    (finding,) = factor_blind_spots(decisions, THRESHOLDS, MONDAY)

    assert finding.kind == "factor_blind_spot"
    assert finding.practice == Practice.SHARED_GOAL
    assert finding.id == finding_id("factor_blind_spot", "team:Payments:engineering")
    assert finding.title == "Payments: engineering never weighs user experience"
    assert finding.evidence == finding.evidence | {
        "function": "engineering",
        "factors": ["user_experience"],
        "decisions_scored": 5,
        "how": {"user_experience": "never scored"},
    }
    assert finding.severity == pytest.approx(0.55)


def test_a_factor_always_scored_zero_is_a_blind_spot() -> None:
    decisions = [scored("product", {Factor.FUTURE_MAINTAINABILITY: [0, 0]})] * 5
    (finding,) = factor_blind_spots(decisions, THRESHOLDS, MONDAY)
    assert finding.evidence["how"] == {"future_maintainability": "always 0"}


def test_a_factor_scored_once_in_a_while_is_not_a_blind_spot() -> None:
    decisions = [scored("product", {Factor.TEAM_MORALE: [0, 0]})] * 4 + [scored("product")]
    assert factor_blind_spots(decisions, THRESHOLDS, MONDAY) == []


def test_every_blind_factor_of_a_lead_goes_in_one_finding() -> None:
    blind: dict[Factor, list[int] | None] = {Factor.TEAM_MORALE: None, Factor.PRODUCT_CLARITY: [0, 0]}
    (finding,) = factor_blind_spots([scored("engineering", blind) for _ in range(5)], THRESHOLDS, MONDAY)
    assert finding.evidence["factors"] == ["product_clarity", "team_morale"]
    assert finding.title == "Payments: engineering never weighs product clarity or team morale"
    assert finding.severity == pytest.approx(0.7)


def test_decisions_nobody_scored_do_not_count() -> None:
    decisions = [scored("product", {Factor.USER_EXPERIENCE: None}) for _ in range(4)] + [
        facts(state=DecisionState.AGREED)
    ]
    assert factor_blind_spots(decisions, THRESHOLDS, MONDAY) == []


def test_a_lead_who_never_scores_while_the_counterpart_does_is_blind_on_every_factor() -> None:
    decisions = [facts(state=DecisionState.AGREED, scores={"product": {f: [1] for f in Factor}}) for _ in range(5)]
    (finding,) = factor_blind_spots(decisions, THRESHOLDS, MONDAY)
    assert (finding.evidence["function"], len(finding.evidence["factors"])) == ("engineering", 5)


# --- team_metrics ----------------------------------------------------------------------------------------------


def test_team_metrics_by_hand() -> None:
    decisions = [
        facts(state=DecisionState.DRAFT),
        facts(state=DecisionState.AGREED, resolved_after=1, decided_by="joint"),
        facts(
            state=DecisionState.DECIDED,
            resolved_after=2,
            decided_by="joint",
            chosen="A",
            preferences={"product": "A", "engineering": "B"},
        ),
        facts(state=DecisionState.DECIDED, resolved_after=4, escalated_after=3, decided_by="manager"),
        facts(state=DecisionState.ESCALATED, escalated_after=2),
        facts("Checkout", state=DecisionState.OPEN),
    ]
    now = working_days_later(6)

    metrics = team_metrics(decisions, now)

    assert list(metrics) == ["Checkout", "Payments"]
    expected: dict[str, Any] = {
        "decisions": 5,
        "resolved": 3,
        "pending": 1,
        "overdue": 1,
        "median_working_days_to_decide": 2.0,
        "p90_working_days_to_decide": 3.6,  # 2 + 0.8 * (4 - 2)
        "escalation_rate": 0.5,  # 2 of the 4 opened
        "decided_by_product": 0.3333,
        "decided_by_engineering": 0.0,
        "decided_jointly": 0.6667,
        "decided_by_manager": 0.3333,
    }
    assert metrics["Payments"] == expected
    assert metrics["Checkout"] == {
        "decisions": 1,
        "resolved": 0,
        "pending": 1,
        "overdue": 1,
        "median_working_days_to_decide": None,
        "p90_working_days_to_decide": None,
        "escalation_rate": 0.0,
        "decided_by_product": None,
        "decided_by_engineering": None,
        "decided_jointly": None,
        "decided_by_manager": None,
    }


def test_team_metrics_of_nothing_is_empty() -> None:
    assert team_metrics([], MONDAY) == {}


def test_as_of_a_window_s_end_a_decision_settled_later_is_still_open() -> None:
    settled_later = facts(state=DecisionState.DECIDED, resolved_after=6, escalated_after=5, chosen="ship now")
    [then] = within([settled_later], None, add_working_days(MONDAY, 5) + timedelta(hours=1))
    assert (then.state, then.resolved_at, then.chosen_option) == (DecisionState.ESCALATED, None, None)
    assert then.escalated_at == settled_later.escalated_at
    [earlier] = within([settled_later], None, add_working_days(MONDAY, 2))
    assert (earlier.state, earlier.escalated_at) == (DecisionState.OPEN, None)


def test_a_window_keeps_the_decisions_opened_inside_it() -> None:
    before, inside = facts(opened=MONDAY), facts(opened=MONDAY + timedelta(days=10))
    assert within([before, inside], MONDAY + timedelta(days=1), None) == [inside]
    assert within([before, inside], None, MONDAY + timedelta(days=1)) == [before]
