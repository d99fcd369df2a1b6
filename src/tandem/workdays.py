"""Working days (Monday to Friday) for time-boxes and ages, via NumPy's business-day functions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np


def add_working_days(start: datetime, days: int) -> datetime:
    """The same time of day, ``days`` working days later (a weekend start counts from the next Monday)."""
    day = np.busday_offset(np.datetime64(start.date(), "D"), days, roll="forward")
    return datetime.combine(day.astype(date), start.timetz())


def working_days_between(start: datetime, end: datetime) -> float:
    """Working days from ``start`` to ``end`` (fractional; negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    whole = int(np.busday_count(np.datetime64(start.date(), "D"), np.datetime64(end.date(), "D")))
    start_fraction = _fraction(start) if np.is_busday(np.datetime64(start.date(), "D")) else 0.0
    end_fraction = _fraction(end) if np.is_busday(np.datetime64(end.date(), "D")) else 0.0
    return whole - start_fraction + end_fraction


def _fraction(moment: datetime) -> float:
    since_midnight = datetime.combine(moment.date(), time(), moment.tzinfo)
    return (moment - since_midnight) / timedelta(days=1)
