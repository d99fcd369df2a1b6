"""The pulse statistics against independent computations: closed forms, a published alpha, and SciPy's figures
(computed once in a throwaway environment and written down here; the project does not depend on SciPy)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.trust.stats import (
    bootstrap_interval,
    cronbach_alpha,
    response_rate,
    t_cdf,
    t_quantile,
    t_two_sided_p,
    trend,
    trust_index,
    welch,
)

PINGOUIN_CRONBACH: list[list[float]] = [
    [3, 2, 2, 4, 1, 4, 5, 1, 4, 3],
    [5, 5, 4, 6, 3, 5, 1, 2, 5, 5],
    [7, 5, 3, 5, 5, 6, 4, 3, 3, 6],
    [2, 3, 4, 3, 3, 2, 2, 2, 6, 6],
    [6, 5, 5, 6, 5, 4, 4, 4, 6, 7],
    [1, 2, 2, 3, 4, 2, 5, 2, 3, 5],
    [4, 3, 3, 5, 3, 5, 2, 1, 2, 4],
    [2, 5, 4, 4, 3, 7, 2, 2, 4, 6],
    [6, 2, 5, 5, 5, 1, 6, 5, 2, 3],
    [5, 2, 4, 6, 4, 3, 5, 3, 1, 7],
    [4, 1, 3, 5, 2, 5, 3, 2, 3, 4],
    [4, 4, 2, 3, 2, 5, 3, 4, 2, 3],
    [5, 5, 5, 6, 2, 3, 3, 2, 4, 4],
    [6, 5, 5, 5, 4, 2, 2, 1, 4, 6],
    [4, 4, 3, 5, 5, 3, 1, 3, 2, 3],
]
"""pingouin's ``cronbach_alpha`` example data set (15 respondents, 10 items); its documentation gives 0.5917."""


# --- Student's t --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [
        (0.975, 1, 12.706204736174694),
        (0.975, 2, 4.302652729749462),
        (0.975, 4, 2.7764451051977934),
        (0.975, 10, 2.228138851986274),
        (0.975, 30, 2.0422724563012378),
        (0.95, 5, 2.0150483733330233),
        (0.9995, 1, 636.6192487687897),
        (0.999, 3.7, 7.795183875029165),
    ],
)
def test_t_quantile_matches_scipy(p: float, df: float, expected: float) -> None:
    assert t_quantile(p, df) == pytest.approx(expected, rel=1e-10)
    assert t_quantile(1 - p, df) == pytest.approx(-expected, rel=1e-10)


