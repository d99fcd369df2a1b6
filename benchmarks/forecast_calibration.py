"""How well the throughput forecast is calibrated on histories that are not stationary, and which method is best.

    python benchmarks/forecast_calibration.py [--seeds 5] [--items 10,25,50] [--quick] [--fetch]

About six minutes on one core (most of it the grid of 23 methods); ``--quick`` runs only the before and
after methods.

Walks forward through each history with ``backtest`` (every working day is a cutoff; each forecast sees only the
days before it) and compares how often each percentile's date held with what the forecast's own trials
promised for that date. The promise is at least the percentile, and more when the work takes only a few days:
a date holds its whole day, so when 45% of trials finish by Tuesday and 75% by Wednesday, the P50 date is
Wednesday and a calibrated forecast holds there 75% of the time, not 50%. The gap held - promised is the
miscalibration: below zero the forecasts are too early (broken promises), above zero needlessly late.

Generated histories, two years of working days each (``--seeds`` of each): steady; slowing down and speeding
up; a team that doubled and one that halved half way; bulk closures (a sweep of tickets every 5, 10 or 15
working days, a trickle between); quiet weeks (three at the year's end and one in summer with nothing done,
left out of the calendar, then given to ``--calendar``); and bursty, overdispersed throughput. Real histories
(``--fetch`` downloads them into ``benchmarks/.out/real/``; skipped when absent):

- ``rueedlinger/agile-project-dataset`` (MIT): ``data/jira.csv``, the anonymised ``finished_date`` of 4,123
  Jira tasks from two Scrum projects (2012-2019). Their weekend dates are as common as weekday ones, so the
  anonymisation seems to have shifted days; a weekend completion counts on the Monday.
- ``kardwalker/Creating-dataset`` (GPL-3.0): ``datasets-issues.zip``, a dump of the GitHub issues of
  ``huggingface/datasets``; the ``closed_at`` date of the 2,229 issues closed as completed (2020-2025).

Methods are a ``window`` (the last N working days, or all) and a ``block`` (runs of that many consecutive
working days; 1 = single days). The rule that chose the default: the smallest worst |held - promised| over the
generated histories, the percentiles and the item counts; among methods within ``TIE`` of that smallest worst
(differences the seeds alone can make), the smallest mean |held - promised|. The real histories are shown
beside, not used to choose. The before/after tables show the previous default (all the history, single days)
and the new one (runs of 10 from the last 40), then every method ranked. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from tandem.schedule.forecast import DEFAULT_BLOCK, DEFAULT_WINDOW, backtest, block_for

DAYS = 520  # two years of working days
FIRST_DAY = date(2024, 1, 1)
PERCENTILES = (50, 70, 85, 95)
REAL = Path(__file__).resolve().parent / ".out" / "real"
TIE = 0.02
"""Worst gaps this close are a tie: with a few seeds, a method's worst gap moves about this much between runs."""
SOURCES = {
    "jira.csv": "https://raw.githubusercontent.com/rueedlinger/agile-project-dataset/master/data/jira.csv",
    "datasets-issues.zip": "https://raw.githubusercontent.com/kardwalker/Creating-dataset/main/datasets-issues.zip",
}


@dataclass(frozen=True)
class Method:
    window: int | None
    block: int | None  # None: the default, DEFAULT_BLOCK or a quarter of a shorter history

    @property
    def label(self) -> str:
        source = "all" if self.window is None else f"last {self.window}"
        runs = f"runs of {self.block}" if self.block else f"runs of {DEFAULT_BLOCK}*"
        return f"{source}, {'single days' if self.block == 1 else runs}"


BEFORE = Method(window=None, block=1)
AFTER = Method(window=DEFAULT_WINDOW, block=None)
GRID = [
    Method(window, block)
    for window in (None, 20, 30, 40, 60, 80)
    for block in (1, 5, 10, 15)
    if window is None or block <= window // 2
]


@dataclass(frozen=True)
class History:
    completed: list[date]
    holidays: list[date]
    real: bool = False


def working_days(count: int = DAYS) -> list[date]:
    days = np.busday_offset(np.datetime64(FIRST_DAY, "D"), np.arange(count), roll="forward")
    return [day.item() for day in days]


def dates(counts: np.ndarray, days: Sequence[date]) -> list[date]:
    return [day for day, count in zip(days, counts.tolist(), strict=True) for _ in range(count)]


