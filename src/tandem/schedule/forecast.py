"""Delivery forecasts over working days: Monte Carlo on past throughput, or on three-point estimates.

Everything counts in working days (Monday to Friday, minus optional holidays; NumPy's business-day functions,
as in ``tandem.workdays``), so a weekend neither looks like a day of zero throughput nor holds a forecast date.
Forecasts are seeded: the same inputs and seed give the same answer. Only NumPy and the standard library are
imported, so a command line can answer in a fraction of a second.

From history, a trial replays the past: it strings together runs of ``block`` consecutive working days drawn
at random from the history (a circular block bootstrap; ``block=1`` is the classic day-by-day resampling)
until it has done the items, or over the days asked about. Runs keep what single days lose: a sprint's
end-of-sprint sweep stays one per sprint instead of landing on random days. The command line and ``backtest``
sample runs of ``DEFAULT_BLOCK`` (10) working days from the last ``DEFAULT_WINDOW`` (40): walking forward
through generated histories with trends, sweeps, quiet weeks and team changes, and through public ones, that
setting came closest to holding as often as it promised (``benchmarks/forecast_calibration.py``).

The trials are not simulated one at a time. An answer depends only on how many trials end on each day (or
with each total), and that histogram is drawn straight from the exact distribution of one trial: one
multinomial draw (round by round, for completion days). That is the same, in law, as running the trials one
by one: the same answers and the same sampling noise for a given number of trials, at a cost that does not
grow with the number of trials.

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
DEFAULT_WINDOW: int | None = 40
"""Working days of history the command line and ``backtest`` sample from by default (None: all of it)."""
DEFAULT_BLOCK = 10
"""Consecutive working days a trial draws at a time, unless the history is shorter than four such runs."""
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


def _earliest_by(counts: npt.NDArray[np.int64], percentiles: Sequence[int]) -> list[int]:
    """Per percentile p, the first day by which at least p% of trials are done (the empirical inverse CDF).

    ``counts[d]`` is the number of trials done on day ``d``.
    """
    done = np.cumsum(counts)
    return [int(np.searchsorted(done, _at_least(p, int(done[-1])))) for p in percentiles]


def _reached_by(counts: npt.NDArray[np.int64], percentiles: Sequence[int]) -> list[int]:
    """Per confidence c, the largest count that at least c% of trials reach (the lower tail of the totals).

    ``counts[v]`` is the number of trials whose total is ``v``. With the n totals sorted ascending, the
    ``(n - k + 1)``-th, where ``k = ceil(c n / 100)``, is reached by at least ``k`` trials, and one more item by
    fewer than ``k``. ``np.quantile(totals, 1 - c / 100, method="lower")`` is never above it, but can be one
    order statistic lower, i.e. needlessly cautious.
    """
    below = np.cumsum(counts)
    trials = int(below[-1])
    return [int(np.searchsorted(below, trials - _at_least(c, trials) + 1)) for c in percentiles]


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


def _check_block(block: int) -> None:
    if block < 1:
        raise ForecastError(f"the block must be at least 1 working day, not {block}")


def block_for(days: int, block: int | None = None) -> int:
    """The run length a forecast draws from ``days`` working days of history: ``block`` when given, else
    ``DEFAULT_BLOCK``, or a quarter of a shorter history (at least 1), so that trials still pick among runs
    that do not all overlap."""
    if block is None:
        return max(1, min(DEFAULT_BLOCK, days // 4))
    _check_block(block)
    return block


def _usable(daily: npt.NDArray[np.int64], block: int | None) -> int:
    """Checks the history can be sampled; returns the run length to draw (see ``block_for``)."""
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
    runs = block_for(daily.size, block)
    if runs > daily.size:
        raise ForecastError(f"a block of {runs} working days is longer than the history ({daily.size} working days)")
    return runs


def _runs(daily: npt.NDArray[np.int64], block: int) -> npt.NDArray[np.int64]:
    """``runs[i, m]``: the items completed in the first ``m + 1`` days of the run of ``block`` working days that
    starts on day ``i`` of the history, wrapping from the last day to the first.

    The wrap (a circular block bootstrap) puts every day in exactly ``block`` runs, so a trial's throughput is
    the history's on average; without it the first and last days, the most recent, would be drawn less.
    """
    days = (np.arange(daily.size)[:, None] + np.arange(block)) % daily.size
    runs: npt.NDArray[np.int64] = np.cumsum(daily[days], axis=1)
    return runs


def _share(values: npt.NDArray[np.int64], size: int = 0) -> npt.NDArray[np.float64]:
    """``share[v]``: the fraction of ``values`` equal to ``v``."""
    return np.bincount(values, minlength=size) / values.size


def _finish_table(runs: npt.NDArray[np.int64], items: int) -> npt.NDArray[np.float64]:
    """``table[k - 1, m]``: the chance a drawn run first reaches ``k`` items on its day ``m + 1``; the last
    column, that it never does. Only ``k`` up to the largest run total (capped at ``items``): beyond, never.

    Each entry counts exactly the runs it describes, so an impossible day has chance 0, not a rounding error.
    """
    starts, block = runs.shape
    top = min(items, int(runs[:, -1].max()))
    needs = np.arange(1, top + 1)
    # The day a run first reaches k is how many of its days fall short of k. Rows are non-decreasing, so
    # shifting row i by i * (largest total + 1) makes one sorted array, and one searchsorted answers every row.
    rows = np.arange(starts, dtype=np.int64)[:, None]
    shift = rows * (int(runs[:, -1].max()) + 1)
    first = np.searchsorted((runs + shift).ravel(), shift + needs) - rows * block
    runs_per_cell = np.bincount(((needs - 1) * (block + 1) + first).ravel(), minlength=top * (block + 1))
    table: npt.NDArray[np.float64] = runs_per_cell.reshape(top, block + 1) / starts
    return table


def _completion_day_counts(
    daily: npt.NDArray[np.int64], items: int, trials: int, rng: np.random.Generator, block: int
) -> npt.NDArray[np.int64]:
    """``counts[d]``: how many of ``trials`` first reach ``items`` on working day ``d`` (1 = the first day).

    A trial strings together runs of ``block`` days drawn from the history (see ``_runs``) until its running
    total reaches ``items``. Rather than drawing every trial's runs, this follows the exact distribution of a
    trial still running: ``state[s]``, the chance it has ``s < items`` items done after the runs so far. Each
    round gives the chance that a running trial finishes on each day of its next run, or not at all; one
    multinomial draw splits the running trials accordingly, and ``state`` becomes the distribution of
    ``s + run total`` below ``items``, renormalised. Splitting n trials round by round with the conditional
    chances is a multinomial draw over the days: in law exactly the histogram of n independent trials. The
    cost is per round (``items`` x the distinct run totals), not per trial.
    """
    runs = _runs(daily, block)
    table = _finish_table(runs, items)
    top = table.shape[0]
    step = _share(runs[:, -1])
    state = np.zeros(items)
    state[0] = 1.0
    counts = [np.zeros(1, dtype=np.int64)]  # no trial is done on day 0
    running = trials
    elapsed = 0
    while running:
        if elapsed >= MAX_HORIZON_DAYS:
            raise ForecastError(
                f"at this history's throughput ({daily.mean():.3g} items a working day) some trials need more "
                f"than {MAX_HORIZON_DAYS} working days for {items} items"
            )
        chances = state[items - top :] @ table[::-1]  # s items done needs items - s more: from top down to 1
        chances[-1] += state[: items - top].sum()  # needs beyond any run's total: not done in this run
        drawn = rng.multinomial(running, chances / chances.sum())
        counts.append(drawn[:-1])
        running = int(drawn[-1])
        elapsed += block
        if running:
            state = np.convolve(state, step)[:items]
            state /= state.sum()
    return np.concatenate(counts).astype(np.int64)


def completion_day_counts(
    history: Throughput, items: int, *, trials: int, rng: np.random.Generator, block: int | None = None
) -> npt.NDArray[np.int64]:
    """The trials behind ``when_done`` as a histogram: ``counts[d]`` trials finish on working day ``d`` (1 = first)."""
    _check_trials(trials)
    runs = _usable(history.daily, block)
    if items < 1:
        raise ForecastError(f"the number of items must be at least 1, not {items}")
    return _completion_day_counts(history.daily, items, trials, rng, runs)


def when_done(
    history: Throughput,
    items: int,
    *,
    start: date,
    trials: int = 10_000,
    seed: int | None = None,
    percentiles: Sequence[int] = DEFAULT_PERCENTILES,
    holidays: Sequence[date] = (),
    block: int | None = None,
) -> dict[int, date]:
    """When will ``items`` more items be done? Percentile -> the earliest date by which that share of trials is.

    Each trial replays runs of ``block`` consecutive working days drawn at random from the history (None: the
    default of ``block_for``), from ``start`` (or the next working day when ``start`` is not one) until the
    running total reaches ``items``.
    """
    _check_percentiles(percentiles)
    counts = completion_day_counts(history, items, trials=trials, rng=np.random.default_rng(seed), block=block)
    return dict(zip(percentiles, _dates(start, _earliest_by(counts, percentiles), holidays), strict=True))


def _total_counts(
    daily: npt.NDArray[np.int64], days: int, trials: int, rng: np.random.Generator, block: int
) -> npt.NDArray[np.int64]:
    """``counts[v]``: how many of ``trials`` complete ``v`` items in ``days`` working days.

    A trial's total is the sum of ``days // block`` drawn runs and the first ``days % block`` days of one more,
    all independent, so its exact distribution is the convolution of theirs (by repeated squaring); the
    histogram of n independent trials is one multinomial draw from it.
    """
    runs = _runs(daily, block)
    full, rest = divmod(days, block)
    distribution = _share(runs[:, rest - 1]) if rest else np.ones(1)
    power = _share(runs[:, -1])
    while full:
        if full & 1:
            distribution = np.convolve(distribution, power)
        full >>= 1
        if full:
            power = np.convolve(power, power)
    return rng.multinomial(trials, distribution / distribution.sum()).astype(np.int64)


def total_counts(
    history: Throughput, days: int, *, trials: int, rng: np.random.Generator, block: int | None = None
) -> npt.NDArray[np.int64]:
    """The trials behind ``how_many`` as a histogram: ``counts[v]`` trials complete ``v`` items in ``days``."""
    _check_trials(trials)
    runs = _usable(history.daily, block)
    if days <= 0:
        return np.array([trials], dtype=np.int64)
    return _total_counts(history.daily, days, trials, rng, runs)


def how_many(
    history: Throughput,
    *,
    start: date,
    until: date,
    trials: int = 10_000,
    seed: int | None = None,
    percentiles: Sequence[int] = DEFAULT_PERCENTILES,
    holidays: Sequence[date] = (),
    block: int | None = None,
) -> dict[int, int]:
    """How many items by ``until``? Confidence c -> the count at least c% of trials reach, start to until inclusive.

    Each trial adds up runs of ``block`` consecutive working days drawn from the history, as in ``when_done``.
    Higher confidence gives a smaller count: 95% sure of 30 items, only 50% sure of 40.
    """
    _check_percentiles(percentiles)
    days = _working_days(start, until, holidays)
    counts = total_counts(history, days, trials=trials, rng=np.random.default_rng(seed), block=block)
    return dict(zip(percentiles, _reached_by(counts, percentiles), strict=True))


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


@dataclass(frozen=True)
class Calibration:
    """How the forecasts of one method fared on a history, walking forward (see ``backtest``).

    ``held[p]``: the share of cutoffs where the real work was done by the P``p`` date. ``promised[p]``: what
    the trials themselves gave that date, on average. It is at least p% and more when the work takes only a
    few days, because a date holds the whole of its last day: then a P50 date done in 70% of the trials is
    calibrated when it holds 70% of the time, not 50%. ``cutoffs``: how many forecasts were checked.
    """

    held: dict[int, float]
    promised: dict[int, float]
    cutoffs: int


def backtest(
    completed: Sequence[date],
    *,
    items: int = 10,
    window: int | None = DEFAULT_WINDOW,
    step: int = 1,
    trials: int = 10_000,
    seed: int = 0,
    percentiles: Sequence[int] = DEFAULT_PERCENTILES,
    holidays: Sequence[date] = (),
    block: int | None = None,
) -> Calibration:
    """How often each percentile of ``when_done`` held on this history, and how often its trials promised.

    A calibrated forecast holds about as often as it promised, at least p% for P``p`` (see ``Calibration``).

    Walks forward: at every ``step``-th working day after the first ``BACKTEST_WARM_UP`` (and the first
    ``block``), forecasts the next ``items`` completions from the days before it only (the last ``window`` of
    them, or all with None), as ``when_done`` would with that ``block``, then checks whether the real data
    finished them by each percentile's day. Every working day is a cutoff by default: a step in step with a
    sprint would check every forecast at the same point of the sprint. The walk stops where the real data no
    longer holds ``items`` more completions; a cutoff whose usable history completed nothing is skipped.
    """
    _check_percentiles(percentiles)
    _check_trials(trials)
    if items < 1 or step < 1:
        raise ForecastError("items and step must be at least 1")
    if window is not None and window < MIN_HISTORY_DAYS:
        raise ForecastError(f"the window must be at least {MIN_HISTORY_DAYS} working days, not {window}")
    if block is not None:
        _check_block(block)
        if window is not None and block > window:
            raise ForecastError(f"a block of {block} working days does not fit in a window of {window}")
    daily = daily_throughput(completed, holidays=holidays).daily
    rng = np.random.default_rng(seed)
    held = np.zeros(len(percentiles), dtype=np.int64)
    promised = np.zeros(len(percentiles))
    cutoffs = 0
    first = max(BACKTEST_WARM_UP, block or 0)
    for cutoff in range(first, daily.size, step):
        future = np.cumsum(daily[cutoff:])
        if future[-1] < items:
            break
        actual = int(np.argmax(future >= items)) + 1
        past = daily[:cutoff] if window is None else daily[max(0, cutoff - window) : cutoff]
        if not past.any():
            continue
        counts = _completion_day_counts(past, items, trials, rng, block_for(past.size, block))
        forecast = _earliest_by(counts, percentiles)
        held += actual <= np.array(forecast)
        promised += np.cumsum(counts)[forecast] / trials
        cutoffs += 1
    if cutoffs == 0:
        raise ForecastError(
            f"the history is too short to backtest: it needs {first} working days and then {items} more completions"
        )
    return Calibration(
        held={p: float(count) / cutoffs for p, count in zip(percentiles, held.tolist(), strict=True)},
        promised={p: share / cutoffs for p, share in zip(percentiles, promised.tolist(), strict=True)},
        cutoffs=cutoffs,
    )