@given(st.floats(0.001, 0.999))
def test_t_quantile_matches_the_closed_forms_for_one_and_two_degrees_of_freedom(p: float) -> None:
    assert t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), rel=1e-9, abs=1e-9)
    assert t_quantile(p, 2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(
    ("df", "t", "two_sided", "cdf"),
    [
        (3, 2.5, 0.08770664700806556, 0.9561466764959672),
        (7.3, -1.2, 0.2676306665516561, 0.13381533327582806),
        (1, 0.3, 0.8144528418445154, 0.5927735790777423),
        (120, 1.96, 0.05231367644582758, 0.9738431617770862),
    ],
)
def test_t_distribution_matches_scipy(df: float, t: float, two_sided: float, cdf: float) -> None:
    assert t_two_sided_p(t, df) == pytest.approx(two_sided, rel=1e-10)
    assert t_cdf(t, df) == pytest.approx(cdf, rel=1e-10)


def test_t_quantile_refuses_probabilities_outside_zero_and_one() -> None:
    with pytest.raises(ValueError, match="strictly between"):
        t_quantile(1.0, 5)


# --- trust index ------------------------------------------------------------------------------------------------


def test_trust_index_is_the_t_interval_scipy_gives() -> None:
    estimate = trust_index([4.2, 5.0, 3.8, 4.6, 5.4, 4.0])
    assert estimate.mean == pytest.approx(4.5)
    assert estimate.n == 6
    assert estimate.low == pytest.approx(3.8530844246210485, rel=1e-10)
    assert estimate.high == pytest.approx(5.1469155753789515, rel=1e-10)


def test_trust_index_at_another_confidence() -> None:
    estimate = trust_index([4.2, 5.0, 3.8, 4.6, 5.4, 4.0], confidence=0.90)
    assert estimate.low == pytest.approx(3.9928906134091338, rel=1e-10)
    assert estimate.high == pytest.approx(5.007109386590866, rel=1e-10)


def test_trust_index_of_three_respondents_by_hand() -> None:
    # n = 3: df = 2, whose 97.5% quantile is 4.302652729749462 in closed form; s = 1, so half = t / sqrt(3).
    estimate = trust_index([3.0, 4.0, 5.0])
    assert estimate.high - estimate.mean == pytest.approx(4.302652729749462 / math.sqrt(3), rel=1e-10)


def test_trust_index_of_identical_answers_has_no_width() -> None:
    assert trust_index([5.0] * 5).low == trust_index([5.0] * 5).high == 5.0


def test_trust_index_needs_two_respondents() -> None:
    with pytest.raises(ValueError, match="at least two"):
        trust_index([5.0])


def test_bootstrap_interval_is_reproducible_and_near_the_t_interval() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(4.5, 0.8, size=60)
    assert bootstrap_interval(values, seed=1) == bootstrap_interval(values, seed=1)
    low, high = bootstrap_interval(values, seed=1)
    estimate = trust_index(values)
    assert low == pytest.approx(estimate.low, abs=0.05)
    assert high == pytest.approx(estimate.high, abs=0.05)


# --- Cronbach's alpha -------------------------------------------------------------------------------------------


def test_cronbach_alpha_matches_the_published_value() -> None:
    assert cronbach_alpha(PINGOUIN_CRONBACH) == pytest.approx(0.5917188485995826, rel=1e-12)


def test_cronbach_alpha_of_a_consistent_scale_matches_pingouin() -> None:
    matrix = [[5, 6, 5, 4], [3, 4, 4, 3], [6, 7, 6, 6], [2, 3, 2, 3], [4, 4, 5, 5], [7, 6, 7, 6], [3, 2, 3, 4]]
    assert cronbach_alpha(matrix) == pytest.approx(0.9521472392638037, rel=1e-12)


@given(
    st.lists(
        st.lists(st.integers(1, 7), min_size=4, max_size=4),
        min_size=3,
        max_size=20,
    )
)
def test_cronbach_alpha_equals_hoyts_anova_reliability(rows: list[list[int]]) -> None:
    """Hoyt (1941): alpha = 1 - MS(residual) / MS(respondents) of the two-way ANOVA, an independent route."""
    data = np.asarray(rows, dtype=float)
    n, k = data.shape
    grand = data.mean()
    ss_people = k * ((data.mean(axis=1) - grand) ** 2).sum()
    ss_items = n * ((data.mean(axis=0) - grand) ** 2).sum()
    ss_residual = ((data - grand) ** 2).sum() - ss_people - ss_items
    ms_people = ss_people / (n - 1)
    alpha = cronbach_alpha(data)
    if ms_people == 0:
        assert alpha is None
    else:
        assert alpha == pytest.approx(1 - (ss_residual / ((n - 1) * (k - 1))) / ms_people, abs=1e-9)


def test_cronbach_alpha_leaves_out_respondents_with_a_missing_answer() -> None:
    with_gap: list[list[float]] = [*PINGOUIN_CRONBACH, [7, math.nan, 1, 1, 1, 1, 1, 1, 1, 1]]
    assert cronbach_alpha(with_gap) == pytest.approx(0.5917188485995826)


@pytest.mark.parametrize("matrix", [[[4], [5], [6]], [[4, 5]], [[4, 4], [4, 4], [4, 4]]])
def test_cronbach_alpha_is_undefined_without_two_items_two_respondents_or_variance(matrix: list[list[int]]) -> None:
    assert cronbach_alpha(matrix) is None


# --- trend ------------------------------------------------------------------------------------------------------


def test_trend_matches_scipy_linregress_on_a_fall() -> None:
    fitted = trend(
        [[5.6, 6.0, 5.2, 5.8, 6.2, 5.4], [5.0, 5.4, 4.8, 5.6, 4.6], [4.4, 4.8, 4.0, 5.0, 4.2, 4.6, 3.8]],
    )
    assert fitted.slope == pytest.approx(-0.6506437768240345, rel=1e-10)
    assert fitted.p_value == pytest.approx(2.2018083106591123e-05, rel=1e-8)
    assert (fitted.n, fitted.pulses, fitted.significant_fall) == (18, 3, True)


def test_a_flat_trend_is_not_a_fall() -> None:
    fitted = trend([[5.0, 4.8, 5.2, 5.4, 4.6], [5.2, 4.6, 5.0, 5.4, 4.8, 5.0], [5.0, 5.2, 4.8, 4.6, 5.4]])
    assert fitted.slope == pytest.approx(0.0, abs=1e-12)
    assert fitted.p_value == pytest.approx(1.0)
    assert not fitted.significant_fall


def test_a_rise_is_never_a_fall() -> None:
    assert not trend([[3.0, 3.2, 2.8, 3.1, 2.9], [4.0, 4.2, 3.8, 4.1, 3.9], [5.0, 5.2, 4.8, 5.1, 4.9]]).significant_fall


def test_a_small_noisy_dip_is_not_significant() -> None:
    fitted = trend([[5.0, 3.0, 6.0, 4.0, 5.0], [4.0, 6.0, 3.0, 5.0, 5.0], [3.0, 6.0, 5.0, 4.0, 4.0]])
    assert fitted.slope < 0
    assert not fitted.significant_fall


def test_trend_needs_two_pulses() -> None:
    with pytest.raises(ValueError, match="two pulses"):
        trend([[5.0, 4.0, 3.0, 2.0]])


# --- Welch and response rate ------------------------------------------------------------------------------------


def test_welch_matches_scipy() -> None:
    tested = welch([5.8, 6.2, 5.4, 6.0, 5.6], [4.2, 4.8, 3.6, 5.0, 4.4, 3.8, 4.6])
    assert tested.difference == pytest.approx(1.4571428571428573)
    assert tested.p_value == pytest.approx(0.00012555952991834005, rel=1e-8)


def test_response_rate() -> None:
    assert response_rate(6, 8) == 0.75
    assert response_rate(0, 0) is None
    with pytest.raises(ValueError, match="only 5 were invited"):
        response_rate(6, 5)
