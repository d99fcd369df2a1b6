"""How well the throughput forecast is calibrated on histories that are not stationary.

    python benchmarks/forecast_calibration.py

For generated two-year histories (steady, slowing down, speeding up, bulk closures at sprint ends, a team
that doubled), walks forward with ``backtest`` and prints how often P50/P70/P85/P95 actually held, with the
whole history and with the last 20/40/60 working days. A calibrated P85 holds about 85% of the time: above is
needless caution, below is a broken promise. Figures are printed, never asserted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from tandem.schedule.forecast import backtest

START = date(2024, 1, 1)
DAYS = 520  # about two years of working days


def working_days() -> list[date]:
    days, day = [], START
    while len(days) < DAYS:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def history(rate: Callable[[int], float], *, bulk_every: int = 0, seed: int = 1) -> list[date]:
    rng = np.random.default_rng(seed)
    completed: list[date] = []
    for index, day in enumerate(working_days()):
        count = int(rng.poisson(rate(index)))
        if bulk_every and index % bulk_every == bulk_every - 1:
            count += int(rng.poisson(rate(index) * bulk_every))  # tickets closed in bulk at a sprint's end
        elif bulk_every:
            count = int(rng.poisson(rate(index) * 0.2))
        completed += [day] * count
    return completed


HISTORIES: dict[str, list[date]] = {
    "steady (3/day)": history(lambda i: 3.0),
    "slowing (4 → 1.5/day)": history(lambda i: 4.0 - 2.5 * i / DAYS),
    "speeding up (1.5 → 4/day)": history(lambda i: 1.5 + 2.5 * i / DAYS),
    "bulk closures every 10 days": history(lambda i: 3.0, bulk_every=10),
    "team doubled half way": history(lambda i: 2.0 if i < DAYS // 2 else 4.0),
}


def main() -> None:
    windows: list[int | None] = [None, 20, 40, 60]
    print("share of walk-forward cutoffs where the percentile held (next 10 items; a calibrated Pn holds ~n%)")
    print(f"{'history':<30} {'window':>7}  {'P50':>5} {'P70':>5} {'P85':>5} {'P95':>5}")
    for name, completed in HISTORIES.items():
        for window in windows:
            held = backtest(completed, items=10, window=window, step=10, trials=2000, seed=3)
            label = "all" if window is None else f"{window}d"
            figures = " ".join(f"{held[p]:5.2f}" for p in (50, 70, 85, 95))
            print(f"{name:<30} {label:>7}  {figures}")


if __name__ == "__main__":
    main()
