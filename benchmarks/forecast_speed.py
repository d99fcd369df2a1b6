"""Wall time of a whole ``forecast`` process: 100,000 trials for 50 items over a two-year history.

    python benchmarks/forecast_speed.py [--runs 5] [--trials 100000] [--items 50]

Writes a generated history (Poisson throughput, about 3 items a working day, for 2 years) to a temporary CSV,
then runs ``tandem forecast ... --format json`` (the console script beside this interpreter, else ``python -m
tandem.schedule.forecast_cli``) as a separate process several times and prints the min and median: start-up and
imports included, since that is what a user waits for. The claim to check is "100,000 trials answer in well
under half a second". Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

WORKING_DAYS = 2 * 261


def write_history(path: Path, seed: int = 7) -> int:
    """A two-year CSV of completed items (id, title, completed_at as a datetime); returns how many rows."""
    rng = np.random.default_rng(seed)
    days = np.busday_offset(np.datetime64(date(2023, 1, 2), "D"), np.arange(WORKING_DAYS), roll="forward")
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "completed_at"])
        for day, count in zip(days.tolist(), rng.poisson(3.0, WORKING_DAYS).tolist(), strict=True):
            for _ in range(count):
                rows += 1
                writer.writerow([rows, f"Item {rows}", f"{day.isoformat()}T15:00:00Z"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        history = Path(folder) / "items.csv"
        rows = write_history(history)
        script = Path(sys.executable).with_name("tandem")
        program = (
            [str(script), "forecast"] if script.exists() else [sys.executable, "-m", "tandem.schedule.forecast_cli"]
        )
        question = ["--items", str(args.items), "--trials", str(args.trials), "--format", "json"]
        command = [*program, "--history", str(history), *question]
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, check=True)
            times.append(time.perf_counter() - began)
        baseline = []
        for _ in range(args.runs):
            began = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import numpy"], check=True)
            baseline.append(time.perf_counter() - began)
    print(f"history: {rows} items over {WORKING_DAYS} working days; {args.items} items, {args.trials:,} trials")
    print(f"answer: {result.stdout.strip()}")
    print(f"command: {' '.join([Path(program[0]).name, *program[1:], '--history', 'ITEMS.csv', *question])}")
    print(f"forecast process, {args.runs} runs: min {min(times):.3f} s, median {statistics.median(times):.3f} s")
    print(f"python -c 'import numpy' alone:  min {min(baseline):.3f} s, median {statistics.median(baseline):.3f} s")


if __name__ == "__main__":
    main()
