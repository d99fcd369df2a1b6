"""``forecast``: when will N items be done, or how many by a date, from a CSV of completed items.

    python -m tandem.schedule.forecast_cli --history ITEMS.csv (--items N | --by DATE) [--start DATE]
        [--window DAYS] [--trials 10000] [--seed S] [--format text|json] [--backtest] [--calendar HOLIDAYS.txt]

argparse and the standard library only, not Typer: importing the app (SQLAlchemy, FastAPI) would cost more
than the forecast itself. User errors print one line on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tandem.schedule.forecast import (
    ForecastError,
    backtest,
    daily_throughput,
    how_many,
    next_working_day,
    when_done,
)

COLUMN = "completed_at"
BACKTEST_ITEMS = 10
BACKTEST_TRIALS = 2000
"""A backtest runs one forecast per cutoff, so it uses fewer trials unless --trials says otherwise."""


class UsageError(Exception):
    """A problem with the user's files or options, reported without a traceback."""


def _parse_day(text: str) -> date:
    """An ISO date or datetime (``Z`` and offsets allowed) as the calendar date written in it."""
    return datetime.fromisoformat(text).date()


def _iso_date(text: str) -> date:
    try:
        return _parse_day(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def read_completions(path: Path) -> list[date]:
    """The ``completed_at`` dates of a CSV, one completed item a row; blank cells (items not done) are skipped."""
    dates: list[date] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            names = reader.fieldnames or []
            column = next((name for name in names if name.strip() == COLUMN), None)
            if column is None:
                raise UsageError(f"{path}: no {COLUMN} column (columns: {', '.join(names) or 'none'})")
            for row in reader:
                value = (row.get(column) or "").strip()
                if not value:
                    continue
                try:
                    dates.append(_parse_day(value))
                except ValueError:
                    raise UsageError(
                        f"{path}, line {reader.line_num}: {value!r} is not an ISO date or datetime"
                    ) from None
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise UsageError(f"{path}: not a readable UTF-8 CSV file ({error})") from None
    return dates


def read_holidays(path: Path) -> list[date]:
    """One ISO date a line; blank lines and lines starting with ``#`` are skipped."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path}: not UTF-8 text ({error})") from None
    holidays: list[date] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            holidays.append(date.fromisoformat(text))
        except ValueError:
            raise UsageError(f"{path}, line {number}: {text!r} is not an ISO date") from None
    return holidays


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tandem forecast",
        description="Throughput Monte Carlo over working days: when N items will be done, or how many by a date.",
    )
    parser.add_argument("--history", type=Path, required=True, help=f"CSV of completed items with a {COLUMN} column")
    question = parser.add_mutually_exclusive_group()
    question.add_argument("--items", type=int, help="when will this many more items be done?")
    question.add_argument("--by", type=_iso_date, metavar="DATE", help="how many items by this date (inclusive)?")
    parser.add_argument(
        "--start",
        type=_iso_date,
        metavar="DATE",
        help="first forecast day (default: the working day after the last completion)",
    )
    parser.add_argument("--window", type=int, metavar="DAYS", help="use only the last DAYS working days of history")
    parser.add_argument("--trials", type=int, help="Monte Carlo trials (default 10000; 2000 for --backtest)")
    parser.add_argument("--seed", type=int, help="random seed, for a reproducible answer")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--backtest", action="store_true", help="how often each percentile held on the history")
    parser.add_argument("--calendar", type=Path, metavar="HOLIDAYS.txt", help="holidays, one ISO date a line")
    return parser


def _emit(payload: dict[str, Any], text: str, output_format: str) -> None:
    print(json.dumps(payload) if output_format == "json" else text)


def _run(args: argparse.Namespace) -> int:
    if args.backtest and args.by is not None:
        raise UsageError("--backtest checks --items forecasts; drop --by")
    if not args.backtest and args.items is None and args.by is None:
        raise UsageError("say what to forecast: --items N or --by DATE")
    holidays = read_holidays(args.calendar) if args.calendar else []
    completed = read_completions(args.history)
    if args.backtest:
        items = BACKTEST_ITEMS if args.items is None else args.items
        trials = BACKTEST_TRIALS if args.trials is None else args.trials
        held = backtest(
            completed, items=items, window=args.window, trials=trials, seed=args.seed or 0, holidays=holidays
        )
        shares = {str(p): round(share, 3) for p, share in held.items()}
        lines = [f"Backtest: forecasts of the next {items} items from the history before each cutoff held"]
        lines += [f"  P{p}  {share:.0%} of the time" for p, share in held.items()]
        lines.append("A calibrated P85 holds about 85% of the time; far less means the forecasts are too early.")
        _emit({"method": "backtest", "percentiles": shares}, "\n".join(lines), args.format)
        return 0
    trials = 10_000 if args.trials is None else args.trials
    history = daily_throughput(completed, window=args.window, holidays=holidays)
    start = args.start or next_working_day(history.end, holidays)
    summary = (
        f"{trials:,} trials over {history.daily.size} working days of history "
        f"({history.start} to {history.end}, {history.daily.mean():.2f} items a day)"
    )
    answer: dict[int, Any]
    values: dict[str, str | int]
    if args.items is not None:
        answer = when_done(history, args.items, start=start, trials=trials, seed=args.seed, holidays=holidays)
        lines = [f"{args.items} items, starting {start}; {summary}:"]
        lines += [f"  P{p}  {day.isoformat()}" for p, day in answer.items()]
        values = {str(p): day.isoformat() for p, day in answer.items()}
    else:
        answer = how_many(history, start=start, until=args.by, trials=trials, seed=args.seed, holidays=holidays)
        lines = [f"Items done from {start} to {args.by}; {summary}:"]
        lines += [f"  {p}% confident: at least {count}" for p, count in answer.items()]
        values = {str(p): count for p, count in answer.items()}
    payload = {"method": "throughput_monte_carlo", "trials": trials, "percentiles": values}
    _emit(payload, "\n".join(lines), args.format)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the ``forecast`` command; 0 on success, 2 on a user error (message on stderr)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # argparse has printed its usage message
        return stop.code if isinstance(stop.code, int) else 2
    try:
        return _run(args)
    except (UsageError, ForecastError) as error:
        print(f"forecast: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
