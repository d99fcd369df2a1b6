"""``forecast``: when will N items be done, or how many by a date, from a CSV of completed items.

    python -m tandem.schedule.forecast_cli --history ITEMS.csv (--items N | --by DATE) [--start DATE]
        [--window DAYS|all] [--block DAYS] [--trials 10000] [--seed S] [--format text|json] [--backtest]
        [--calendar HOLIDAYS.txt]

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
    DEFAULT_BLOCK,
    DEFAULT_WINDOW,
    ForecastError,
    backtest,
    block_for,
    daily_throughput,
    how_many,
    next_working_day,
    when_done,
)

COLUMN = "completed_at"
BACKTEST_ITEMS = 10
TRIALS = 10_000


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


def _window(text: str) -> int | None:
    if text == "all":
        return None
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of working days (1 or more) or 'all'")
    return days


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of working days (1 or more)")
    return days


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
    parser.add_argument(
        "--window",
        type=_window,
        default=DEFAULT_WINDOW,
        metavar="DAYS",
        help=f"use only the last DAYS working days of history, or 'all' (default {DEFAULT_WINDOW or 'all'})",
    )
    parser.add_argument(
        "--block",
        type=_days,
        metavar="DAYS",
        help=f"trials draw runs of DAYS consecutive working days, so a sprint's end-of-sprint sweep stays in one "
        f"(default {DEFAULT_BLOCK}, or a quarter of a shorter history)",
    )
    parser.add_argument("--trials", type=int, default=TRIALS, help=f"Monte Carlo trials (default {TRIALS})")
    parser.add_argument("--seed", type=int, help="random seed, for a reproducible answer")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--backtest",
        action="store_true",
        help="walk forward through the history: how often each percentile held, and what its trials promised",
    )
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
        return _backtest(args, completed, holidays)
    history = daily_throughput(completed, window=args.window, holidays=holidays)
    start = args.start or next_working_day(history.end, holidays)
    block = block_for(history.daily.size, args.block)
    summary = (
        f"{args.trials:,} trials drawing runs of {block} working day{'s' if block > 1 else ''} from "
        f"{history.daily.size} working days of history ({history.start} to {history.end}, "
        f"{history.daily.mean():.2f} items a day)"
    )
    answer: dict[int, Any]
    values: dict[str, str | int]
    if args.items is not None:
        answer = when_done(
            history, args.items, start=start, trials=args.trials, seed=args.seed, holidays=holidays, block=block
        )
        lines = [f"{args.items} items, starting {start}; {summary}:"]
        lines += [f"  P{p}  {day.isoformat()}" for p, day in answer.items()]
        values = {str(p): day.isoformat() for p, day in answer.items()}
    else:
        answer = how_many(
            history, start=start, until=args.by, trials=args.trials, seed=args.seed, holidays=holidays, block=block
        )
        lines = [f"Items done from {start} to {args.by}; {summary}:"]
        lines += [f"  {p}% confident: at least {count}" for p, count in answer.items()]
        values = {str(p): count for p, count in answer.items()}
    payload = {"method": "throughput_monte_carlo", "trials": args.trials, "percentiles": values}
    _emit(payload, "\n".join(lines), args.format)
    return 0


def _backtest(args: argparse.Namespace, completed: list[date], holidays: list[date]) -> int:
    items = BACKTEST_ITEMS if args.items is None else args.items
    result = backtest(
        completed,
        items=items,
        window=args.window,
        block=args.block,
        trials=args.trials,
        seed=args.seed or 0,
        holidays=holidays,
    )
    source = "all the working days" if args.window is None else f"the last {args.window} working days"
    runs = (
        f"{args.block} working days"
        if args.block
        else f"{DEFAULT_BLOCK} working days or a quarter of a shorter history"
    )
    lines = [
        f"Backtest of the next {items} items at {result.cutoffs} cutoffs (each forecast from {source} before it, "
        f"in runs of {runs}):"
    ]
    lines += [
        f"  P{p}  held {held:4.0%} of the time; its trials promised {result.promised[p]:.0%}"
        for p, held in result.held.items()
    ]
    lines.append(
        "Calibrated: held about as often as promised (a promise above the percentile is right when the work takes "
        "a few days: a date holds its whole day). Held far less often: too early; far more: needlessly late."
    )
    payload = {
        "method": "backtest",
        "percentiles": {str(p): round(share, 3) for p, share in result.held.items()},
        "promised": {str(p): round(share, 3) for p, share in result.promised.items()},
        "cutoffs": result.cutoffs,
        "items": items,
        "window": args.window,
        "block": args.block,
    }
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
