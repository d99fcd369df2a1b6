"""Delivery forecasts: exact percentiles, the lower tail of "how many", working days, plans and calibration."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from tandem.schedule.forecast import (
    ForecastError,
    Throughput,
    _block_days,
    backtest,
    daily_throughput,
    how_many,
    next_working_day,
    pert_samples,
    plan_forecast,
    sample_completion_days,
    sample_totals,
    when_done,
)
from tandem.schedule.forecast_cli import main

MONDAY = date(2025, 1, 6)
THURSDAY = date(2025, 1, 9)
FRIDAY = date(2025, 1, 10)
SATURDAY = date(2025, 1, 11)
SUNDAY = date(2025, 1, 12)
NEXT_MONDAY = date(2025, 1, 13)
PERCENTILES = (50, 70, 85, 95)


def completions(counts: list[int] | np.ndarray, start: date = MONDAY) -> list[date]:
    """One date per completed item: ``counts[i]`` items on the i-th working day from ``start``."""
    days = np.busday_offset(np.datetime64(start, "D"), np.arange(len(counts)), roll="forward")
    return [day for day, count in zip(days.tolist(), counts, strict=True) for _ in range(int(count))]


def constant(per_day: int, days: int = 10) -> Throughput:
    return Throughput(start=MONDAY, end=MONDAY + timedelta(days=days), daily=np.full(days, per_day))


def working_day_walk(start: date, day_number: int, holidays: frozenset[date] = frozenset()) -> date:
    """Plain Python: the ``day_number``-th working day (1 = ``start`` when it is one), skipping weekends/holidays."""
    day = start - timedelta(days=1)
    for _ in range(day_number):
        day += timedelta(days=1)
        while day.weekday() >= 5 or day in holidays:
            day += timedelta(days=1)
    return day


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
def test_constant_throughput_takes_exactly_ceil_items_over_rate_working_days(
    items: int, start: date, expected: date
) -> None:
    forecast = when_done(constant(2), items, start=start, trials=500, seed=1)
    assert forecast == dict.fromkeys(PERCENTILES, expected)


def test_when_done_matches_a_plain_python_replay_of_the_same_draws() -> None:
    daily = np.random.default_rng(42).choice([2, 3], size=30)  # at least 2 a day: every trial ends in one round
    history = Throughput(start=MONDAY, end=MONDAY, daily=daily)
    items, trials, seed = 20, 500, 7
    block = _block_days(items, float(daily.mean()), trials)
    draws = np.random.default_rng(seed).integers(0, daily.size, size=(trials, block))
    replay = []
    for row in draws.tolist():
        total = 0
        for day, index in enumerate(row, start=1):
            total += int(daily[index])
            if total >= items:
                replay.append(day)
                break
    assert len(replay) == trials
    assert sample_completion_days(history, items, trials=trials, rng=np.random.default_rng(seed)).tolist() == replay

    percentiles = (1, 10, 50, 70, 85, 95, 99, 100)
    forecast = when_done(history, items, start=SATURDAY, trials=trials, seed=seed, percentiles=percentiles)
    for p in percentiles:
        earliest = min(d for d in replay if sum(x <= d for x in replay) * 100 >= p * trials)
        assert forecast[p] == working_day_walk(SATURDAY, earliest), p
        assert earliest == np.quantile(replay, p / 100, method="inverted_cdf")


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


def test_a_seed_makes_forecasts_reproducible() -> None:
    history = daily_throughput(completions(np.random.default_rng(5).poisson(2, 80)))
    first = when_done(history, 40, start=MONDAY, trials=2000, seed=11)
    assert when_done(history, 40, start=MONDAY, trials=2000, seed=11) == first
    assert how_many(history, start=MONDAY, until=date(2025, 3, 1), seed=3) == how_many(
        history, start=MONDAY, until=date(2025, 3, 1), seed=3
    )


# --- how many by a date? ---------------------------------------------------------------------------------------


def test_how_many_with_constant_throughput_counts_working_days_inclusive() -> None:
    until = date(2025, 1, 19)  # a Sunday: Mon 6 .. Fri 17 is 10 working days
    assert how_many(constant(2), start=MONDAY, until=until, trials=50, seed=0) == dict.fromkeys(PERCENTILES, 20)
    one_holiday = how_many(constant(2), start=MONDAY, until=until, trials=50, seed=0, holidays=[NEXT_MONDAY])
    assert set(one_holiday.values()) == {18}
    assert set(how_many(constant(2), start=SATURDAY, until=SUNDAY, trials=5, seed=0).values()) == {0}


@pytest.mark.parametrize("trials", [10, 37, 1000])
def test_how_many_is_the_lower_tail_reached_in_at_least_c_percent_of_trials(trials: int) -> None:
    history = daily_throughput(completions(np.random.default_rng(8).poisson(2, 50)))
    until, seed = date(2025, 1, 31), 4
    confidences = (1, 5, 10, 25, 50, 70, 85, 90, 95, 99, 100)
    answer = how_many(history, start=MONDAY, until=until, trials=trials, seed=seed, percentiles=confidences)

    draws = np.random.default_rng(seed).integers(0, history.daily.size, size=(trials, 20))  # 20 working days
    totals = [sum(int(history.daily[i]) for i in row) for row in draws.tolist()]
    assert sample_totals(history, 20, trials=trials, rng=np.random.default_rng(seed)).tolist() == totals
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


def test_backtest_on_a_stationary_history_is_calibrated() -> None:
    history = completions(np.random.default_rng(21).poisson(2.0, 400))
    held = backtest(history, items=10, seed=1)
    assert set(held) == set(PERCENTILES)
    assert 0.7 <= held[85] <= 0.98
    assert 0.35 <= held[50] <= 0.65
    assert held[50] <= held[70] <= held[85] <= held[95]


def test_backtest_exposes_a_trend_and_a_window_helps() -> None:
    slowing = completions(np.random.default_rng(22).poisson(np.linspace(6, 0.5, 400)))
    all_history = backtest(slowing, items=10, seed=1)
    recent = backtest(slowing, items=10, window=20, seed=1)
    assert all_history[85] < 0.65  # forecasts from the faster past are far too early
    assert recent[85] > all_history[85] + 0.2
    speeding_up = completions(np.random.default_rng(22).poisson(np.linspace(1, 4, 400)))
    assert backtest(speeding_up, items=10, seed=1)[85] > 0.95  # and too late for a team that speeds up


def test_backtest_needs_enough_history() -> None:
    with pytest.raises(ForecastError, match="too short to backtest"):
        backtest(completions([1] * 25), items=10)


def test_next_working_day_skips_weekends_and_holidays() -> None:
    assert next_working_day(FRIDAY) == NEXT_MONDAY
    assert next_working_day(SATURDAY, [NEXT_MONDAY]) == date(2025, 1, 14)


# --- command line ----------------------------------------------------------------------------------------------


@pytest.fixture
def items_csv(tmp_path: Path) -> Path:
    counts = np.random.default_rng(6).poisson(2, 120)
    rows = [f"{n},Item {n},{day.isoformat()}T16:30:00+01:00" for n, day in enumerate(completions(counts))]
    path = tmp_path / "items.csv"
    path.write_text("id,title,completed_at\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_when_json(items_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--history", str(items_csv), "--items", "30", "--seed", "1", "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert list(payload) == ["method", "trials", "percentiles"]
    assert payload["method"] == "throughput_monte_carlo" and payload["trials"] == 10_000
    assert list(payload["percentiles"]) == ["50", "70", "85", "95"]
    days = [date.fromisoformat(value) for value in payload["percentiles"].values()]
    assert days == sorted(days) and days[0] > date(2025, 6, 20)  # after the history's last day


def test_cli_how_many_json(items_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--history", str(items_csv), "--by", "2025-09-30", "--trials", "500", "--format", "json"]
    code, out, _ = run(args, capsys)
    payload = json.loads(out)
    assert code == 0 and payload["trials"] == 500
    counts = list(payload["percentiles"].values())
    assert all(isinstance(count, int) for count in counts) and counts == sorted(counts, reverse=True)


def test_cli_backtest_json(items_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--history", str(items_csv), "--backtest", "--format", "json"], capsys)
    payload = json.loads(out)
    assert code == 0 and payload["method"] == "backtest" and list(payload) == ["method", "percentiles"]
    assert list(payload["percentiles"]) == ["50", "70", "85", "95"]
    assert all(0 <= share <= 1 for share in payload["percentiles"].values())


def test_cli_text_and_holiday_calendar(items_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calendar = tmp_path / "holidays.txt"
    calendar.write_text("# company days off\n2025-06-23\n\n2025-06-24\n", encoding="utf-8")
    args = ["--history", str(items_csv), "--items", "5", "--calendar", str(calendar), "--seed", "2"]
    code, out, _ = run(args, capsys)
    assert code == 0 and "starting 2025-06-25" in out and "P85" in out


def test_cli_reports_a_bad_date_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "items.csv"
    path.write_text("id,completed_at\n1,2025-01-06\n2,\n3,06/01/2025\n", encoding="utf-8")
    code, _, err = run(["--history", str(path), "--items", "3"], capsys)
    assert code == 2
    assert "line 4" in err and "06/01/2025" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,done\n1,2025-01-06\n", "no completed_at column"),
        ("id,completed_at\n1,2025-01-06\n2,2025-01-07\n", "at least 5"),
        ("id,completed_at\n", "empty"),
    ],
)
def test_cli_user_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str) -> None:
    path = tmp_path / "items.csv"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(["--history", str(path), "--items", "3"], capsys)
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1


def test_cli_missing_files_and_bad_options_exit_2(
    items_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--history", str(tmp_path / "missing.csv"), "--items", "3"], capsys)[0] == 2
    assert run(["--history", str(items_csv)], capsys)[0] == 2
    assert run(["--history", str(items_csv), "--items", "3", "--by", "2025-09-01"], capsys)[0] == 2
    assert run(["--history", str(items_csv), "--by", "tomorrow"], capsys)[0] == 2
    bad_calendar = tmp_path / "holidays.txt"
    bad_calendar.write_text("2025-12-25\nBoxing Day\n", encoding="utf-8")
    code, _, err = run(["--history", str(items_csv), "--items", "3", "--calendar", str(bad_calendar)], capsys)
    assert code == 2 and "line 2" in err


def test_cli_does_not_import_the_app() -> None:
    probe = "import tandem.schedule.forecast_cli, sys; print('sqlalchemy' in sys.modules or 'fastapi' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_forecast_that_would_take_a_century_is_an_error() -> None:
    trickle = Throughput(start=MONDAY, end=MONDAY, daily=np.array([1] + [0] * 999))
    with pytest.raises(ForecastError, match="more than 26100 working days"):
        when_done(trickle, 100, start=MONDAY, trials=100, seed=0)


def test_the_tandem_command_routes_forecast_past_the_app(tmp_path: Path) -> None:
    history = tmp_path / "items.csv"
    history.write_text("completed_at\n" + "\n".join(f"2026-10-{day:02d}" for day in range(1, 31)) + "\n")
    probe = (
        "import sys\n"
        f"sys.argv = ['tandem', 'forecast', '--history', {str(history)!r}, '--items', '5', '--format', 'json']\n"
        "from tandem.entry import main\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    code = stop.code\n"
        "print(code, 'sqlalchemy' in sys.modules, 'fastapi' in sys.modules, 'typer' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "0 False False False"
    assert json.loads(result.stdout.splitlines()[0])["method"] == "throughput_monte_carlo"
