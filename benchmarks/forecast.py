"""Tandem's throughput Monte Carlo beside the PyPI packages a team would otherwise use, on one history.

    python benchmarks/forecast.py [--trials 100000] [--items 50] [--horizon 30] [--peers flowpulse,quando]

Generates one history (two years of working days, Poisson throughput of about 3 items a day, weekends empty),
then answers the same two questions with 100,000 trials each: "when will ``--items`` more items be done"
(P50/P70/P85/P95 dates) and "how many by the ``--horizon``-th working day" (counts reached with 50/70/85/95%
confidence). Every package here resamples single days from the whole history, so Tandem does too for the
comparison (``when_done`` / ``how_many`` with ``block=1`` on the unwindowed history; its default, runs of 10
days from the last 40, is printed after the tables). Tandem runs in this process (median of ``--repeat``
calls); each peer runs once in its own process in a virtual environment at ``benchmarks/.out/peers-venv``,
created and filled on the first run (``--refresh`` reinstalls). Seconds are the forecast call alone, timed
inside the process that makes it: not interpreter start-up, imports or turning the history into the peer's
input (each peer's whole process time is printed too). The speed ratio is peer seconds / Tandem seconds, from
the same run. The issue's aim is 20x faster than the fastest peer with percentiles within one day. Figures are
printed, never asserted.

How Tandem is fast: it does not simulate the trials one at a time. An answer depends only on how many trials
end on each day (or with each total), and Tandem draws that histogram directly from the exact distribution of
one trial (a multinomial draw, round by round for "when"): the same, in law, as 100,000 trials simulated one
by one, so the same percentiles up to the same sampling noise. The row "tandem, trial by trial" is that
one-by-one simulation in vectorised NumPy (Tandem's previous algorithm), to show both: the answers agree, and
the speed comes from the algorithm, not from a faster loop.

Peers (read from their sources, versions pinned):

- ``flowpulse`` 2.0.6: ``MonteCarloService.when`` / ``how_many``, a pure-Python loop over ``random.randint``.
  It samples *calendar* days (weekends are zero-throughput days of the history) and counts calendar days from
  "today" (here the history's last day), so its dates can fall on a weekend. Weekends drawn at random
  rather than two in every seven widen the spread: later high percentiles, lower counts at high confidence.
  Percentiles are the first trial count reaching p% (as Tandem), but found with an ``elif`` chain: two
  percentiles that fall on the same value push the second to the next value. Its seed is ``random.seed``.
- ``montecarlo-swe-probability`` 0.1.0: ``forecast_date`` / ``forecast_scope``, working days (weekends left
  out of the history, as Tandem), one ``rng.choice`` call per simulated day. Its date percentile is the sorted
  trials at index ``int(n p)``, one order statistic above Tandem's ``ceil(n p) - 1``; its count percentile
  (index ``int(n (1 - c))``) is Tandem's when ``n c`` is whole.
- ``quando-forecast`` 0.2.0: ``Quando.forecast_days`` / ``forecast_items``, calendar days like flowpulse,
  ``rng.choice`` per day for "when", vectorised for "how many". It returns day counts; a date here is the
  history's last day plus that many calendar days. Percentiles are ``ceil(np.percentile(...))``, linear
  interpolation rounded up. Its ``percentile(85)`` of item counts is the upper tail (a count only ~15% of
  trials reach), so the table reads its count at c% confidence as ``percentile(100 - c)``.
- ``better-project-forecast`` 0.0.6: ``Forecaster.forecast`` answers "when" only, in periods of whatever the
  throughput list counts (here Tandem's working-day history), pure-Python ``random.choice``. It pins
  ``numpy==1.11.2``, which has no build for Python 3.11, so it is installed ``--no-deps`` beside the others;
  its ``Results.percentile`` passes ``interpolation=`` which NumPy 2 removed, so the percentiles are read with
  the same ``np.percentile(..., method="nearest")`` it meant. Day n is mapped to a date as Tandem does.

Not peers: ``foresprint`` (sprint velocity and capacity, and it requires Python 3.14); ``kanban-simulator`` and
``fkanban`` (simulate a board or a factory, not a forecast from history). Both suggested packages exist and
forecast from throughput. None of the peers takes holidays.

Differences from Tandem: dates are shown with their distance in calendar days from Tandem's, counts with their
distance in items; ``*`` marks a date more than one day away, or a count more than one day's mean throughput
away. The trials differ (each package has its own generator), so a difference of one day or one item is noise.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from tandem.schedule.forecast import (
    DEFAULT_WINDOW,
    Throughput,
    daily_throughput,
    how_many,
    next_working_day,
    when_done,
)

VENV = Path(__file__).resolve().parent / ".out" / "peers-venv"
PEERS = {
    "flowpulse": "flowpulse==2.0.6",
    "montecarlo-swe": "montecarlo-swe-probability==0.1.0",
    "quando": "quando-forecast==0.2.0",
    "better-project-forecast": "better-project-forecast==0.0.6",
}
NO_DEPS = {"better-project-forecast"}
"""Installed without its dependencies: it pins a NumPy from 2016 that does not build on Python 3.11."""
PERCENTILES = (50, 70, 85, 95)
WORKING_DAYS = 2 * 261
FIRST_DAY = date(2023, 1, 2)

HARNESS = r'''
"""Runs one peer's forecasts; reads the job as JSON from argv[2], prints the answers as JSON."""
import contextlib
import io
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta

