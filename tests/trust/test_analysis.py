"""The trust detectors on hand-built pulses: each fires on its planted case, not on a healthy one, and never shows
a group the privacy gate holds back."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, ClassVar
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.trust.analysis import trust_asymmetry, trust_breakdown, trust_metrics
from tandem.trust.facts import ResponseFacts, TrustFacts, TrustThresholds
from tandem.trust.instrument import DEFAULT_INSTRUMENT, Direction
from tandem.trust.privacy import Gate
from tandem.walk.findings import Practice, finding_id

P2E = Direction.PRODUCT_TO_ENGINEERING
E2P = Direction.ENGINEERING_TO_PRODUCT
FIRST_PULSE = date(2026, 1, 5)
HEALTHY = [6, 5, 6, 6, 5, 6]
_ids = itertools.count(1)


def group(team: str, direction: Direction, values: list[int], pulse: int = 3) -> list[ResponseFacts]:
    """One response per value, every item answered with it, in pulse number ``pulse`` (monthly)."""
    return [
        ResponseFacts(
            team=team,
            pulse_id=f"pulse-{pulse}",
            pulse_date=FIRST_PULSE + timedelta(days=28 * pulse),
            direction=direction,
            response_id=f"r{next(_ids)}",
            scores=dict.fromkeys(DEFAULT_INSTRUMENT.item_ids, value),
        )
        for value in values
    ]


def team(name: str, product: list[int], engineering: list[int], pulse: int = 3) -> list[ResponseFacts]:
    return group(name, P2E, product, pulse) + group(name, E2P, engineering, pulse)


def facts(*responses: list[ResponseFacts], managers: dict[str, tuple[str, ...]] | None = None) -> TrustFacts:
    return TrustFacts(responses=[r for rs in responses for r in rs], managers=managers or {})


def respondent_counts(evidence: Any) -> Iterator[int]:
    """Every ``respondents`` figure anywhere in a finding's evidence."""
    if isinstance(evidence, dict):
        for key, value in evidence.items():
            if key == "respondents":
                yield value
            yield from respondent_counts(value)
    elif isinstance(evidence, list):
        for value in evidence:
            yield from respondent_counts(value)


# --- trust breakdown -------------------------------------------------------------------------------------------


def test_a_healthy_team_has_no_breakdown() -> None:
    assert trust_breakdown(facts(team("Payments", HEALTHY, HEALTHY))) == []


def test_a_low_trust_index_is_a_breakdown() -> None:
    [finding] = trust_breakdown(facts(team("Payments", HEALTHY, [3, 3, 4, 3, 4, 3])))
    assert finding.kind == "trust_breakdown"
    assert finding.practice is Practice.TRUST
    assert finding.id == finding_id("trust_breakdown", "team:Payments:engineering_to_product")
    assert finding.scope.teams == ["Payments"]
    assert finding.title == "Payments: engineering's trust in product is 3.3 of 7"
    assert finding.evidence["direction"] == "engineering_to_product"
    assert finding.evidence["reasons"] == ["low_index", "low_lower_bound"]
    assert finding.evidence["respondents"] == 6
    assert finding.evidence["trust_index"] == 3.33
    assert finding.severity == pytest.approx(0.5 + 0.25 * (4.0 - 10 / 3), abs=1e-3)
    assert finding.recommendation.practice is Practice.TRUST


def test_a_wide_interval_reaching_below_the_bound_is_a_breakdown() -> None:
    [finding] = trust_breakdown(facts(team("Payments", [2, 7, 3, 6, 4, 5], HEALTHY)))
    assert finding.evidence["reasons"] == ["low_lower_bound"]
    assert finding.evidence["trust_index"] == 4.5
    assert finding.evidence["ci_low"] < 3.5
    assert finding.severity == 0.4


def test_just_above_both_thresholds_is_no_breakdown() -> None:
    assert trust_breakdown(facts(team("Payments", [4, 4, 5, 4, 4, 5, 4, 4], HEALTHY))) == []


def test_a_significant_fall_over_three_pulses_is_a_breakdown() -> None:
    history = facts(
        team("Payments", [6, 6, 7, 6, 6], HEALTHY, pulse=1),
        team("Payments", [5, 5, 6, 5, 5], HEALTHY, pulse=2),
        team("Payments", [4, 5, 4, 5, 4], HEALTHY, pulse=3),
    )
    [finding] = trust_breakdown(history)
    assert finding.evidence["reasons"] == ["falling"]
    assert finding.evidence["direction"] == "product_to_engineering"
    trend = finding.evidence["trend"]
    assert [p["trust_index"] for p in trend["pulses"]] == [6.2, 5.2, 4.4]
    assert trend["slope_per_pulse"] == -0.9
    assert trend["p_value"] < 0.05
    assert finding.title == "Payments: product's trust in engineering fell from 6.2 to 4.4 over 3 pulses"


