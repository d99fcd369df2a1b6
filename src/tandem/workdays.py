"""Working days (Monday to Friday) for time-boxes and ages, via NumPy's business-day functions."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

import numpy as np


def add_working_days(start: datetime, days: int) -> datetime:
    """The same time of day, ``days`` working days later (a weekend start counts from the next Monday)."""
    day = np.busday_offset(np.datetime64(start.date(), "D"), days, roll="forward")
    return datetime.combine(day.astype(date), start.timetz())


def working_days_between(start: datetime, end: datetime) -> float:
    """Working days from ``start`` to ``end`` (fractional; negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    start_day, start_fraction = working_place(start)
    end_day, end_fraction = working_place(end)
    between: float = span(start_day, start_fraction, end_day, end_fraction)
    return between


def span(start_day: Any, start_fraction: Any, end_day: Any, end_fraction: Any) -> Any:
    """Working days between two places (``working_place``), the later second: the one formula every caller
    shares, scalars or NumPy arrays alike, so a vectorised comparison rounds exactly as a scalar one."""
    return (end_day - start_day) - start_fraction + end_fraction


def working_place(moment: datetime) -> tuple[int, float]:
    """Where ``moment`` stands on the working-day count: its day's place (``busday_count`` from an epoch, so two
    places subtract to the working days between them) and the fraction of the day gone, 0 on a day off."""
    day, is_working = _day(moment.date())
    return day, _fraction(moment) if is_working else 0.0


_EPOCH = np.datetime64("1970-01-01", "D")
_DAY_MICROSECONDS = 86_400_000_000


@lru_cache(maxsize=1 << 16)
def _day(day: date) -> tuple[int, bool]:
    """The day's place and whether it is a working day: a walk asks this millions of times of a few hundred
    dates, and NumPy's scalar calls cost microseconds each."""
    numpy_day = np.datetime64(day, "D")
    return int(np.busday_count(_EPOCH, numpy_day)), bool(np.is_busday(numpy_day))


def _fraction(moment: datetime) -> float:
    """The fraction of its day gone at ``moment`` (wall clock, as ``moment - midnight`` measures it)."""
    since_midnight = ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond
    return since_midnight / _DAY_MICROSECONDS