import numpy as np


def timed(call):
    began = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        result = call()
    return result, time.perf_counter() - began


def flowpulse(job):
    from flowpulse.services.MonteCarloService import MonteCarloService

    history_days = (job["end"] - job["first"]).days + 1
    with tempfile.TemporaryDirectory() as charts:
        service = MonteCarloService(history_days, charts, today=job["end"], trials=job["trials"])
        random.seed(job["seed"])
        when, when_s = timed(lambda: service.when(job["items"], job["counts"]))
        many, many_s = timed(lambda: service.how_many(job["until"], job["counts"]))
    return [d.isoformat() for d in when[:4]], list(many), when_s, many_s, ""


def montecarlo_swe(job):
    from montecarlo_swe.data_loader import WorkItem
    from montecarlo_swe.metrics import calculate_throughput
    from montecarlo_swe.simulation import SimulationConfig, forecast_date, forecast_scope

    work = [WorkItem(None, day, day) for day, count in job["counts"].items() for _ in range(count)]
    throughput = calculate_throughput(work, exclude_weekends=True)
    config = SimulationConfig(
        num_simulations=job["trials"], confidence_levels=tuple(job["percentiles"]), random_seed=job["seed"]
    )
    when, when_s = timed(lambda: forecast_date(throughput, job["items"], start_date=job["end"], config=config))
    many, many_s = timed(lambda: forecast_scope(throughput, job["until"], start_date=job["end"], config=config))
    dates = [when.forecast_dates[p].isoformat() for p in job["percentiles"]]
    return dates, [many.percentiles[p] for p in job["percentiles"]], when_s, many_s, ""


def quando(job):
    from quando import Quando

    model = Quando([(day, day) for day, count in job["counts"].items() for _ in range(count)])
    days = (job["until"] - job["end"]).days
    options = {"num_simulations": job["trials"], "seed": job["seed"]}
    when, when_s = timed(lambda: model.forecast_days(job["items"], **options))
    many, many_s = timed(lambda: model.forecast_items(days, **options))
    dates = [(job["end"] + timedelta(days=when.percentile(p))).isoformat() for p in job["percentiles"]]
    return dates, [many.percentile(100 - p) for p in job["percentiles"]], when_s, many_s, ""


