"""The pulse statistics: pure NumPy and ``math``, no SciPy.

Student's t distribution is computed here from the regularized incomplete beta function (the continued fraction of
Numerical Recipes, §6.4), accurate to about 1e-12, so confidence intervals and p-values need nothing beyond
NumPy. The unit of every statistic is the *respondent*: one person's mean over the items they answered in one
pulse, so a respondent who answers five items does not weigh five times.

These functions compute; they do not decide what may be shown. Every figure leaves through
``tandem.trust.privacy`` first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

_EPS = 1e-15
_TINY = 1e-300


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if not (a > 0 and b > 0):
        raise ValueError("incomplete_beta: a and b must be positive")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _continued_fraction(a, b, x) / a
    return 1.0 - front * _continued_fraction(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with ``df`` degrees of freedom (real ``df`` allowed, as Welch needs)."""
    if df <= 0:
        raise ValueError("t distribution: degrees of freedom must be positive")
    if math.isinf(t):
        return 0.0
    return incomplete_beta(df / 2.0, 0.5, df / (df + t * t))


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t."""
    tail = t_two_sided_p(t, df) / 2.0
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p, by bisection on ``t_cdf`` (monotone, so the bracket always holds)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"t quantile: p must be strictly between 0 and 1, got {p}")
    if p == 0.5:
        return 0.0
    upper = max(p, 1.0 - p)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < upper:
        low, high = high, high * 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < upper:
            low = middle
        else:
            high = middle
        if high - low <= 1e-13 * max(1.0, high):
            break
    value = (low + high) / 2.0
    return value if p > 0.5 else -value


def _vector(values: ArrayLike, name: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: values must be finite numbers")
    return array


@dataclass(frozen=True)
class Estimate:
    """A mean with its confidence interval, over ``n`` respondents."""

    mean: float
    low: float
    high: float
    n: int
    confidence: float = 0.95


def trust_index(respondent_means: ArrayLike, confidence: float = 0.95) -> Estimate:
    """The trust index of a group: the mean of its respondents' means, with a Student-t interval.

    The t-interval (mean ± t · s/√n) rather than a normal one, because the groups are small (five is a valid
    group); respondent means of several 7-point items are near enough to normal for it at these sizes. It needs
    two respondents; the privacy minimum is never below three.
    """
    values = _vector(respondent_means, "respondent_means")
    if values.size < 2:
        raise ValueError("trust_index: a confidence interval needs at least two respondents")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence: must be strictly between 0 and 1, got {confidence}")
    mean = float(values.mean())
    half = (
        t_quantile(1.0 - (1.0 - confidence) / 2.0, values.size - 1) * float(values.std(ddof=1)) / math.sqrt(values.size)
    )
    return Estimate(mean=mean, low=mean - half, high=mean + half, n=int(values.size), confidence=confidence)


def bootstrap_interval(
    values: ArrayLike, confidence: float = 0.95, resamples: int = 10_000, seed: int = 0
) -> tuple[float, float]:
    """A percentile bootstrap interval for the mean, seeded so the same data always gives the same interval.

    A cross-check on the t-interval when respondent means are skewed. Not for release: its bounds are order
    statistics of resampled means, not functions of the group's sums, so the privacy argument does not cover them.
    """
    data = _vector(values, "values")
    if data.size < 2:
        raise ValueError("bootstrap_interval: needs at least two values")
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def cronbach_alpha(matrix: ArrayLike) -> float | None:
    """Cronbach's alpha of a respondents-by-items matrix of scored answers: k/(k-1) · (1 - Σ item var / total var).

    Whether the items of a subscale measure one thing: below about 0.7 the subscale's mean is not one construct.
    Respondents with a missing answer (NaN) are left out (listwise), as in the original definition. None when it is
    undefined: fewer than two items or two complete respondents, or no variance in the totals.
    """
    data = np.asarray(matrix, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError("cronbach_alpha: expected a respondents-by-items matrix")
    complete = data[~np.isnan(data).any(axis=1)]
    respondents, items = int(complete.shape[0]), int(complete.shape[1])
    if items < 2 or respondents < 2:
        return None
    total_variance = float(complete.sum(axis=1).var(ddof=1))
    if total_variance == 0.0:
        return None
    item_variance = float(complete.var(axis=0, ddof=1).sum())
    return items / (items - 1) * (1.0 - item_variance / total_variance)


def _p_value(estimate: float, standard_error: float, df: float) -> float:
    """Two-sided p of a t statistic; with no spread at all any non-zero estimate is certain."""
    if standard_error > 0.0:
        return t_two_sided_p(estimate / standard_error, df)
    return 1.0 if estimate == 0.0 else 0.0


@dataclass(frozen=True)
class Trend:
    """The change in respondent means per pulse across a window of pulses, and whether it is a significant fall."""

    slope: float
    """Points per pulse (negative: falling)."""
    p_value: float
    """Two-sided, for a slope of zero."""
    n: int
    pulses: int
    significant_fall: bool


def trend(pulses: Sequence[ArrayLike], alpha: float = 0.05) -> Trend:
    """Least-squares regression of respondent means on the pulse's position (0, 1, 2, …), oldest pulse first.

    Why a regression on respondent-level data rather than a test on pulse means or between the first and last
    pulse: it uses every answer in every pulse of the window (the middle pulse too), weighs each respondent once
    whatever the pulse sizes, and its slope reads as "points per pulse". The respondents of different pulses
    cannot be linked (answers carry no identity), so they are treated as independent; as the same people answer
    again, the true variance of the slope is smaller and the test errs on the side of no alarm. The p-value is
    two-sided (t with n - 2 degrees of freedom); a fall is significant when the slope is negative and p < alpha.
    """
    xs: list[float] = []
    ys: list[float] = []
    for position, values in enumerate(pulses):
        data = _vector(values, f"pulse {position}")
        xs.extend([float(position)] * data.size)
        ys.extend(data.tolist())
    x, y = np.asarray(xs), np.asarray(ys)
    if sum(1 for values in pulses if np.asarray(values).size) < 2 or x.size < 3:
        raise ValueError("trend: needs respondents in at least two pulses and at least three in all")
    sxx = float(((x - x.mean()) ** 2).sum())
    slope = float(((x - x.mean()) * (y - y.mean())).sum()) / sxx
    residuals = y - (y.mean() + slope * (x - x.mean()))
    df = x.size - 2
    standard_error = math.sqrt(float((residuals**2).sum()) / df / sxx)
    p_value = _p_value(slope, standard_error, df)
    return Trend(
        slope=slope,
        p_value=p_value,
        n=int(x.size),
        pulses=len(pulses),
        significant_fall=slope < 0 and p_value < alpha,
    )


@dataclass(frozen=True)
class Difference:
    """Welch's t-test of two groups' means: ``first`` minus ``second``."""

    difference: float
    p_value: float
    df: float


def welch(first: ArrayLike, second: ArrayLike) -> Difference:
    """Welch's unequal-variance t-test, since the two directions' groups differ in size and spread."""
    a, b = _vector(first, "first"), _vector(second, "second")
    if a.size < 2 or b.size < 2:
        raise ValueError("welch: each group needs at least two values")
    va, vb = float(a.var(ddof=1)) / a.size, float(b.var(ddof=1)) / b.size
    difference = float(a.mean() - b.mean())
    if va + vb == 0.0:
        return Difference(difference, _p_value(difference, 0.0, 1.0), float(a.size + b.size - 2))
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return Difference(difference, _p_value(difference, math.sqrt(va + vb), df), df)


def response_rate(answered: int, invited: int) -> float | None:
    """The share of those invited who answered; None when nobody was invited."""
    if answered < 0 or invited < 0:
        raise ValueError("response_rate: counts cannot be negative")
    if answered > invited:
        raise ValueError(f"response_rate: {answered} answered but only {invited} were invited")
    return answered / invited if invited else None
