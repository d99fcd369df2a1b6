"""Delivery forecasts: exact percentiles, the lower tail of "how many", working days, runs, plans and calibration.

The command line is tested in ``test_forecast_cli.py``.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from functools import partial

import numpy as np
import pytest

from tandem.schedule.forecast import (
    DEFAULT_BLOCK,
    ForecastError,
    Throughput,
    backtest,
    block_for,
    completion_day_counts,
    daily_throughput,
    how_many,
    next_working_day,
    pert_samples,
    plan_forecast,
    total_counts,
    when_done,
)

MONDAY = date(2025, 1, 6)
THURSDAY = date(2025, 1, 9)
FRIDAY = date(2025, 1, 10)
SATURDAY = date(2025, 1, 11)
SUNDAY = date(2025, 1, 12)
NEXT_MONDAY = date(2025, 1, 13)
PERCENTILES = (50, 70, 85, 95)
SMALL_HISTORY = (2, 0, 1, 3, 0, 1)
"""Six working days, two of them empty: small enough to enumerate every way a trial can go."""


def completions(counts: list[int] | np.ndarray, start: date = MONDAY) -> list[date]:
    """One date per completed item: ``counts[i]`` items on the i-th working day from ``start``."""
    days = np.busday_offset(np.datetime64(start, "D"), np.arange(len(counts)), roll="forward")
    return [day for day, count in zip(days.tolist(), counts, strict=True) for _ in range(int(count))]


def constant(per_day: int, days: int = 10) -> Throughput:
    return Throughput(start=MONDAY, end=MONDAY + timedelta(days=days), daily=np.full(days, per_day))


def history_of(daily: list[int] | tuple[int, ...] | np.ndarray) -> Throughput:
    return Throughput(start=MONDAY, end=MONDAY, daily=np.asarray(daily))


def working_day_walk(start: date, day_number: int, holidays: frozenset[date] = frozenset()) -> date:
    """Plain Python: the ``day_number``-th working day (1 = ``start`` when it is one), skipping weekends/holidays."""
    day = start - timedelta(days=1)
    for _ in range(day_number):
        day += timedelta(days=1)
        while day.weekday() >= 5 or day in holidays:
            day += timedelta(days=1)
    return day


def runs_of(daily: tuple[int, ...], block: int) -> list[list[int]]:
    """Plain Python: every run of ``block`` consecutive days, one starting on each day, wrapping at the end."""
    return [[daily[(start + offset) % len(daily)] for offset in range(block)] for start in range(len(daily))]


def expanded(counts: np.ndarray) -> list[int]:
    """A histogram back as one value per trial, ascending."""
    return np.repeat(np.arange(counts.size), counts).tolist()


def assert_draws_from(counts: np.ndarray, exact: dict[int, float]) -> None:
    """The histogram of n trials agrees with the exact distribution: no trial where it is impossible, and each
    share within 6 standard errors of its chance (a false alarm about once in 10^8 cells)."""
    trials = int(counts.sum())
    for value in range(max(counts.size, max(exact) + 1)):
        chance = exact.get(value, 0.0)
        seen = int(counts[value]) if value < counts.size else 0
        if chance == 0:
            assert seen == 0, value
        else:
            assert abs(seen / trials - chance) <= 6 * math.sqrt(chance * (1 - chance) / trials) + 1e-12, value


# --- daily throughput ------------------------------------------------------------------------------------------


def test_weekend_completions_count_on_monday() -> None:
    history = daily_throughput([FRIDAY, SATURDAY, SUNDAY, SUNDAY, NEXT_MONDAY])
    assert (history.start, history.end) == (FRIDAY, NEXT_MONDAY)
    assert history.daily.tolist() == [1, 4]


def test_holiday_completions_count_on_the_next_working_day_and_the_holiday_is_not_a_day() -> None:
    history = daily_throughput([FRIDAY, NEXT_MONDAY, date(2025, 1, 14)], holidays=[NEXT_MONDAY])
    assert history.daily.tolist() == [1, 2]
    assert history.end == date(2025, 1, 14)


def test_until_adds_quiet_days_and_drops_later_completions() -> None:
    history = daily_throughput([MONDAY, MONDAY, THURSDAY, date(2025, 1, 20)], until=SUNDAY)
    assert (history.start, history.end) == (MONDAY, FRIDAY)
    assert history.daily.tolist() == [2, 0, 0, 1, 0]


def test_window_keeps_the_last_working_days() -> None:
    history = daily_throughput(completions([1, 2, 3, 4, 5, 6, 7]), window=3)
    assert history.daily.tolist() == [5, 6, 7]
    assert (history.start, history.end) == (FRIDAY, date(2025, 1, 14))


def test_a_history_is_read_only() -> None:
    history = constant(2)
    with pytest.raises(ValueError, match="read-only"):
        history.daily[0] = 5


# --- runs of days ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "block"), [(5, 1), (7, 1), (8, 2), (20, 5), (39, 9), (40, 10), (400, 10)])
def test_the_default_block_is_ten_days_or_a_quarter_of_a_shorter_history(days: int, block: int) -> None:
    assert DEFAULT_BLOCK == 10
    assert block_for(days) == block


def test_an_explicit_block_is_kept_and_must_be_positive() -> None:
    assert block_for(12, 12) == 12
    with pytest.raises(ForecastError, match="at least 1 working day, not 0"):
        block_for(40, 0)


@pytest.mark.parametrize("forecast", ["when", "how_many"])
def test_a_block_longer_than_the_history_is_an_error(forecast: str) -> None:
    history = history_of([1, 2, 0, 1, 3, 1, 2, 0])
    with pytest.raises(ForecastError, match=r"a block of 9 working days is longer than the history \(8 working"):
        if forecast == "when":
            when_done(history, 5, start=MONDAY, block=9)
        else:
            how_many(history, start=MONDAY, until=FRIDAY, block=9)


# --- when will N items be done? --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "start", "expected"),
    [
        (7, THURSDAY, date(2025, 1, 14)),  # 4 working days: Thu, Fri, Mon, Tue
        (8, THURSDAY, date(2025, 1, 14)),
        (1, SATURDAY, NEXT_MONDAY),  # a weekend start counts from Monday
        (20, MONDAY, date(2025, 1, 17)),
    ],
)
@pytest.mark.parametrize("block", [None, 1, 3, 10])
def test_constant_throughput_takes_exactly_ceil_items_over_rate_working_days(
    items: int, start: date, expected: date, block: int | None
) -> None:
    forecast = when_done(constant(2), items, start=start, trials=500, seed=1, block=block)
    assert forecast == dict.fromkeys(PERCENTILES, expected)


def exact_completion_days(daily: tuple[int, ...], items: int, block: int) -> dict[int, float]:
    """Plain Python: the chance a trial that strings together runs drawn uniformly from ``runs_of(daily, block)``
    first reaches ``items`` on each working day, following every run it can draw (until 1e-15 is left)."""
    runs = runs_of(daily, block)
    running = {0: 1.0}  # items done so far -> chance, for trials not done yet
    done: dict[int, float] = {}
    elapsed = 0
    while sum(running.values()) > 1e-15:
        after: dict[int, float] = {}
        for total, chance in running.items():
            for run in runs:
                reached = total
                for day, count in enumerate(run, start=elapsed + 1):
                    reached += count
                    if reached >= items:
                        done[day] = done.get(day, 0.0) + chance / len(runs)
                        break
                else:
                    after[reached] = after.get(reached, 0.0) + chance / len(runs)
        running = after
        elapsed += block
    return done


@pytest.mark.parametrize("block", [1, 2, 3, 6])
def test_completion_days_are_drawn_from_the_exact_distribution_of_strung_runs(block: int) -> None:
    exact = exact_completion_days(SMALL_HISTORY, 5, block)
    rng = np.random.default_rng(7)
    counts = completion_day_counts(history_of(SMALL_HISTORY), 5, trials=10**8, rng=rng, block=block)
    assert counts[0] == 0 and counts.sum() == 10**8
    assert_draws_from(counts, exact)


def simulate_completion_days(daily: np.ndarray, items: int, block: int, trials: int, seed: int) -> np.ndarray:
    """Trial by trial, in NumPy: draw the runs (circular, like ``runs_of``), add them up, note the first day each
    trial reaches ``items``."""
    rng = np.random.default_rng(seed)
    rounds = math.ceil(3 * items / daily.mean() / block)
    starts = rng.integers(0, daily.size, size=(trials, rounds))
    days = (starts[:, :, None] + np.arange(block)).reshape(trials, -1) % daily.size
    reached = np.cumsum(daily[days], axis=1) >= items
    assert reached[:, -1].all()
    return np.bincount(reached.argmax(axis=1) + 1)


@pytest.mark.parametrize("block", [1, 5, 10])
def test_completion_days_match_a_trial_by_trial_simulation(block: int) -> None:
    daily = np.random.default_rng(3).poisson(2.5, 60)
    trials = 200_000
    simulated = simulate_completion_days(daily, 40, block, trials, seed=1)
    counts = completion_day_counts(history_of(daily), 40, trials=trials, rng=np.random.default_rng(2), block=block)
    # Two samples of one distribution: the chi-square statistic over days with enough trials stays near its
    # degrees of freedom (6 standard deviations above is a false alarm about once in 10^9).
    size = max(simulated.size, counts.size)
    ours, theirs = np.pad(counts, (0, size - counts.size)), np.pad(simulated, (0, size - simulated.size))
    both = ours + theirs
    kept = both >= 20
    chi2 = float((((ours - theirs)[kept]) ** 2 / both[kept]).sum())
    freedom = int(kept.sum()) - 1
    assert chi2 < freedom + 6 * math.sqrt(2 * freedom)
    shares = [np.cumsum(ours) / trials, np.cumsum(theirs) / trials]
    for p in PERCENTILES:
        days = [int(np.searchsorted(share, p / 100)) for share in shares]
        assert abs(days[0] - days[1]) <= 1, p


def test_when_done_reads_each_percentile_as_the_inverted_cdf_of_the_trials() -> None:
    history = history_of(np.random.default_rng(42).poisson(2.5, 30))
    items, trials, seed = 20, 501, 7
    percentiles = (1, 10, 50, 70, 85, 95, 99, 100)
    forecast = when_done(history, items, start=SATURDAY, trials=trials, seed=seed, percentiles=percentiles)
    days = expanded(completion_day_counts(history, items, trials=trials, rng=np.random.default_rng(seed)))
    assert len(days) == trials
    for p in percentiles:
        earliest = min(d for d in days if sum(x <= d for x in days) * 100 >= p * trials)
        assert forecast[p] == working_day_walk(SATURDAY, earliest), p
        assert earliest == np.quantile(days, p / 100, method="inverted_cdf")


def test_forecasts_never_land_on_weekends_or_holidays() -> None:
    holidays = [date(2025, 1, 20), date(2025, 1, 21), date(2025, 2, 3)]
    history = daily_throughput(completions(np.random.default_rng(3).poisson(1.5, 60)))
    for offset in range(10):
        start = SATURDAY + timedelta(days=offset)
        for items in (1, 3, 10, 25):
            forecast = when_done(history, items, start=start, trials=300, seed=offset, holidays=holidays)
            assert all(day.weekday() < 5 and day not in holidays for day in forecast.values())
            assert list(forecast.values()) == sorted(forecast.values())


def test_holidays_are_skipped() -> None:
    forecast = when_done(constant(2), 4, start=FRIDAY, trials=100, seed=0, holidays=[NEXT_MONDAY])
    assert set(forecast.values()) == {date(2025, 1, 14)}


@pytest.mark.parametrize("block", [None, 1, 7])
def test_a_seed_makes_forecasts_reproducible(block: int | None) -> None:
    history = daily_throughput(completions(np.random.default_rng(5).poisson(2, 80)))
    forecast = partial(when_done, history, 40, start=MONDAY, trials=2000, block=block)
    assert forecast(seed=11) == forecast(seed=11)
    counts = partial(completion_day_counts, history, 40, trials=2000, block=block)
    assert counts(rng=np.random.default_rng(11)).tolist() == counts(rng=np.random.default_rng(11)).tolist()
    assert counts(rng=np.random.default_rng(11)).tolist() != counts(rng=np.random.default_rng(12)).tolist()
    many = partial(how_many, history, start=MONDAY, until=date(2025, 3, 1), block=block)
    assert many(seed=3) == many(seed=3)


def test_runs_keep_a_sprint_end_sweep_in_every_sprint() -> None:
    """Ten items closed every Friday and nothing else: every working week finishes ten items. Runs of a week
    know that; single days drawn at random see a 1-in-5 chance of a sweep each day: 1 - 0.8 ** 10 = 89% of the
    trials have one within ten working days, so their P95 is later than that."""
    sweeps = history_of([0, 0, 0, 0, 10] * 12)
    weekly = when_done(sweeps, 10, start=MONDAY, trials=10_000, seed=1, block=5)
    assert max(weekly.values()) <= FRIDAY
    daily = when_done(sweeps, 10, start=MONDAY, trials=10_000, seed=1, block=1)
    assert daily[95] > date(2025, 1, 17)


# --- how many by a date? ---------------------------------------------------------------------------------------


def test_how_many_with_constant_throughput_counts_working_days_inclusive() -> None:
    until = date(2025, 1, 19)  # a Sunday: Mon 6 .. Fri 17 is 10 working days
    assert how_many(constant(2), start=MONDAY, until=until, trials=50, seed=0) == dict.fromkeys(PERCENTILES, 20)
    one_holiday = how_many(constant(2), start=MONDAY, until=until, trials=50, seed=0, holidays=[NEXT_MONDAY])
    assert set(one_holiday.values()) == {18}
    assert set(how_many(constant(2), start=SATURDAY, until=SUNDAY, trials=5, seed=0).values()) == {0}


@pytest.mark.parametrize(("days", "block"), [(4, 1), (7, 3), (5, 5), (2, 6)])
def test_totals_are_drawn_from_the_exact_distribution_of_strung_runs(days: int, block: int) -> None:
    """Every sequence of runs a trial can draw, enumerated: whole runs, then the first days of one more."""
    runs = runs_of(SMALL_HISTORY, block)
    drawn = -(-days // block)
    exact: dict[int, float] = {}
    for sequence in itertools.product(runs, repeat=drawn):
        total = sum(sum(run) for run in sequence[:-1]) + sum(sequence[-1][: days - block * (drawn - 1)])
        exact[total] = exact.get(total, 0.0) + len(runs) ** -drawn
    counts = total_counts(history_of(SMALL_HISTORY), days, trials=10**8, rng=np.random.default_rng(5), block=block)
    assert counts.sum() == 10**8
    assert_draws_from(counts, exact)


@pytest.mark.parametrize("trials", [10, 37, 1000])
@pytest.mark.parametrize("block", [1, 4])
def test_how_many_is_the_lower_tail_reached_in_at_least_c_percent_of_trials(trials: int, block: int) -> None:
    history = daily_throughput(completions(np.random.default_rng(8).poisson(2, 50)))
    until, seed = date(2025, 1, 31), 4
    confidences = (1, 5, 10, 25, 50, 70, 85, 90, 95, 99, 100)
    answer = how_many(
        history, start=MONDAY, until=until, trials=trials, seed=seed, percentiles=confidences, block=block
    )
    counts = total_counts(history, 20, trials=trials, rng=np.random.default_rng(seed), block=block)  # 20 days
    totals = expanded(counts)
    assert len(totals) == trials
    for c in confidences:
        reached = sum(total >= answer[c] for total in totals)
        reached_one_more = sum(total >= answer[c] + 1 for total in totals)
        assert reached * 100 >= c * trials, c
        assert reached_one_more * 100 < c * trials, c
        assert answer[c] >= np.quantile(totals, 1 - c / 100, method="lower")
    assert list(answer.values()) == sorted(answer.values(), reverse=True)


def test_how_many_needs_an_end_after_the_start() -> None:
    with pytest.raises(ForecastError, match="before the start"):
        how_many(constant(2), start=FRIDAY, until=MONDAY)


# --- unusable histories ----------------------------------------------------------------------------------------


def test_an_empty_history_is_an_error() -> None:
    with pytest.raises(ForecastError, match="empty"):
        daily_throughput([])
    with pytest.raises(ForecastError, match="empty"):
        when_done(Throughput(start=MONDAY, end=MONDAY, daily=np.zeros(0, dtype=np.int64)), 5, start=MONDAY)


def test_a_history_shorter_than_five_working_days_is_an_error() -> None:
    history = daily_throughput([MONDAY, THURSDAY])
    with pytest.raises(ForecastError, match=r"4 working day.*at least 5"):
        when_done(history, 3, start=FRIDAY)
    with pytest.raises(ForecastError, match="at least 5"):
        how_many(history, start=FRIDAY, until=date(2025, 2, 1))


def test_zero_throughput_everywhere_is_an_error() -> None:
    quiet = daily_throughput([MONDAY], until=date(2025, 2, 28), window=10)
    assert quiet.daily.tolist() == [0] * 10
    with pytest.raises(ForecastError, match="zero throughput"):
        when_done(quiet, 3, start=date(2025, 3, 3))
    with pytest.raises(ForecastError, match="zero throughput"):
        how_many(quiet, start=date(2025, 3, 3), until=date(2025, 3, 31))


def test_nothing_completed_before_until_is_an_error() -> None:
    with pytest.raises(ForecastError, match="on or before"):
        daily_throughput([NEXT_MONDAY], until=FRIDAY)


def test_a_forecast_that_would_take_a_century_is_an_error() -> None:
    trickle = Throughput(start=MONDAY, end=MONDAY, daily=np.array([1] + [0] * 999))
    with pytest.raises(ForecastError, match="more than 26100 working days"):
        when_done(trickle, 100, start=MONDAY, trials=100, seed=0, block=1)


# --- plans from estimates --------------------------------------------------------------------------------------


def test_pert_with_degenerate_ranges_is_certain() -> None:
    samples = pert_samples(
        np.array([3.0, 0.0]), np.array([3.0, 0.0]), np.array([3.0, 0.0]), trials=100, rng=np.random.default_rng(0)
    )
    assert samples.shape == (100, 2)
    assert (samples[:, 0] == 3).all() and (samples[:, 1] == 0).all()


def test_pert_stays_in_range_with_the_pert_mean() -> None:
    low, mode, high = np.array([1.0, 2.0, 5.0]), np.array([2.0, 2.0, 6.0]), np.array([6.0, 10.0, 6.0])
    samples = pert_samples(low, mode, high, trials=20_000, rng=np.random.default_rng(1))
    assert (samples >= low).all() and (samples <= high).all()
    np.testing.assert_allclose(samples.mean(axis=0), (low + 4 * mode + high) / 6, rtol=0.02)


@pytest.mark.parametrize(
    ("low", "mode", "high", "message"),
    [
        ([2.0], [1.0], [3.0], "optimistic <= likely <= pessimistic"),
        ([1.0], [3.0], [2.0], "optimistic <= likely <= pessimistic"),
        ([-1.0], [1.0], [2.0], "non-negative"),
        ([1.0], [float("nan")], [2.0], "non-negative"),
        ([1.0, 2.0], [1.0], [2.0], "one estimate per item"),
    ],
)
def test_plan_estimates_are_validated(low: list[float], mode: list[float], high: list[float], message: str) -> None:
    with pytest.raises(ForecastError, match=message):
        plan_forecast(low, mode, high, capacity_per_day=1, start=MONDAY)


def test_plan_capacity_must_be_positive() -> None:
    with pytest.raises(ForecastError, match="capacity"):
        plan_forecast([1], [1], [1], capacity_per_day=0, start=MONDAY)


def test_a_certain_plan_finishes_item_by_item() -> None:
    plan = plan_forecast(
        [1, 1, 0.5, 0.5],
        [1, 1, 0.5, 0.5],
        [1, 1, 0.5, 0.5],
        capacity_per_day=1,
        start=FRIDAY,
        target=NEXT_MONDAY,
        trials=50,
        seed=0,
    )
    expected = [FRIDAY, NEXT_MONDAY, date(2025, 1, 14), date(2025, 1, 14)]
    assert plan.completion == [dict.fromkeys(PERCENTILES, day) for day in expected]
    assert plan.cut_line == 2
    assert plan_forecast([1], [1], [1], capacity_per_day=1, start=FRIDAY, trials=5).cut_line is None


def test_plan_cut_line_shrinks_as_confidence_grows_and_is_reproducible() -> None:
    rng = np.random.default_rng(2)
    low = rng.uniform(0.5, 2, 30)
    mode = low + rng.uniform(0, 2, 30)
    high = mode + rng.uniform(0, 6, 30)
    forecast = partial(
        plan_forecast,
        low,
        mode,
        high,
        capacity_per_day=1.5,
        start=MONDAY,
        target=date(2025, 2, 14),
        trials=4000,
        seed=9,
    )
    cuts = [forecast(confidence=c).cut_line or 0 for c in (0.3, 0.5, 0.7, 0.85, 0.95)]
    assert cuts == sorted(cuts, reverse=True)
    assert cuts[0] > cuts[-1]
    plan = forecast()
    assert plan == forecast()
    for item in plan.completion:
        assert list(item.values()) == sorted(item.values())
        assert all(day.weekday() < 5 for day in item.values())
    for p in PERCENTILES:
        by_item = [item[p] for item in plan.completion]
        assert by_item == sorted(by_item)


# --- calibration -----------------------------------------------------------------------------------------------


def miscalibration(history: list[date], *, window: int | None, block: int | None) -> float:
    """The worst gap, over the percentiles, between how often the forecasts held and what their trials promised."""
    result = backtest(history, items=10, seed=1, window=window, block=block)
    return max(abs(result.held[p] - result.promised[p]) for p in PERCENTILES)


def test_backtest_on_a_stationary_history_holds_what_it_promised() -> None:
    counts = np.random.default_rng(21).poisson(2.0, 400)
    result = backtest(completions(counts), items=10, window=None, block=1, seed=1)
    assert set(result.held) == set(result.promised) == set(PERCENTILES)
    assert result.cutoffs == sum(counts[cutoff:].sum() >= 10 for cutoff in range(20, 400))  # every working day
    for p in PERCENTILES:
        assert result.promised[p] >= p / 100  # a date holds its whole day: at least p% of the trials
        assert abs(result.held[p] - result.promised[p]) < 0.08, p
    assert result.held[50] <= result.held[70] <= result.held[85] <= result.held[95]


def test_backtest_exposes_a_trend_and_a_window_helps() -> None:
    slowing = completions(np.random.default_rng(22).poisson(np.linspace(6, 0.5, 400)))
    all_history = backtest(slowing, items=10, window=None, block=1, seed=1)
    recent = backtest(slowing, items=10, window=20, block=1, seed=1)
    assert all_history.held[85] < all_history.promised[85] - 0.2  # forecasts from the faster past: too early
    assert recent.held[85] > all_history.held[85] + 0.2
    speeding_up = completions(np.random.default_rng(22).poisson(np.linspace(1, 4, 400)))
    speeding = backtest(speeding_up, items=10, window=None, block=1, seed=1)
    assert speeding.held[50] > speeding.promised[50] + 0.2  # and too late for a team that speeds up


def test_runs_calibrate_a_history_of_sprint_end_sweeps() -> None:
    """Items trickle in at 0.5 a day and pile up on every tenth: daily draws mistake the sweeps for luck."""
    rng = np.random.default_rng(23)
    counts = rng.poisson(0.5, 400)
    counts[9::10] += rng.poisson(25, 40)
    history = completions(counts)
    assert miscalibration(history, window=40, block=1) > 0.2
    assert miscalibration(history, window=40, block=10) < 0.1


def test_the_default_method_samples_runs_from_the_last_40_days() -> None:
    history = completions(np.random.default_rng(24).poisson(np.linspace(5, 1, 300)))
    assert backtest(history, seed=3) == backtest(history, seed=3, window=40, block=None)
    assert backtest(history, seed=3) != backtest(history, seed=3, window=None, block=None)


@pytest.mark.parametrize(
    ("items", "window", "block", "message"),
    [
        (10, 4, None, "window must be at least 5 working days, not 4"),
        (10, 8, 9, "a block of 9 working days does not fit in a window of 8"),
        (10, None, 0, "at least 1 working day, not 0"),
        (0, None, None, "at least 1"),
    ],
)
def test_backtest_options_are_validated(items: int, window: int | None, block: int | None, message: str) -> None:
    with pytest.raises(ForecastError, match=message):
        backtest(completions([2] * 60), items=items, window=window, block=block)


def test_backtest_needs_enough_history() -> None:
    with pytest.raises(ForecastError, match="too short to backtest: it needs 20 working days and then 10 more"):
        backtest(completions([1] * 25), items=10)
    with pytest.raises(ForecastError, match="it needs 30 working days"):
        backtest(completions([1] * 35), items=10, block=30, window=None)


def test_next_working_day_skips_weekends_and_holidays() -> None:
    assert next_working_day(FRIDAY) == NEXT_MONDAY
    assert next_working_day(SATURDAY, [NEXT_MONDAY]) == date(2025, 1, 14)