def sweeps(every: int) -> Callable[[np.random.Generator], np.ndarray]:
    """A trickle of 0.6 items a day, and a sweep of about 2.4 a day's worth closed every ``every`` days."""

    def counts(rng: np.random.Generator) -> np.ndarray:
        daily = rng.poisson(0.6, DAYS)
        daily[every - 1 :: every] = rng.poisson(0.6 + 2.4 * every, len(daily[every - 1 :: every]))
        return daily

    return counts


QUIET = np.isin(np.arange(DAYS) % 260, np.r_[150:155, 245:260])
"""A week in summer and three at the year's end with nothing done."""
INDEX = np.arange(DAYS)
GENERATED: dict[str, Callable[[np.random.Generator], np.ndarray]] = {
    "steady (3/day)": lambda rng: rng.poisson(3.0, DAYS),
    "slowing (4 -> 1.5/day)": lambda rng: rng.poisson(4.0 - 2.5 * INDEX / DAYS),
    "speeding up (1.5 -> 4/day)": lambda rng: rng.poisson(1.5 + 2.5 * INDEX / DAYS),
    "team doubled half way": lambda rng: rng.poisson(np.where(INDEX < DAYS // 2, 2.0, 4.0)),
    "team halved half way": lambda rng: rng.poisson(np.where(INDEX < DAYS // 2, 4.0, 2.0)),
    "sweeps every 5 days": sweeps(5),
    "sweeps every 10 days": sweeps(10),
    "sweeps every 15 days": sweeps(15),
    "quiet weeks, no calendar": lambda rng: rng.poisson(np.where(QUIET, 0.0, 3.0)),
    "bursty (negative binomial)": lambda rng: rng.poisson(rng.gamma(0.5, 6.0, DAYS)),
}


def generated(seeds: int) -> dict[str, list[History]]:
    days = working_days()
    quiet = [day for day, off in zip(days, QUIET.tolist(), strict=True) if off]
    histories: dict[str, list[History]] = {}
    for name, counts in GENERATED.items():
        histories[name] = [History(dates(counts(np.random.default_rng(seed)), days), []) for seed in range(seeds)]
    histories["quiet weeks, in the calendar"] = [
        History(history.completed, quiet) for history in histories["quiet weeks, no calendar"]
    ]
    return histories


def fetch() -> None:
    REAL.mkdir(parents=True, exist_ok=True)
    for name, url in SOURCES.items():
        print(f"downloading {url} ...", flush=True)
        with urllib.request.urlopen(url, timeout=60) as response:
            (REAL / name).write_bytes(response.read())


def real() -> dict[str, list[History]]:
    """The public histories found in ``benchmarks/.out/real/``."""
    histories: dict[str, list[History]] = {}
    jira = REAL / "jira.csv"
    if jira.exists():
        rows = list(csv.DictReader(jira.read_text(encoding="utf-8").splitlines()))
        for project in sorted({row["project"] for row in rows}):
            done = sorted(date.fromisoformat(row["finished_date"]) for row in rows if row["project"] == project)
            histories[f"real: Jira project {project}"] = [History(done, [], real=True)]
    issues = REAL / "datasets-issues.zip"
    if issues.exists():
        with zipfile.ZipFile(issues) as archive:
            lines = io.TextIOWrapper(archive.open("datasets-issues.jsonl"), encoding="utf-8")
            records = [json.loads(line) for line in lines]
        closed = sorted(
            date.fromisoformat(record["closed_at"][:10])
            for record in records
            if not record.get("pull_request") and record.get("state_reason") == "completed"
        )
        histories["real: huggingface/datasets issues"] = [History(closed, [], real=True)]
    return histories


Result = dict[tuple[str, Method, int], tuple[np.ndarray, np.ndarray]]
"""(history, method, items) -> (held, promised) per percentile, averaged over the seeds."""


def evaluate(histories: dict[str, list[History]], methods: Sequence[Method], items: Sequence[int]) -> Result:
    result: Result = {}
    for name, copies in histories.items():
        began = time.perf_counter()
        for method in methods:
            for count in items:
                held, promised = [], []
                for seed, history in enumerate(copies):
                    calibration = backtest(
                        history.completed,
                        items=count,
                        window=method.window,
                        block=method.block,
                        holidays=history.holidays,
                        seed=seed,
                    )
                    held.append([calibration.held[p] for p in PERCENTILES])
                    promised.append([calibration.promised[p] for p in PERCENTILES])
                result[(name, method, count)] = (np.mean(held, axis=0), np.mean(promised, axis=0))
        print(f"  {name}: {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    return result


def before_after(result: Result, names: Sequence[str], items: int) -> None:
    print(f"\nnext {items} items: how often P50/P70/P85/P95 held (what the trials promised); gap = held - promised")
    print(f"{'history':<34} {'method':<30}" + "".join(f"{f'P{p}':>13}" for p in PERCENTILES) + f"{'worst gap':>11}")
    for name in names:
        for method, label in ((BEFORE, "before: " + BEFORE.label), (AFTER, "after: " + AFTER.label)):
            held, promised = result[(name, method, items)]
            cells = "".join(f"{h:>6.2f} ({p:.2f})" for h, p in zip(held, promised, strict=True))
            worst = (held - promised)[np.abs(held - promised).argmax()]
            print(f"{name:<34} {label:<30}{cells}{worst:>+11.2f}")


def ranking(result: Result, generated_names: Sequence[str], real_names: Sequence[str], items: Sequence[int]) -> None:
    def worst(method: Method, names: Sequence[str]) -> tuple[float, float, str]:
        gaps = {
            (name, count): result[(name, method, count)][0] - result[(name, method, count)][1]
            for name in names
            for count in items
        }
        where = max(gaps, key=lambda key: float(np.abs(gaps[key]).max()))
        mean = float(np.mean([np.abs(gap).mean() for gap in gaps.values()]))
        return float(np.abs(gaps[where]).max()), mean, f"{where[0]}, {where[1]} items"

    methods = sorted({method for (_, method, _) in result}, key=lambda method: worst(method, generated_names)[0])
    best = worst(methods[0], generated_names)[0]
    tied = [method for method in methods if worst(method, generated_names)[0] <= best + TIE]
    chosen = min(tied, key=lambda method: worst(method, generated_names)[1])
    print(
        f"\nmethods ranked by the worst |held - promised| over the generated histories, percentiles and "
        f"{'/'.join(map(str, items))} items ({DEFAULT_BLOCK}* = the default: {DEFAULT_BLOCK}, or a quarter of a "
        "shorter history)"
    )
    header = f"{'method':<28}{'worst':>7}{'mean':>7}  {'where the worst is':<44}"
    print(header + (f"{'real: worst':>12}{'mean':>7}" if real_names else ""))
    for method in methods:
        top, mean, where = worst(method, generated_names)
        line = f"{method.label:<28}{top:>7.3f}{mean:>7.3f}  {where:<44}"
        if real_names:
            real_top, real_mean, _ = worst(method, real_names)
            line += f"{real_top:>12.3f}{real_mean:>7.3f}"
        marks = [
            "before" if method == BEFORE else "after (the default)" if method == AFTER else "",
            "the rule's choice" if method == chosen else "",
        ]
        print(line + ("  <- " + ", ".join(mark for mark in marks if mark) if any(marks) else ""))
    print(f"the rule: smallest worst gap ({best:.3f}); within {TIE} of it, the smallest mean gap: {chosen.label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="generated histories of each kind")
    parser.add_argument("--items", default="10,25,50", help="forecast sizes to backtest, comma-separated")
    parser.add_argument("--quick", action="store_true", help="only the before and after methods")
    parser.add_argument("--fetch", action="store_true", help=f"download the real histories into {REAL}")
    args = parser.parse_args()
    items = [int(count) for count in args.items.split(",")]
    if args.fetch:
        fetch()
    histories = generated(args.seeds)
    found = real()
    if not found:
        print(f"no real histories in {REAL} (--fetch downloads them)", file=sys.stderr)
    same = (BEFORE, AFTER, Method(DEFAULT_WINDOW, DEFAULT_BLOCK))
    methods = [BEFORE, AFTER] if args.quick else [BEFORE, AFTER, *(m for m in GRID if m not in same)]
    print(f"backtesting {len(methods)} methods on {len(histories) + len(found)} histories ...", file=sys.stderr)
    result = evaluate(histories | found, methods, items)
    print(
        f"Walk-forward backtests, every working day a cutoff, 10,000 trials a forecast; generated histories: "
        f"{args.seeds} seeds each, figures averaged. after = the default: runs of {DEFAULT_BLOCK} working days "
        f"(block_for: {block_for(DAYS)} on a long history) from the last {DEFAULT_WINDOW}."
    )
    for count in items:
        before_after(result, [*histories, *found], count)
    ranking(result, list(histories), list(found), items)


if __name__ == "__main__":
    main()
