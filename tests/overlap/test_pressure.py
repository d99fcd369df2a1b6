"""The pressure test on plain facts, its statistics checked against SciPy's independent implementations."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from scipy import stats as scipy_stats

from tandem.config import Thresholds
from tandem.decisions.facts import DecisionFacts, DecisionState
from tandem.overlap import pressure
from tandem.overlap.facts import Attendee, OccurrenceFacts, PressureFacts, RitualKind, TeamEvent
from tandem.schedule.facts import ChangeFacts, RevisionFacts, ScheduleFacts, SignatureFacts
from tandem.trust.facts import ResponseFacts, TrustFacts, TrustThresholds
from tandem.trust.instrument import DEFAULT_INSTRUMENT, Direction
from tandem.workdays import add_working_days

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)  # a Wednesday
T = Thresholds()
TEAM = "Payments"
LEADS: dict[str, dict[str, str | None]] = {TEAM: {"product": "pm1", "engineering": "em1"}}
PM, EM = Attendee("pm1", "product"), Attendee("em1", "engineering")
ITEM = next(item.id for item in DEFAULT_INSTRUMENT.items if not item.reverse)
_ids = itertools.count(1)

# A commitment both leads signed, due 2026-09-30 (a Wednesday): 15 working days before it are under pressure.
DUE = date(2026, 9, 30)
PRESSURE_START = add_working_days(datetime(2026, 9, 30, 17, tzinfo=UTC), -15)


def committed(target: date = DUE, team: str = TEAM) -> RevisionFacts:
    signed = datetime(2026, 6, 1, tzinfo=UTC)
    return RevisionFacts(
        commitment_id=next(_ids),
        title="Checkout v2",
        team=team,
        number=1,
        target_date=target,
        scope_size=10,
        confidence=0.85,
        initiated_by="pm1",
        initiated_function="product",
        created_at=signed,
        signatures=(SignatureFacts("product", "pm1", signed), SignatureFacts("engineering", "em1", signed)),
        in_force=True,
    )


def inside(i: int) -> datetime:
    """A moment inside the pressure period (the ten working days before the due date, cycled)."""
    return add_working_days(datetime(2026, 9, 30, 10, tzinfo=UTC), -(i % 10))


def outside(i: int) -> datetime:
    """A moment in the baseline: spread over March to July."""
    return add_working_days(datetime(2026, 3, 2, 10, tzinfo=UTC), i % 100)


def ritual(at: datetime, joint: bool, kind: RitualKind = RitualKind.STANDUP) -> OccurrenceFacts:
    return OccurrenceFacts(
        id=next(_ids), team=TEAM, kind=kind, start=at, minutes=15, attendees=(PM, EM) if joint else (EM,)
    )


def rituals(joint_in: int, n_in: int, joint_out: int, n_out: int) -> list[OccurrenceFacts]:
    return [ritual(inside(i), i < joint_in) for i in range(n_in)] + [
        ritual(outside(i), i < joint_out) for i in range(n_out)
    ]


def decision(opened: datetime, escalated: bool) -> DecisionFacts:
    return DecisionFacts(
        id=next(_ids),
        team=TEAM,
        title="d",
        state=DecisionState.DECIDED,
        opened_at=opened,
        decide_by=opened + timedelta(days=7),
        resolved_at=opened + timedelta(days=3),
        escalated_at=opened + timedelta(days=1) if escalated else None,
    )


def trust(pulses: dict[date, list[int]], team: str = TEAM) -> TrustFacts:
    responses = [
        ResponseFacts(
            team=team,
            pulse_id=f"1|{day.isoformat()}",
            pulse_date=day,
            direction=Direction.ENGINEERING_TO_PRODUCT if i % 2 else Direction.PRODUCT_TO_ENGINEERING,
            response_id=f"r{next(_ids)}",
            scores={ITEM: score},
        )
        for day, scores in pulses.items()
        for i, score in enumerate(scores)
    ]
    return TrustFacts(responses=responses)


def facts(
    occurrences: list[OccurrenceFacts] | None = None,
    decisions: list[DecisionFacts] | None = None,
    changes: list[ChangeFacts] | None = None,
    trust_facts: TrustFacts | None = None,
    revisions: list[RevisionFacts] | None = None,
) -> PressureFacts:
    return PressureFacts(
        schedule=ScheduleFacts(
            changes=changes or [], revisions=[committed()] if revisions is None else revisions, leads=LEADS, now=NOW
        ),
        decisions=decisions or [],
        occurrences=occurrences or [],
        trust=trust_facts or TrustFacts(responses=[]),
        now=NOW,
        leads=LEADS,
    )


# --- the statistics against SciPy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hits_a", "n_a", "hits_b", "n_b"), [(5, 20, 30, 40), (12, 15, 20, 60), (1, 9, 7, 11), (50, 400, 61, 380)]
)
def test_the_two_proportion_test_agrees_with_scipys_chi_square(hits_a: int, n_a: int, hits_b: int, n_b: int) -> None:
    z, p = pressure.two_proportion_test(hits_a, n_a, hits_b, n_b)
    table = [[hits_a, n_a - hits_a], [hits_b, n_b - hits_b]]
    chi2, expected_p, _, _ = scipy_stats.chi2_contingency(table, correction=False)
    assert z**2 == pytest.approx(chi2, rel=1e-9)
    assert p == pytest.approx(expected_p, rel=1e-9)


def test_two_shares_without_variance_are_no_evidence() -> None:
    assert pressure.two_proportion_test(10, 10, 20, 20) == (0.0, 1.0)


def test_the_trust_measure_agrees_with_scipys_welch() -> None:
    inside_scores = [2, 3, 2, 4, 3, 2]
    outside_scores = [5, 6, 5, 6, 5, 7, 6]
    pulses = {date(2026, 9, 25): inside_scores, date(2026, 5, 4): outside_scores}
    compared = pressure.compare_under_pressure(facts(trust_facts=trust(pulses)), T)[TEAM]
    measure = compared.measures["trust"]
    expected = scipy_stats.ttest_ind(inside_scores, outside_scores, equal_var=False)
    assert measure.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert measure.p_value == pytest.approx(expected.pvalue, rel=1e-7)
    assert (measure.inside_n, measure.outside_n) == (6, 7)


# --- pressure periods -----------------------------------------------------------------------------------------------


def test_the_fifteen_working_days_before_a_committed_date_are_under_pressure() -> None:
    [period] = pressure.pressure_periods(pressure.team_events(facts(), T), T)[TEAM]
    assert period.start == PRESSURE_START
    assert period.end == datetime(2026, 9, 30, 17, tzinfo=UTC)
    assert period.start == datetime(2026, 9, 9, 17, tzinfo=UTC)  # three calendar weeks back


def test_a_slip_opens_ten_working_days_of_pressure() -> None:
    first = committed(date(2026, 10, 30))
    slipped = RevisionFacts(
        **{
            **first.__dict__,
            "number": 2,
            "target_date": date(2026, 11, 30),
            "created_at": datetime(2026, 7, 6, 9, tzinfo=UTC),
        }
    )
    periods = pressure.pressure_periods(pressure.team_events(facts(revisions=[first, slipped]), T), T)[TEAM]
    assert ("slip",) in [p.reasons for p in periods]
    slip = next(p for p in periods if p.reasons == ("slip",))
    assert (slip.start, slip.end) == (datetime(2026, 7, 6, 9, tzinfo=UTC), datetime(2026, 7, 20, 9, tzinfo=UTC))


def test_overlapping_periods_merge_and_keep_their_reasons() -> None:
    events = [
        TeamEvent(TEAM, "committed_date", datetime(2026, 9, 30, 17, tzinfo=UTC)),
        TeamEvent(TEAM, "incident", datetime(2026, 9, 28, 10, tzinfo=UTC)),
    ]
    [period] = pressure.pressure_periods(events, T)[TEAM]
    assert period.reasons == ("committed_date", "incident")
    assert period.end == add_working_days(datetime(2026, 9, 28, 10, tzinfo=UTC), 10)


def test_an_unsigned_proposal_is_not_a_committed_date() -> None:
    proposal = RevisionFacts(**{**committed().__dict__, "signatures": (), "in_force": False})
    assert pressure.pressure_periods(pressure.team_events(facts(revisions=[proposal]), T), T) == {}


# --- the finding ----------------------------------------------------------------------------------------------------


def test_joint_rituals_collapsing_under_pressure_is_a_fracture() -> None:
    [finding] = pressure.fracture_under_pressure(facts(rituals(3, 20, 38, 40)), T)
    assert finding.kind == "fracture_under_pressure"
    assert finding.evidence["fractured"] == ["joint_rituals"]
    measure = finding.evidence["measures"]["joint_rituals"]
    assert (measure["inside_hits"], measure["inside_n"], measure["outside_hits"], measure["outside_n"]) == (
        3,
        20,
        38,
        40,
    )


def test_the_same_behaviour_inside_and_outside_is_no_fracture() -> None:
    assert pressure.fracture_under_pressure(facts(rituals(15, 20, 30, 40)), T) == []


def test_too_few_events_under_pressure_are_not_compared() -> None:
    compared = pressure.compare_under_pressure(facts(rituals(0, T.fracture_min_sample - 1, 40, 40)), T)[TEAM]
    assert "joint_rituals" not in compared.measures


def test_a_significant_but_small_change_is_not_marked() -> None:
    # 2,000 rituals a side: 60% against 70% joint is significant (p < 1e-9) but moves only 0.1 < 0.2.
    compared = pressure.compare_under_pressure(facts(rituals(1200, 2000, 1400, 2000)), T)[TEAM]
    measure = compared.measures["joint_rituals"]
    assert measure.significant and measure.worse
    assert not measure.marked
    assert pressure.fracture_under_pressure(facts(rituals(1200, 2000, 1400, 2000)), T) == []


def test_behaving_better_under_pressure_is_no_fracture() -> None:
    assert pressure.fracture_under_pressure(facts(rituals(20, 20, 10, 40)), T) == []


def test_more_escalations_under_pressure_is_a_fracture() -> None:
    decisions = [decision(inside(i), i < 9) for i in range(12)] + [decision(outside(i), i < 3) for i in range(40)]
    [finding] = pressure.fracture_under_pressure(facts(decisions=decisions), T)
    assert finding.evidence["fractured"] == ["escalations"]


def test_changes_made_alone_under_pressure_is_a_fracture() -> None:
    def change(at: datetime, item: str, function: str, person: str) -> ChangeFacts:
        return ChangeFacts(TEAM, item, "due_date", at, person, person, function, "jira", "2026-10-01", "2026-10-08")

    alone_inside = [change(inside(i), f"IN-{i}", "engineering", "dev1") for i in range(10)]
    joint_outside = [
        c
        for i in range(20)
        for c in (
            change(outside(i), f"OUT-{i}", "engineering", "em1"),
            change(outside(i) + timedelta(hours=1), f"OUT-{i}", "product", "pm1"),
        )
    ]
    [finding] = pressure.fracture_under_pressure(facts(changes=alone_inside + joint_outside), T)
    assert finding.evidence["fractured"] == ["unilateral_changes"]
    assert finding.evidence["measures"]["unilateral_changes"]["inside"] == 1.0
    assert finding.evidence["measures"]["unilateral_changes"]["outside"] == 0.0


def test_the_significance_level_is_shared_out_among_the_measures() -> None:
    # 9 of 20 joint under pressure against 29 of 40 outside: p = 0.037, between 0.05 / 2 and 0.05; 0.275 marked.
    occurrences = rituals(9, 20, 29, 40)
    _, p = pressure.two_proportion_test(9, 20, 29, 40)
    assert 0.05 / 2 < p < 0.05
    alone = pressure.compare_under_pressure(facts(occurrences), T)[TEAM]
    assert alone.alpha_each == 0.05
    assert alone.measures["joint_rituals"].fractured
    calm_decisions = [decision(inside(i), False) for i in range(10)] + [decision(outside(i), False) for i in range(10)]
    with_two = pressure.compare_under_pressure(facts(occurrences, decisions=calm_decisions), T)[TEAM]
    assert with_two.alpha_each == 0.025
    assert not with_two.measures["joint_rituals"].fractured


def test_trust_falling_under_pressure_is_a_fracture() -> None:
    pulses = {date(2026, 9, 25): [2, 3, 2, 3, 2, 3], date(2026, 5, 4): [6, 5, 6, 6, 5, 6]}
    [finding] = pressure.fracture_under_pressure(facts(trust_facts=trust(pulses)), T)
    assert finding.evidence["fractured"] == ["trust"]


def test_trust_too_small_to_release_is_never_compared() -> None:
    pulses = {date(2026, 9, 25): [1, 1, 1, 1], date(2026, 5, 4): [7, 7, 7, 7, 7, 7]}  # 4 < min_group_size 5
    compared = pressure.compare_under_pressure(facts(trust_facts=trust(pulses)), T)
    assert "trust" not in compared[TEAM].measures


def test_a_stricter_group_minimum_withholds_trust() -> None:
    pulses = {date(2026, 9, 25): [2, 3, 2, 3, 2, 3], date(2026, 5, 4): [6, 5, 6, 6, 5, 6]}
    strict = TrustThresholds(min_group_size=7)
    assert pressure.compare_under_pressure(facts(trust_facts=trust(pulses)), T, strict)[TEAM].measures == {}


def test_a_team_without_pressure_is_not_compared() -> None:
    assert pressure.compare_under_pressure(facts(rituals(0, 0, 10, 40), revisions=[]), T) == {}


def test_the_finding_and_the_metrics_share_one_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = pressure.team_events  # read once per comparison

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pressure, "team_events", counted)
    same = facts(rituals(3, 20, 38, 40))
    [finding] = pressure.fracture_under_pressure(same, T)
    figures = pressure.pressure_figures(same, T)
    assert figures[TEAM]["measures"]["joint_rituals"] == finding.evidence["measures"]["joint_rituals"]
    assert len(calls) == 1
    pressure.pressure_figures(facts(rituals(3, 20, 38, 40)), T)  # other facts: compared afresh
    assert len(calls) == 2
