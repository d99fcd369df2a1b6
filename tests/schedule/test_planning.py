"""The pure planning rules: work order with dependencies, cycles refused, a scope's P50 from either source."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tandem.schedule.forecast import daily_throughput, plan_forecast, when_done
from tandem.schedule.planning import EstimatedItem, PlanError, check_dependencies, scope_forecast, work_order

MONDAY = date(2026, 11, 23)


def item(item_id: int, estimate: float | None = 2.0, *needs: int) -> EstimatedItem:
    return EstimatedItem(item_id, estimate, estimate, estimate, tuple(needs))


def test_work_order_is_rank_order_without_dependencies() -> None:
    assert [i.id for i in work_order([item(3), item(1), item(2)])] == [3, 1, 2]


def test_a_dependency_is_pulled_ahead_of_the_item_that_needs_it() -> None:
    ranked = [item(1, 2.0, 4), item(2), item(3), item(4, 2.0, 3)]
    assert [i.id for i in work_order(ranked)] == [3, 4, 1, 2]


def test_a_dependency_on_an_item_outside_the_plan_is_refused() -> None:
    with pytest.raises(PlanError, match="depends on item 9"):
        check_dependencies({1: [9]})


def test_a_cycle_is_refused_however_long() -> None:
    with pytest.raises(PlanError, match="depend on each other"):
        check_dependencies({1: [2], 2: [3], 3: [1], 4: []})


def test_a_diamond_is_not_a_cycle() -> None:
    check_dependencies({1: [2, 3], 2: [4], 3: [4], 4: []})


def test_scope_forecast_counts_every_item_ahead_of_the_scope() -> None:
    ranked = [item(1, 1.0), item(2, 3.0), item(3, 2.0)]
    forecast = scope_forecast(ranked, [2], capacity_per_day=1.0, start=MONDAY, history=None)
    assert forecast is not None and forecast.method == "estimates"
    # certain estimates: 1 + 3 = 4 working days of effort, done on the fourth working day
    assert forecast.p50 == date(2026, 11, 26)


def test_scope_forecast_matches_the_plan_forecast_of_the_same_path() -> None:
    ranked = [EstimatedItem(1, 1, 2, 6), EstimatedItem(2, 2, 3, 9)]
    forecast = scope_forecast(ranked, [1, 2], capacity_per_day=0.5, start=MONDAY, history=None, seed=7)
    expected = plan_forecast([1, 2], [2, 3], [6, 9], capacity_per_day=0.5, start=MONDAY, trials=5000, seed=7)
    assert forecast is not None and forecast.p50 == expected.completion[-1][50]


def test_scope_forecast_falls_back_to_throughput_when_an_item_is_unestimated() -> None:
    history = daily_throughput([date(2026, 11, 2) + np.timedelta64(d, "D").item() for d in range(0, 20, 2)])
    ranked = [item(1), item(2, None), item(3)]
    forecast = scope_forecast(ranked, [3], capacity_per_day=1.0, start=MONDAY, history=history, seed=1)
    assert forecast is not None and forecast.method == "throughput"
    assert forecast.p50 == when_done(history, 3, start=MONDAY, trials=5000, seed=1, percentiles=(50,))[50]


def test_scope_forecast_is_none_without_estimates_or_history() -> None:
    assert scope_forecast([item(1, None)], [1], capacity_per_day=1.0, start=MONDAY, history=None) is None
