"""Working-day arithmetic: weekends do not count."""

from __future__ import annotations

from datetime import UTC, datetime

from tandem.workdays import add_working_days, working_days_between

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_five_working_days_from_monday_is_the_next_monday() -> None:
    assert add_working_days(MONDAY, 5) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_one_working_day_from_friday_is_monday() -> None:
    assert add_working_days(FRIDAY, 1) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_weekend_start_counts_from_monday() -> None:
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert add_working_days(saturday, 1) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_friday_to_monday_is_one_working_day() -> None:
    assert working_days_between(FRIDAY, datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) == 1.0


def test_between_is_antisymmetric_and_fractional() -> None:
    noon = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
    assert working_days_between(MONDAY, noon) == 0.5
    assert working_days_between(noon, MONDAY) == -0.5