def test_a_dip_within_the_noise_is_not_a_fall() -> None:
    history = facts(
        team("Payments", [6, 4, 7, 5, 5], HEALTHY, pulse=1),
        team("Payments", [5, 7, 4, 6, 6], HEALTHY, pulse=2),
        team("Payments", [5, 6, 5, 4, 7, 5], HEALTHY, pulse=3),
    )
    assert trust_breakdown(history) == []


def test_no_trend_when_a_pulse_of_the_window_is_too_small_to_show() -> None:
    history = facts(
        team("Payments", [6, 6, 7, 6, 6], HEALTHY, pulse=1),
        team("Payments", [5, 5, 6, 5], HEALTHY, pulse=2),
        team("Payments", [4, 5, 4, 5, 4], HEALTHY, pulse=3),
    )
    assert trust_breakdown(history) == []
    assert "trend" not in trust_metrics(history)["Payments"]["product_to_engineering"]


def test_only_the_latest_pulse_is_judged() -> None:
    history = facts(team("Payments", [2, 2, 3, 2, 2], HEALTHY, pulse=1), team("Payments", HEALTHY, HEALTHY, pulse=2))
    assert trust_breakdown(history) == []


def test_a_team_of_four_yields_nothing_at_all() -> None:
    tiny = facts(*(team("Payments", [1, 2, 1, 1], [1, 1, 2, 1], pulse=p) for p in (1, 2, 3)), managers={})
    assert trust_breakdown(tiny) == []
    assert trust_asymmetry(tiny) == []
    assert trust_metrics(tiny) == {}


def test_a_side_of_four_is_never_shown_even_beside_a_large_one() -> None:
    mixed = facts(team("Payments", [1, 1, 1, 2], [3, 3, 4, 3, 4, 3]))
    [finding] = trust_breakdown(mixed)
    assert finding.evidence["direction"] == "engineering_to_product"
    assert list(trust_metrics(mixed)["Payments"]) == ["engineering_to_product"]
    assert trust_asymmetry(mixed) == []


def test_a_raised_minimum_hides_a_group_the_default_shows() -> None:
    low = facts(team("Payments", HEALTHY, [3, 3, 4, 3, 4, 3]))
    assert trust_breakdown(low, TrustThresholds(min_group_size=7)) == []


def test_breakdowns_come_worst_first() -> None:
    both = facts(team("Payments", HEALTHY, [3, 3, 4, 3, 4, 3]), team("Search", HEALTHY, [2, 2, 3, 2, 2, 2]))
    assert [f.scope.teams for f in trust_breakdown(both)] == [["Search"], ["Payments"]]


# --- trust asymmetry -------------------------------------------------------------------------------------------


def test_a_team_whose_sides_trust_each_other_unequally_is_an_asymmetry() -> None:
    [finding] = trust_asymmetry(facts(team("Payments", [4, 4, 5, 4, 4], [6, 5, 6, 6, 6, 5])))
    assert finding.kind == "trust_asymmetry"
    assert finding.id == finding_id("trust_asymmetry", "team:Payments")
    assert finding.scope.teams == ["Payments"]
    assert finding.title == "Payments: product trusts engineering 1.5 points less than engineering trusts product"
    assert finding.evidence["scope"] == "team"
    assert finding.evidence["lower_direction"] == "product_to_engineering"
    assert finding.evidence["gap"] == 1.47  # 5.67 - 4.2
    assert finding.evidence["directions"]["product_to_engineering"]["respondents"] == 5
    assert finding.evidence["welch_p_value"] < 0.05
    assert finding.severity == pytest.approx(0.5 + 0.25 * (34 / 6 - 4.2 - 1), abs=1e-3)


def test_a_gap_just_under_the_threshold_is_no_asymmetry() -> None:
    assert trust_asymmetry(facts(team("Payments", [5, 5, 5, 5, 5], [6, 6, 6, 6, 5]))) == []


def test_a_gap_of_exactly_the_threshold_is_an_asymmetry() -> None:
    assert len(trust_asymmetry(facts(team("Payments", [5, 5, 5, 5, 5], [6, 6, 6, 6, 6])))) == 1