def better_project_forecast(job):
    from better.lib import Forecaster

    call = lambda: Forecaster().forecast(job["daily"], job["items"], num_simulations=job["trials"], seed=job["seed"])
    result, when_s = timed(call)
    note = ""
    try:
        days = [int(result.percentile(p)) for p in job["percentiles"]]
    except TypeError as error:
        note = f"Results.percentile fails on NumPy {np.__version__} ({error}); read with method='nearest'"
        days = [int(np.percentile(result.results, p, method="nearest")) for p in job["percentiles"]]
    offsets = np.array(days, dtype=np.int64) - 1
    dates = np.busday_offset(np.datetime64(job["start"], "D"), offsets, roll="forward")
    return [str(d) for d in dates], None, when_s, None, note


RUNNERS = {
    "flowpulse": flowpulse,
    "montecarlo-swe": montecarlo_swe,
    "quando": quando,
    "better-project-forecast": better_project_forecast,
}

if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as handle:
        job = json.load(handle)
    for key in ("first", "end", "start", "until"):
        job[key] = date.fromisoformat(job[key])
    job["counts"] = {date.fromisoformat(day): count for day, count in job["counts"]}
    when, many, when_s, many_s, note = RUNNERS[sys.argv[1]](job)
    print(json.dumps({"when": when, "many": many, "when_s": when_s, "many_s": many_s, "note": note}))
