"""Delivery forecasts over working days: Monte Carlo on past throughput, or on three-point estimates.

Everything counts in working days (Monday to Friday, minus optional holidays; NumPy's business-day functions,
as in ``tandem.workdays``), so a weekend neither looks like a day of zero throughput nor holds a forecast date.
The simulations are vectorised over trials and seeded: the same inputs and seed give the same answer. Only
NumPy and the standard library are imported, so a command line can answer in a fraction of a second.

Percentiles read the trials' empirical distribution exactly, without interpolation:

- a completion date at P85 is the earliest date by which at least 85% of trials were done (the empirical
  inverse CDF, ``np.quantile(days, 0.85, method="inverted_cdf")``), so a higher percentile is never earlier;
- an item count at 85% confidence is the largest count that at least 85% of trials reach, the lower tail:
  ``P(total >= answer) >= 0.85`` and ``P(total >= answer + 1) < 0.85``. The 85th percentile of the totals
  (the classic mistake) is a count that only about 15% of trials reach.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

DEFAULT_PERCENTILES = (50, 70, 85, 95)
MIN_HISTORY_DAYS = 5
"""Fewer working days than this say too little about the spread of throughput to sample from."""
BACKTEST_WARM_UP = 20
"""Working days of history before the first backtest cutoff."""
MAX_HORIZON_DAYS = 100 * 261
"""A century of working days: past this a throughput forecast is not an answer, and the loop must end."""
_MAX_ELEMENTS = 4_000_000
"""Draws held at once (32 MB of int64), whatever the number of trials or the horizon."""
_EPSILON = 1e-9
"""Cumulative effort / capacity such as 0.1 + 0.2 days must not spill into the next working day."""


class ForecastError(ValueError):
    """The inputs cannot support a forecast; the message says why in the user's terms."""


@dataclass(frozen=True, eq=False)
class Throughput:
    """Items completed on each working day from ``start`` to ``end`` inclusive (``daily[0]`` is ``start``).

    ``daily`` is a read-only int64 copy: a history is a fact. ``eq=False`` because arrays have no single truth
    value, so the generated ``==`` would raise.
    """

    start: date
    end: date
    daily: npt.NDArray[np.int64]

    def __post_init__(self) -> None:
        daily = np.array(self.daily, dtype=np.int64)
        if daily.ndim != 1 or (daily < 0).any():
            raise ForecastError("daily throughput must be a one-dimensional sequence of non-negative counts")
        daily.setflags(write=False)
        object.__setattr__(self, "daily", daily)


@dataclass(frozen=True)
class PlanForecast:
    """Per item in rank order, percentile -> the date it is done; and how many leading items make the target."""

    completion: list[dict[int, date]]
    cut_line: int | None


def _calendar(holidays: Sequence[date]) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(list(holidays), dtype="datetime64[D]"))


def _day(value: date) -> np.datetime64:
    return np.datetime64(value, "D")


def _date(value: np.datetime64) -> date:
    return date.fromisoformat(str(value))


def next_working_day(after: date, holidays: Sequence[date] = ()) -> date:
    """The first working day strictly after ``after``: where a forecast starts when history ends that day."""
    following = _day(after + timedelta(days=1))
    return _date(np.busday_offset(following, 0, roll="forward", busdaycal=_calendar(holidays)))


def _dates(start: date, day_numbers: Sequence[int], holidays: Sequence[date]) -> list[date]:
    """Working day number ``n`` (1 = ``start``, or the next working day when ``start`` is not one) as dates."""
    offsets = np.asarray(day_numbers, dtype=np.int64) - 1
    days = np.busday_offset(_day(start), offsets, roll="forward", busdaycal=_calendar(holidays))
    return [_date(day) for day in days]


def _working_days(start: date, until: date, holidays: Sequence[date]) -> int:
    """Working days in ``[start, until]``."""
    if until < start:
        raise ForecastError(f"the end date {until} is before the start {start}")
    end = _day(until + timedelta(days=1))
    return int(np.busday_count(_day(start), end, busdaycal=_calendar(holidays)))


def _check_percentiles(percentiles: Sequence[int]) -> None:
    for p in percentiles:
        if not 0 < p <= 100:
            raise ForecastError(f"percentile {p} is outside 1..100")


def _check_trials(trials: int) -> None:
    if trials < 1:
        raise ForecastError(f"trials must be at least 1, not {trials}")


