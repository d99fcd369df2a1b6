"""``tandem forecast``: the CSV in, the JSON contract and text out, its options, and user errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tandem.schedule.forecast_cli import main

MONDAY = date(2025, 1, 6)


def write_history(path: Path, counts: list[int] | np.ndarray) -> Path:
    """A CSV with ``counts[i]`` items completed on the i-th working day from Monday 6 January 2025."""
    days = np.busday_offset(np.datetime64(MONDAY, "D"), np.arange(len(counts)), roll="forward").tolist()
    dates = [day for day, count in zip(days, counts, strict=True) for _ in range(int(count))]
    rows = [f"{n},Item {n},{day.isoformat()}T16:30:00+01:00" for n, day in enumerate(dates)]
    path.write_text("id,title,completed_at\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def items_csv(tmp_path: Path) -> Path:
    """120 working days, about 2 items a day, ending Friday 20 June 2025."""
    return write_history(tmp_path / "items.csv", np.random.default_rng(6).poisson(2, 120))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# --- answers ---------------------------------------------------------------------------------------------------


def test_when_json_keeps_its_contract(items_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--history", str(items_csv), "--items", "30", "--seed", "1", "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert list(payload) == ["method", "trials", "percentiles"]
    assert payload["method"] == "throughput_monte_carlo" and payload["trials"] == 10_000
    assert list(payload["percentiles"]) == ["50", "70", "85", "95"]
    days = [date.fromisoformat(value) for value in payload["percentiles"].values()]
    assert days == sorted(days) and days[0] > date(2025, 6, 20)  # after the history's last day


def test_how_many_json(items_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--history", str(items_csv), "--by", "2025-09-30", "--trials", "500", "--format", "json"]
    code, out, _ = run(args, capsys)
    payload = json.loads(out)
    assert code == 0 and list(payload) == ["method", "trials", "percentiles"] and payload["trials"] == 500
    counts = list(payload["percentiles"].values())
    assert all(isinstance(count, int) for count in counts) and counts == sorted(counts, reverse=True)


def test_text_and_holiday_calendar(items_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calendar = tmp_path / "holidays.txt"
    calendar.write_text("# company days off\n2025-06-23\n\n2025-06-24\n", encoding="utf-8")
    args = ["--history", str(items_csv), "--items", "5", "--calendar", str(calendar), "--seed", "2"]
    code, out, _ = run(args, capsys)
    assert code == 0 and "starting 2025-06-25" in out and "P85" in out


def test_by_default_runs_of_ten_days_are_drawn_from_the_last_40(
    items_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--history", str(items_csv), "--items", "30", "--seed", "4"]
    code, out, _ = run(base, capsys)
    assert code == 0
    assert "runs of 10 working days from 40 working days of history (2025-04-28 to 2025-06-20" in out
    assert run([*base, "--window", "40", "--block", "10"], capsys)[1] == out
    _, everything, _ = run([*base, "--window", "all", "--block", "1"], capsys)
    assert "runs of 1 working day from 120 working days of history (2025-01-06 to 2025-06-20" in everything


def test_a_short_history_draws_shorter_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = write_history(tmp_path / "items.csv", [2, 1, 3, 0, 2, 2, 1, 0, 3, 2, 1, 2])
    _, out, _ = run(["--history", str(history), "--items", "10"], capsys)
    assert "runs of 3 working days from 12 working days of history" in out


def test_block_sampling_is_reproducible_with_a_seed(items_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--history", str(items_csv), "--items", "60", "--block", "5", "--seed", "9", "--format", "json"]
    first = run(args, capsys)
    assert first[0] == 0 and run(args, capsys) == first


# --- calibration -----------------------------------------------------------------------------------------------


def test_backtest_json(items_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--history", str(items_csv), "--backtest", "--format", "json"], capsys)
    payload = json.loads(out)
    assert code == 0
    assert list(payload) == ["method", "percentiles", "promised", "cutoffs", "items", "window", "block"]
    assert payload["method"] == "backtest" and (payload["items"], payload["window"], payload["block"]) == (10, 40, None)
    assert list(payload["percentiles"]) == list(payload["promised"]) == ["50", "70", "85", "95"]
    assert all(0 <= share <= 1 for share in payload["percentiles"].values())
    assert all(int(p) / 100 <= share <= 1 for p, share in payload["promised"].items())
    assert 80 <= payload["cutoffs"] <= 100  # every working day from the 21st with ten completions still to come


def test_backtest_text_shows_what_was_promised(items_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--history", str(items_csv), "--backtest", "--items", "5", "--window", "all", "--block", "2"]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert out.startswith("Backtest of the next 5 items at ")
    assert "from all the working days before it, in runs of 2 working days" in out
    assert out.count("of the time; its trials promised ") == 4


# --- user errors -----------------------------------------------------------------------------------------------


def test_a_bad_date_is_reported_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "items.csv"
    path.write_text("id,completed_at\n1,2025-01-06\n2,\n3,06/01/2025\n", encoding="utf-8")
    code, _, err = run(["--history", str(path), "--items", "3"], capsys)
    assert code == 2
    assert "line 4" in err and "06/01/2025" in err


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("id,done\n1,2025-01-06\n", [], "no completed_at column"),
        ("id,completed_at\n1,2025-01-06\n2,2025-01-07\n", [], "covers 2 working day(s); a forecast needs at least 5"),
        ("id,completed_at\n", [], "empty"),
        (
            "completed_at\n" + "2025-01-06\n2025-01-13\n",
            ["--block", "7"],
            "a block of 7 working days is longer than the history (6 working days)",
        ),
        (
            "completed_at\n" + "2025-01-06\n" * 30,
            ["--backtest"],
            "too short to backtest: it needs 20 working days and then 3 more completions",
        ),
    ],
)
def test_user_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, args: list[str], message: str
) -> None:
    path = tmp_path / "items.csv"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(["--history", str(path), "--items", "3", *args], capsys)
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--window", "0"], "argument --window: '0' is not a number of working days (1 or more) or 'all'"),
        (["--window", "recent"], "argument --window: 'recent' is not a number of working days"),
        (["--block", "0"], "argument --block: '0' is not a number of working days (1 or more)"),
        (
            ["--backtest", "--window", "20", "--block", "30"],
            "a block of 30 working days does not fit in a window of 20",
        ),
        (["--backtest", "--window", "3"], "the window must be at least 5 working days, not 3"),
        (["--trials", "0"], "trials must be at least 1, not 0"),
    ],
)
def test_bad_options_exit_2(items_csv: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(["--history", str(items_csv), "--items", "3", *args], capsys)
    assert (code, out) == (2, "")
    assert message in err


def test_missing_files_and_bad_questions_exit_2(
    items_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--history", str(tmp_path / "missing.csv"), "--items", "3"], capsys)[0] == 2
    assert run(["--history", str(items_csv)], capsys)[0] == 2
    assert run(["--history", str(items_csv), "--items", "3", "--by", "2025-09-01"], capsys)[0] == 2
    assert run(["--history", str(items_csv), "--by", "tomorrow"], capsys)[0] == 2
    assert run(["--history", str(items_csv), "--by", "2025-09-01", "--backtest"], capsys)[0] == 2
    bad_calendar = tmp_path / "holidays.txt"
    bad_calendar.write_text("2025-12-25\nBoxing Day\n", encoding="utf-8")
    code, _, err = run(["--history", str(items_csv), "--items", "3", "--calendar", str(bad_calendar)], capsys)
    assert code == 2 and "line 2" in err


# --- a fast command --------------------------------------------------------------------------------------------


def test_the_command_does_not_import_the_app() -> None:
    probe = "import tandem.schedule.forecast_cli, sys; print('sqlalchemy' in sys.modules or 'fastapi' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


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