'''


def completions(seed: int = 7) -> list[date]:
    """Two years of working days with Poisson(3) completions each (the history of ``forecast_speed.py``)."""
    rng = np.random.default_rng(seed)
    days = np.busday_offset(np.datetime64(FIRST_DAY, "D"), np.arange(WORKING_DAYS), roll="forward")
    counts = rng.poisson(3.0, WORKING_DAYS)
    return [day for day, count in zip(days.tolist(), counts.tolist(), strict=True) for _ in range(count)]


def peer_python(refresh: bool) -> Path:
    """The peers' interpreter, creating the virtual environment and installing the pinned peers if needed."""
    python = VENV / "bin" / "python"
    stamp = VENV / "tandem-peers.txt"
    wanted = "\n".join(sorted(PEERS.values()))
    if not python.exists():
        print(f"creating {VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if refresh or not stamp.exists() or stamp.read_text(encoding="utf-8") != wanted:
        print("installing peers: " + ", ".join(PEERS.values()), flush=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        for command in (
            [*pip, *(spec for name, spec in PEERS.items() if name not in NO_DEPS)],
            [*pip, "--no-deps", *(PEERS[name] for name in NO_DEPS)],
        ):
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode:
                sys.exit(f"pip failed:\n{done.stdout}\n{done.stderr}")
        stamp.write_text(wanted, encoding="utf-8")
    return python


def run_peer(python: Path, name: str, job_path: Path) -> dict[str, Any]:
    began = time.perf_counter()
    done = subprocess.run(
        [str(python), "-c", HARNESS, name, str(job_path)], capture_output=True, text=True, check=False
    )
    process_s = time.perf_counter() - began
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    answer["process_s"] = process_s
    return answer


def trial_by_trial_when(daily: np.ndarray, items: int, trials: int, seed: int) -> list[int]:
    """Day numbers (1 = first) by which P50/P70/P85/P95 of the trials are done, each trial drawn day by day.

    Rounds of ``block`` drawn days per running trial, carried totals, the first day each reaches ``items``,
    read as Tandem reads percentiles (the inverted CDF).
    """
    rng = np.random.default_rng(seed)
    block = max(8, math.ceil(1.25 * items / daily.mean()))
    result = np.zeros(trials, dtype=np.int64)
    running, carried, elapsed = np.arange(trials), np.zeros(trials, dtype=np.int64), 0
    while running.size:
        totals = daily[rng.integers(0, daily.size, size=(running.size, block))]
        totals[:, 0] += carried
        np.cumsum(totals, axis=1, out=totals)
        reached = totals >= items
        done = reached[:, -1]
        result[running[done]] = elapsed + reached[done].argmax(axis=1) + 1
        carried, running, elapsed = totals[~done, -1], running[~done], elapsed + block
    ordered = np.sort(result)
    return [int(ordered[-(-p * trials // 100) - 1]) for p in PERCENTILES]


def trial_by_trial_how_many(daily: np.ndarray, days: int, trials: int, seed: int) -> list[int]:
    """Counts reached by at least 50/70/85/95% of the trials, each trial the sum of ``days`` drawn days."""
    rng = np.random.default_rng(seed)
    ordered = np.sort(daily[rng.integers(0, daily.size, size=(trials, days))].sum(axis=1))
    return [int(ordered[trials + (p * trials // -100)]) for p in PERCENTILES]


def median_time(call: Callable[[], Any], runs: int = 3) -> tuple[Any, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - began)
    return result, statistics.median(times)


def row(label: str, cells: Sequence[str], seconds: float | str = "", ratio: str = "") -> str:
    timing = f"{seconds:.5f}" if isinstance(seconds, float) else seconds
    return f"{label:<26}" + "".join(f"{cell:>16}" for cell in cells) + f"{timing:>10}{ratio:>9}"


def working_gap(mine: date, theirs: date) -> int:
    """Working days from Tandem's date to a peer's, a weekend date rolled back to the Friday."""
    rolled = np.busday_offset(np.datetime64(theirs, "D"), 0, roll="backward")
    return int(np.busday_count(np.datetime64(mine, "D"), rolled))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=50, help="'when will N items be done'")
    parser.add_argument("--horizon", type=int, default=30, help="'how many by' this many working days")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of " + ", ".join(PEERS))
    parser.add_argument("--refresh", action="store_true", help="reinstall the peers")
    parser.add_argument("--repeat", type=int, default=21, help="Tandem calls to take the median of")
    args = parser.parse_args()
    chosen = [name for name in args.peers.split(",") if name]
    unknown = set(chosen) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}")

    done = completions()
    history: Throughput = daily_throughput(done)
    start = next_working_day(history.end)
    until = np.busday_offset(np.datetime64(start, "D"), args.horizon - 1).item()
    mean = float(history.daily.mean())

    same = {"trials": args.trials, "seed": args.seed, "block": 1}
    when, when_s = median_time(lambda: when_done(history, args.items, start=start, **same), args.repeat)
    many, many_s = median_time(lambda: how_many(history, start=start, until=until, **same), args.repeat)
    daily = history.daily
    one_by_one_when, one_by_one_when_s = median_time(
        lambda: trial_by_trial_when(daily, args.items, args.trials, args.seed)
    )
    one_by_one_many, one_by_one_many_s = median_time(
        lambda: trial_by_trial_how_many(daily, args.horizon, args.trials, args.seed)
    )
    recent = daily_throughput(done, window=DEFAULT_WINDOW)
    default_when = when_done(recent, args.items, start=start, trials=args.trials, seed=args.seed)
    default_many = how_many(recent, start=start, until=until, trials=args.trials, seed=args.seed)

    python = peer_python(args.refresh)
    counts: dict[date, int] = {}
    for day in done:
        counts[day] = counts.get(day, 0) + 1
    job = {
        "first": history.start.isoformat(),
        "end": history.end.isoformat(),
        "start": start.isoformat(),
        "until": until.isoformat(),
        "items": args.items,
        "trials": args.trials,
        "seed": args.seed,
        "percentiles": list(PERCENTILES),
        "counts": [[day.isoformat(), count] for day, count in sorted(counts.items())],
        "daily": history.daily.tolist(),
    }
    with tempfile.TemporaryDirectory() as folder:
        job_path = Path(folder) / "job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        answers = {name: run_peer(python, name, job_path) for name in chosen}

    print(
        f"history: {len(done)} items over {history.daily.size} working days, {history.start} to {history.end} "
        f"({mean:.2f} a working day); forecasts start {start}; {args.trials:,} trials"
    )
    print(
        f"seconds: the forecast call only (Tandem: median of {args.repeat} in this process; the trial-by-trial "
        "reference: median of 3; each peer: one call)\n"
    )
    header = row("method", [f"P{p}" for p in PERCENTILES], "seconds", "peer/T")

    print(f'"when will {args.items} items be done" (dates; +n = calendar days after Tandem, * = more than one day)')
    print(header)
    print(row("tandem when_done", [f"{d:%a %Y-%m-%d}" for d in when.values()], when_s, "1.0x"))
    reference = np.busday_offset(np.datetime64(start, "D"), np.array(one_by_one_when) - 1, roll="forward")
    answers_when = {"tandem, trial by trial": {"when": [str(d) for d in reference], "when_s": one_by_one_when_s}}
    for name, answer in (answers_when | answers).items():
        if "error" in answer:
            print(row(name, ["failed"]) + f"  {answer['error']}")
            continue
        cells = []
        for mine, theirs in zip(when.values(), answer["when"], strict=True):
            day = date.fromisoformat(theirs)
            gap = (day - mine).days
            cells.append(f"{day:%a %m-%d} {gap:+d}{'*' if abs(gap) > 1 else ' '}")
        print(row(name, cells, answer["when_s"], f"{answer['when_s'] / when_s:.0f}x"))

    print(
        f'\n"how many by {until}" ({args.horizon} working days; counts at 50/70/85/95% confidence; '
        f"+n = items above Tandem, * = more than {mean:.1f}, one day's mean)"
    )
    print(header.replace("P", "C", 4))
    print(row("tandem how_many", [str(n) for n in many.values()], many_s, "1.0x"))
    answers_many = {"tandem, trial by trial": {"many": one_by_one_many, "many_s": one_by_one_many_s}}
    for name, answer in (answers_many | answers).items():
        if "error" in answer or answer["many"] is None:
            print(row(name, ["-"] * len(PERCENTILES)) + ("" if "error" in answer else "  (no 'how many')"))
            continue
        cells = []
        for mine, theirs in zip(many.values(), answer["many"], strict=True):
            gap = theirs - mine
            cells.append(f"{theirs} {gap:+d}{'*' if abs(gap) > mean else ' '}")
        print(row(name, cells, answer["many_s"], f"{answer['many_s'] / many_s:.0f}x"))

    print()
    ran = {name: answer for name, answer in answers.items() if "error" not in answer}
    for label, key, mine in (("when", "when_s", when_s), ("how many", "many_s", many_s)):
        timed = {name: answer[key] for name, answer in ran.items() if answer[key] is not None}
        if timed:
            fastest = min(timed, key=timed.__getitem__)
            print(
                f"{label}: fastest peer {fastest} {timed[fastest] * 1e3:.1f} ms, Tandem {mine * 1e3:.2f} ms: "
                f"{timed[fastest] / mine:.0f}x (aim: 20x)"
            )
    print(
        f"\nTandem's default (runs of 10 working days from the last {DEFAULT_WINDOW}), same trials: "
        f"when {' '.join(f'P{p} {d}' for p, d in default_when.items())}; "
        f"how many {' '.join(f'C{p} {n}' for p, n in default_many.items())}"
    )
    print("\n'when' in working days after Tandem's (a weekend date read as the Friday before, when work stops):")
    for name, answer in ran.items():
        days = [date.fromisoformat(theirs) for theirs in answer["when"]]
        gaps = [working_gap(mine, day) for mine, day in zip(when.values(), days, strict=True)]
        weekend = sum(day.weekday() >= 5 for day in days)
        note = f"; {answer['note']}" if answer["note"] else ""
        print(
            f"{name}: {' '.join(f'{gap:+d}' for gap in gaps)} ({weekend} on a weekend); "
            f"whole process {answer['process_s']:.2f} s{note}"
        )


if __name__ == "__main__":
    main()