def test_teams_too_small_alone_are_pooled_under_their_manager() -> None:
    chain = ("maria", "ceo")
    pooled = facts(
        team("Payments", [3, 4], [6, 6, 5, 6, 6, 6]),
        team("Search", [3, 3], [6, 5, 6, 6, 6, 6]),
        team("Growth", [4, 3], [6, 6, 6, 5, 6, 6]),
        managers={"Payments": chain, "Search": chain, "Growth": chain},
    )
    [finding] = trust_asymmetry(pooled)
    assert finding.id == finding_id("trust_asymmetry", "manager:maria")
    assert finding.scope.teams == ["Growth", "Payments", "Search"]
    assert finding.scope.people == ["maria"]
    assert finding.evidence["scope"] == "manager"
    assert finding.evidence["directions"]["product_to_engineering"]["respondents"] == 6
    assert finding.title.startswith("Teams under maria (Growth, Payments, Search): product trusts engineering")


def test_pooling_walks_up_until_both_sides_are_large_enough() -> None:
    pooled = facts(
        team("Payments", [3, 4], [6, 6, 5, 6, 6, 6]),
        team("Search", [3, 3], [6, 5, 6, 6, 6, 6]),
        team("Growth", [4, 3], [6, 6, 6, 5, 6, 6]),
        managers={"Payments": ("maria", "ceo"), "Search": ("maria", "ceo"), "Growth": ("li", "ceo")},
    )
    [finding] = trust_asymmetry(pooled)
    assert finding.evidence["manager"] == "ceo"
    assert finding.scope.teams == ["Growth", "Payments", "Search"]


def test_the_smallest_pool_wins() -> None:
    pooled = facts(
        team("Payments", [3, 4, 3], [6, 6, 5, 6, 6, 6]),
        team("Search", [3, 3, 4], [6, 5, 6, 6, 6, 6]),
        team("Growth", [4, 3, 3], [6, 6, 6, 5, 6, 6]),
        team("Mobile", [3, 3, 3], [6, 6, 6, 6, 5, 6]),
        managers={
            "Payments": ("maria", "ceo"),
            "Search": ("maria", "ceo"),
            "Growth": ("li", "ceo"),
            "Mobile": ("li", "ceo"),
        },
    )
    assert sorted(f.evidence["manager"] for f in trust_asymmetry(pooled)) == ["li", "maria"]


def test_a_team_judged_alone_is_left_out_of_its_managers_pool() -> None:
    chain = ("maria", "ceo")
    pooled = facts(
        team("Payments", HEALTHY, HEALTHY),
        team("Search", [3, 3, 4], [6, 5, 6, 6, 6, 6]),
        team("Growth", [4, 3, 3], [6, 6, 6, 5, 6, 6]),
        managers={"Payments": chain, "Search": chain, "Growth": chain},
    )
    [finding] = trust_asymmetry(pooled)
    assert finding.scope.teams == ["Growth", "Search"]


def test_a_pool_that_differs_from_a_shown_team_by_a_few_people_is_not_shown() -> None:
    """Search's engineers are shown alone (for the breakdown); pooling them with Payments' two engineers would
    show those two by difference, so the pool is held back."""
    chain = ("maria",)
    pooled = facts(
        team("Payments", [3, 3, 4], [6, 6]),
        team("Search", [3, 4], [6, 5, 6, 6, 6, 6]),
        managers={"Payments": chain, "Search": chain},
    )
    assert trust_asymmetry(pooled) == []
    assert list(trust_metrics(pooled)) == ["Search"]


def test_a_single_team_under_a_manager_is_not_pooled_with_itself() -> None:
    alone = facts(team("Payments", [3, 3, 4], [6, 6, 5, 6, 6, 6]), managers={"Payments": ("maria", "ceo")})
    assert trust_asymmetry(alone) == []


def test_a_balanced_pool_is_no_asymmetry() -> None:
    chain = ("maria",)
    pooled = facts(
        team("Payments", [6, 5, 6], HEALTHY),
        team("Search", [6, 6, 5], HEALTHY),
        managers={"Payments": chain, "Search": chain},
    )
    assert trust_asymmetry(pooled) == []


# --- metrics ----------------------------------------------------------------------------------------------------