def _at_least(p: int, trials: int) -> int:
    """The fewest trials that make ``p``% of ``trials``: ceil(p * trials / 100), in exact integer arithmetic."""
    return -(-p * trials // 100)


def _earliest_by(days: npt.NDArray[np.int64], percentiles: Sequence[int]) -> list[int]:
    """Per percentile p, the first day by which at least p% of trials are done (the empirical inverse CDF)."""
    ordered = np.sort(days)
    return [int(ordered[_at_least(p, ordered.size) - 1]) for p in percentiles]


# --- from history: throughput Monte Carlo ----------------------------------------------------------------------


def daily_throughput(
    completed: Sequence[date],
    *,
    until: date | None = None,
    window: int | None = None,
    holidays: Sequence[date] = (),
) -> Throughput:
    """Completions counted per working day, from the first completion to ``until`` (default: the last one).

    A completion on a weekend or holiday counts on the next working day, where the work shows up in practice;
    completions after ``until`` are left out (so is a weekend one that would count after it). ``window`` keeps
    the last N working days: recent throughput predicts better when the team or the work has changed.
    """
    if len(completed) == 0:
        raise ForecastError("the history is empty: no completed items")
    calendar = _calendar(holidays)
    days = np.busday_offset(np.array(completed, dtype="datetime64[D]"), 0, roll="forward", busdaycal=calendar)
    first = days.min()
    last = days.max() if until is None else np.busday_offset(_day(until), 0, roll="backward", busdaycal=calendar)
    if last < first:
        raise ForecastError(f"no item was completed on or before {until}")
    length = int(np.busday_count(first, last, busdaycal=calendar)) + 1
    index = np.busday_count(first, days[days <= last], busdaycal=calendar)
    daily = np.bincount(index, minlength=length).astype(np.int64)
    if window is not None:
        if window < 1:
            raise ForecastError(f"the window must be at least 1 working day, not {window}")
        daily = daily[-window:]
        first = np.busday_offset(last, 1 - daily.size, busdaycal=calendar)
    return Throughput(start=_date(first), end=_date(last), daily=daily)


def _usable(history: Throughput) -> npt.NDArray[np.int64]:
    daily = history.daily
    if daily.size == 0:
        raise ForecastError("the history is empty: no working days")
    if daily.size < MIN_HISTORY_DAYS:
        raise ForecastError(
            f"the history covers {daily.size} working day(s); a forecast needs at least {MIN_HISTORY_DAYS}"
        )
    if not daily.any():
        raise ForecastError(
            f"nothing was completed in the history's {daily.size} working days: zero throughput never finishes"
        )
    return daily


def _block_days(items: int, mean: float, trials: int) -> int:
    """Days drawn per round: 1.25 times the mean-throughput estimate, so most trials finish in the first round.

    Capped so a round holds at most ``_MAX_ELEMENTS`` draws.
    """
    wanted = max(8, math.ceil(1.25 * items / mean))
    return max(1, min(wanted, _MAX_ELEMENTS // trials))


def _completion_days(
    daily: npt.NDArray[np.int64], items: int, trials: int, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """Per trial, the working day number (1 = first) on which the running total first reaches ``items``.

    Each round draws a (trials still running, block) matrix of past days with replacement, adds each trial's
    carried total to its first column and takes the cumulative sum; trials that reach ``items`` stop, the rest
    carry their total into the next round. The loop is over rounds, never over trials.
    """
    block = _block_days(items, float(daily.mean()), trials)
    result = np.zeros(trials, dtype=np.int64)
    running = np.arange(trials)
    carried = np.zeros(trials, dtype=np.int64)
    elapsed = 0
    while running.size:
        if elapsed >= MAX_HORIZON_DAYS:
            raise ForecastError(
                f"at this history's throughput ({daily.mean():.3g} items a working day) some trials need more "
                f"than {MAX_HORIZON_DAYS} working days for {items} items"
            )
        totals = daily[rng.integers(0, daily.size, size=(running.size, block))]
        totals[:, 0] += carried
        np.cumsum(totals, axis=1, out=totals)
        reached = totals >= items
        done = reached[:, -1]
        result[running[done]] = elapsed + reached[done].argmax(axis=1) + 1
        carried = totals[~done, -1]
        running = running[~done]
        elapsed += block
    return result


def sample_completion_days(
    history: Throughput, items: int, *, trials: int, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """The trials behind ``when_done``: per trial, the working day number (1 = first) the items are done."""
    daily = _usable(history)
    _check_trials(trials)
    if items < 1:
        raise ForecastError(f"the number of items must be at least 1, not {items}")
    return _completion_days(daily, items, trials, rng)


def when_done(
    history: Throughput,
    items: int,
    *,
    start: date,
    trials: int = 10_000,
    seed: int | None = None,
    percentiles: Sequence[int] = DEFAULT_PERCENTILES,
    holidays: Sequence[date] = (),
) -> dict[int, date]:
    """When will ``items`` more items be done? Percentile -> the earliest date by which that share of trials is.

    Each trial replays working days drawn at random from the history, from ``start`` (or the next working day
    when ``start`` is not one) until the running total reaches ``items``.
    """
    _check_percentiles(percentiles)
    days = sample_completion_days(history, items, trials=trials, rng=np.random.default_rng(seed))
    return dict(zip(percentiles, _dates(start, _earliest_by(days, percentiles), holidays), strict=True))


def sample_totals(history: Throughput, days: int, *, trials: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """The trials behind ``how_many``: per trial, the items completed over ``days`` working days.

    Draws ``(rows, days)`` matrices, as many trials at a time as fit in ``_MAX_ELEMENTS`` draws.
    """
    daily = _usable(history)
    _check_trials(trials)
    if days <= 0:
        return np.zeros(trials, dtype=np.int64)
    rows = max(1, _MAX_ELEMENTS // days)
    chunks = [
        daily[rng.integers(0, daily.size, size=(min(rows, trials - first), days))].sum(axis=1)
        for first in range(0, trials, rows)
    ]
    return np.concatenate(chunks).astype(np.int64)


def _reached_by(totals: npt.NDArray[np.int64], percentiles: Sequence[int]) -> list[int]:
    """Per confidence c, the largest count that at least c% of trials reach (the lower tail of the totals).

    With the totals sorted ascending, ``ordered[n - k]`` where ``k = ceil(c n / 100)`` is reached by at least
    ``k`` trials, and one more item is reached by fewer than ``k``. ``np.quantile(totals, 1 - c / 100,
    method="lower")`` is never above it, but can be one order statistic lower, i.e. needlessly cautious.
    """
    ordered = np.sort(totals)
    return [int(ordered[ordered.size - _at_least(c, ordered.size)]) for c in percentiles]


def how_many(
    history: Throughput,
    *,
    start: date,
    until: date,
    trials: int = 10_000,
    seed: int | None = None,
    percentiles: Sequence[int] = DEFAULT_PERCENTILES,
    holidays: Sequence[date] = (),
) -> dict[int, int]:
    """How many items by ``until``? Confidence c -> the count at least c% of trials reach, start to until inclusive.

    Higher confidence gives a smaller count: 95% sure of 30 items, only 50% sure of 40.
    """
    _check_percentiles(percentiles)
    days = _working_days(start, until, holidays)
    totals = sample_totals(history, days, trials=trials, rng=np.random.default_rng(seed))
    return dict(zip(percentiles, _reached_by(totals, percentiles), strict=True))


# --- from estimates: plans ------------------------------------------------------------------------------------


def _estimates(
    optimistic: npt.ArrayLike, likely: npt.ArrayLike, pessimistic: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    low, mode, high = (np.asarray(values, dtype=np.float64) for values in (optimistic, likely, pessimistic))
    if low.ndim != 1 or low.shape != mode.shape or low.shape != high.shape:
        raise ForecastError("optimistic, likely and pessimistic need one estimate per item, as flat sequences")
    for name, values in (("optimistic", low), ("likely", mode), ("pessimistic", high)):
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            item = int(bad.argmax())
            raise ForecastError(f"item {item}: {name} estimate {values[item]} is not a non-negative number")
    disordered = (low > mode) | (mode > high)
    if disordered.any():
        item = int(disordered.argmax())
        raise ForecastError(
            f"item {item}: estimates must satisfy optimistic <= likely <= pessimistic, "
            f"got {low[item]:g}, {mode[item]:g}, {high[item]:g}"
        )
    return low, mode, high


def pert_samples(
    optimistic: npt.ArrayLike,
    likely: npt.ArrayLike,
    pessimistic: npt.ArrayLike,
    *,
    trials: int,
    rng: np.random.Generator,
) -> npt.NDArray[np.float64]:
    """A (trials, items) matrix of efforts, each item Beta-PERT (lambda 4) between its optimistic and pessimistic.

    The mean is (o + 4l + p) / 6: the likely value weighs most but the long tail of a late estimate still counts.
    An item with o == l == p is certain and always draws o.
    """
    _check_trials(trials)
    low, mode, high = _estimates(optimistic, likely, pessimistic)
    spread = high - low
    scale = np.where(spread > 0, spread, 1.0)
    alpha = 1 + 4 * (mode - low) / scale
    beta = 1 + 4 * (high - mode) / scale
    samples: npt.NDArray[np.float64] = low + spread * rng.beta(alpha, beta, size=(trials, low.size))
    return samples


def plan_forecast(
    optimistic: npt.ArrayLike,
    likely: npt.ArrayLike,
    pessimistic: npt.ArrayLike,
    *,
    capacity_per_day: float,
    start: date,
    target: date | None = None,
    confidence: float = 0.85,
    trials: int = 10_000,
    seed: int | None = None,
    percentiles: Sequence[int] = DEFAULT_PERCENTILES,
    holidays: Sequence[date] = (),
) -> PlanForecast:
    """When each item of a ranked plan is done, and where to draw the line for ``target``.

    Items are done one after another in rank order: item i finishes on the working day its cumulative effort,
    divided by ``capacity_per_day``, runs into (an item of no effort at the head finishes on the first day).
    ``cut_line`` is how many leading items are done by ``target`` in at least ``confidence`` of trials: a
    later item never makes it more often than an earlier one, so this is the plan to promise.
    """
    _check_percentiles(percentiles)
    if not (math.isfinite(capacity_per_day) and capacity_per_day > 0):
        raise ForecastError(f"capacity per day must be a positive number, not {capacity_per_day}")
    if not 0 < confidence <= 1:
        raise ForecastError(f"confidence must be in (0, 1], not {confidence}")
    rng = np.random.default_rng(seed)
    efforts = pert_samples(optimistic, likely, pessimistic, trials=trials, rng=rng)
    finish = np.maximum(np.ceil(np.cumsum(efforts, axis=1) / capacity_per_day - _EPSILON), 1).astype(np.int64)
    ordered = np.sort(finish, axis=0)
    by_percentile = [
        _dates(start, ordered[_at_least(p, trials) - 1].tolist(), holidays) if ordered.shape[1] else []
        for p in percentiles
    ]
    completion = [
        {p: by_percentile[row][item] for row, p in enumerate(percentiles)} for item in range(ordered.shape[1])
    ]
    cut_line = None
    if target is not None:
        allowed = _working_days(start, target, holidays) if target >= start else 0
        made_it = np.count_nonzero(finish <= allowed, axis=0) >= math.ceil(confidence * trials - _EPSILON)
        cut_line = int(made_it.size if made_it.all() else made_it.argmin())
    return PlanForecast(completion=completion, cut_line=cut_line)


# --- calibration ----------------------------------------------------------------------------------------------


def backtest(
    completed: Sequence[date],
    *,
    items: int = 10,
    window: int | None = None,
    step: int = 5,
    trials: int = 2000,
    seed: int = 0,
    percentiles: Sequence[int] = DEFAULT_PERCENTILES,
    holidays: Sequence[date] = (),
) -> dict[int, float]:
    """How often each percentile of ``when_done`` held on this history: a calibrated P85 holds about 85%.

    Walks forward: at every ``step``-th working day after the first ``BACKTEST_WARM_UP``, forecasts the next
    ``items`` completions from the days before it only (the last ``window`` of them, if given), then checks
    whether the real data finished them by each percentile's day. The walk stops where the real data no longer
    holds ``items`` more completions; a cutoff whose usable history completed nothing is skipped.
    """
    _check_percentiles(percentiles)
    _check_trials(trials)
    if items < 1 or step < 1:
        raise ForecastError("items and step must be at least 1")
    if window is not None and window < MIN_HISTORY_DAYS:
        raise ForecastError(f"the window must be at least {MIN_HISTORY_DAYS} working days, not {window}")
    daily = daily_throughput(completed, holidays=holidays).daily
    rng = np.random.default_rng(seed)
    held = np.zeros(len(percentiles), dtype=np.int64)
    cutoffs = 0
    for cutoff in range(BACKTEST_WARM_UP, daily.size, step):
        future = np.cumsum(daily[cutoff:])
        if future[-1] < items:
            break
        actual = int(np.argmax(future >= items)) + 1
        past = daily[:cutoff] if window is None else daily[max(0, cutoff - window) : cutoff]
        if not past.any():
            continue
        forecast = np.array(_earliest_by(_completion_days(past, items, trials, rng), percentiles))
        held += actual <= forecast
        cutoffs += 1
    if cutoffs == 0:
        raise ForecastError(
            f"the history is too short to backtest: it needs {BACKTEST_WARM_UP} working days and then "
            f"{items} more completions"
        )
    return {p: float(count) / cutoffs for p, count in zip(percentiles, held.tolist(), strict=True)}