def test_metrics_give_the_index_interval_alpha_and_response_rate() -> None:
    responses = team("Payments", [6, 5, 6, 6, 5, 6], [5, 4, 5, 6, 5])
    varied = [
        ResponseFacts(r.team, r.pulse_id, r.pulse_date, r.direction, r.response_id, {**r.scores, "safety": 7 - n % 3})
        for n, r in enumerate(responses)
    ]
    invited = {("Payments", "pulse-3", P2E): 8, ("Payments", "pulse-3", E2P): 10}
    metrics = trust_metrics(TrustFacts(responses=varied, invited=invited))
    product = metrics["Payments"]["product_to_engineering"]
    assert product["respondents"] == 6
    assert product["response_rate"] == 0.75
    assert product["ci_low"] < product["trust_index"] < product["ci_high"]
    assert set(product["alpha"]) == {"cognitive", "affective"}
    assert product["alpha"]["cognitive"] == 1.0  # each respondent gives the three items the same answer
    assert product["alpha"]["affective"] < 1.0
    assert metrics["Payments"]["engineering_to_product"]["response_rate"] == 0.5


# --- privacy, as an attacker would try it -----------------------------------------------------------------------


@st.composite
def orgs(draw: st.DrawFn) -> TrustFacts:
    """Up to four teams under two managers, each side of each team small (a few people) or not."""
    names = ["Payments", "Search", "Growth", "Mobile"][: draw(st.integers(1, 4))]
    managers = {name: draw(st.sampled_from([("maria", "ceo"), ("li", "ceo"), ("ceo",)])) for name in names}
    responses: list[ResponseFacts] = []
    sizes = {(name, d): draw(st.sampled_from([3, 4, 8])) for name in names for d in Direction}
    for name, pulse, direction in itertools.product(names, (1, 2, 3), Direction):
        values = draw(st.lists(st.integers(1, 7), max_size=sizes[(name, direction)]))
        responses += group(name, direction, values, pulse)
    return TrustFacts(responses=responses, managers=managers)


@settings(max_examples=150, deadline=None)
@given(orgs())
def test_no_finding_or_metric_shows_fewer_than_the_minimum(org: TrustFacts) -> None:
    findings = trust_breakdown(org) + trust_asymmetry(org)
    counts = [n for f in findings for n in respondent_counts(f.evidence)]
    counts += list(respondent_counts(trust_metrics(org)))
    assert all(n >= 5 for n in counts)
    for finding in findings:
        finding.model_dump_json()


@st.composite
def teams_of_four(draw: st.DrawFn) -> TrustFacts:
    """One team of four (at most four answers a pulse, split any way), over up to five pulses, any manager chain."""
    responses: list[ResponseFacts] = []
    for pulse in range(1, draw(st.integers(1, 5)) + 1):
        answers = draw(st.lists(st.tuples(st.sampled_from(list(Direction)), st.integers(1, 7)), max_size=4))
        for direction, value in answers:
            responses += group("Payments", direction, [value], pulse)
    chain = draw(st.sampled_from([(), ("maria",), ("maria", "ceo")]))
    return TrustFacts(responses=responses, managers={"Payments": chain})


@settings(max_examples=200, deadline=None)
@given(teams_of_four())
def test_a_team_of_four_yields_nothing_whatever_its_answers_or_history(tiny: TrustFacts) -> None:
    assert trust_breakdown(tiny) == trust_asymmetry(tiny) == []
    assert trust_metrics(tiny) == {}


class RecordingGate(Gate):
    """The real gate, remembering each instance so a test can inspect what it released."""

    made: ClassVar[list[Gate]] = []

    def __init__(self, minimum: int) -> None:
        super().__init__(minimum)
        RecordingGate.made.append(self)


@settings(max_examples=100, deadline=None)
@given(orgs())
def test_every_figure_comes_from_a_group_the_gate_released_and_no_answer_is_isolated(org: TrustFacts) -> None:
    RecordingGate.made = []
    with patch("tandem.trust.analysis.Gate", RecordingGate):
        findings = trust_breakdown(org) + trust_asymmetry(org)
        metrics = trust_metrics(org)
    released_sizes = {len(item.responses) for gate in RecordingGate.made for item in gate.shown}
    counts = [n for f in findings for n in respondent_counts(f.evidence)] + list(respondent_counts(metrics))
    assert set(counts) <= released_sizes
    [shown] = {gate.shown for gate in RecordingGate.made}  # all three functions release the same catalogue
    keys = sorted({key for item in shown for key in item.responses})
    if not keys:
        return
    column = {key: i for i, key in enumerate(keys)}
    figures = np.zeros((len(shown), len(keys)))
    for row, item in enumerate(shown):
        figures[row, [column[key] for key in item.responses]] = 1.0
    rank = np.linalg.matrix_rank(figures)
    for i in range(len(keys)):
        assert np.linalg.matrix_rank(np.vstack([figures, np.eye(len(keys))[i]])) == rank + 1
