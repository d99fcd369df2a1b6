"""Pure planning rules: the order work happens in, dependency checks, and a commitment's forecast.

No database here: the service hands in plain values, so each rule is tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from tandem.schedule.forecast import DEFAULT_PERCENTILES, ForecastError, Throughput, plan_forecast, when_done

PAGE_TRIALS = 10_000
"""Trials behind a plan page: a few milliseconds for a plan of dozens of items, and stable to the day."""
SIGNING_TRIALS = 5_000
"""Trials behind the P50 recorded with a signature: plenty for a median, fast enough for a web request."""


class PlanError(ValueError):
    """A plan change that would break the plan; the message is safe to show to the user."""


@dataclass(frozen=True)
class EstimatedItem:
    id: int
    optimistic: float | None
    likely: float | None
    pessimistic: float | None
    depends_on: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return None not in (self.optimistic, self.likely, self.pessimistic)


def check_dependencies(graph: Mapping[int, Sequence[int]]) -> None:
    """Every dependency names an item of the plan, and no item depends on itself through any chain."""
    for item, needs in graph.items():
        for need in needs:
            if need not in graph:
                raise PlanError(f"item {item} depends on item {need}, which is not an open item of this plan")
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    for root in graph:
        if state.get(root):
            continue
        state[root] = 1
        stack = [(root, iter(graph[root]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                raise PlanError(f"items {node} and {child} depend on each other: a cycle cannot be scheduled")
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(graph[child])))


def work_order(ranked: Sequence[EstimatedItem]) -> list[EstimatedItem]:
    """Rank order, except that an item's dependencies are done before it (pulled ahead, in their own rank order).

    This is the order the team works in, so it is the order the forecast sums efforts in.
    """
    by_id = {item.id: item for item in ranked}
    position = {item.id: index for index, item in enumerate(ranked)}
    check_dependencies({item.id: item.depends_on for item in ranked})
    placed: set[int] = set()
    order: list[EstimatedItem] = []

    def place(item: EstimatedItem) -> None:
        if item.id in placed:
            return
        placed.add(item.id)
        for need in sorted(item.depends_on, key=position.__getitem__):
            place(by_id[need])
        order.append(item)

    for item in ranked:
        place(item)
    return order


@dataclass(frozen=True)
class ScopeForecast:
    p50: date
    method: str
    """"estimates" (the plan's three-point estimates over capacity) or "throughput" (the team's history)."""


def scope_forecast(
    ranked: Sequence[EstimatedItem],
    scope: Sequence[int],
    *,
    capacity_per_day: float,
    start: date,
    history: Throughput | None,
    seed: int = 0,
) -> ScopeForecast | None:
    """When the scope is done at P50, from the plan's estimates when every item up to it is estimated, else from
    the team's throughput history; None when neither can say.

    The team works through the plan in order, so the scope is done when its last item in work order is, and
    every item ahead of that one counts, in the scope or not.
    """
    wanted = set(scope)
    order = work_order(ranked)
    positions = [index for index, item in enumerate(order) if item.id in wanted]
    if not positions:
        return None
    path = order[: positions[-1] + 1]
    if all(item.estimated for item in path):
        forecast = plan_forecast(
            [item.optimistic or 0.0 for item in path],
            [item.likely or 0.0 for item in path],
            [item.pessimistic or 0.0 for item in path],
            capacity_per_day=capacity_per_day,
            start=start,
            trials=SIGNING_TRIALS,
            seed=seed,
            percentiles=(50,),
        )
        return ScopeForecast(forecast.completion[-1][50], "estimates")
    if history is not None:
        try:
            done = when_done(history, len(path), start=start, trials=SIGNING_TRIALS, seed=seed, percentiles=(50,))
        except ForecastError:
            return None
        return ScopeForecast(done[50], "throughput")
    return None


@dataclass(frozen=True)
class ItemForecast:
    """One item the forecast reaches: its place in work order (1 = first) and percentile -> the day it is done."""

    item_id: int
    position: int
    dates: dict[int, date]


@dataclass(frozen=True)
class PlanOutlook:
    """What the plan's estimates say, as far as they go.

    ``order``: every open item's id in work order. ``items``: the leading items of that order that are
    estimated, with their dates. ``stops_at``: the first unestimated item in work order, where the forecast
    stops (None when every item is estimated). ``cut_line``: how many leading items in work order are done by
    ``target`` in at least ``confidence`` of trials (None without a target); when the forecast stops short,
    more might fit and ``cut_line_is_lower_bound`` says so.
    """

    start: date
    capacity_per_day: float
    order: list[int]
    items: list[ItemForecast]
    unestimated: list[int]
    stops_at: int | None
    percentiles: tuple[int, ...] = DEFAULT_PERCENTILES
    target: date | None = None
    confidence: float = 0.85
    cut_line: int | None = None
    trials: int = PAGE_TRIALS
    by_id: dict[int, ItemForecast] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {item.item_id: item for item in self.items})

    @property
    def cut_line_is_lower_bound(self) -> bool:
        return self.cut_line is not None and self.stops_at is not None and self.cut_line == len(self.items)


def plan_outlook(
    ranked: Sequence[EstimatedItem],
    *,
    capacity_per_day: float,
    start: date,
    target: date | None = None,
    confidence: float = 0.85,
    trials: int = PAGE_TRIALS,
    seed: int = 0,
    percentiles: Sequence[int] = DEFAULT_PERCENTILES,
) -> PlanOutlook:
    """Forecast ``ranked`` (open items, most important first) in work order, up to the first unestimated item.

    Seeded, so a page shows the same dates on every reload. Raises ``ForecastError`` on a capacity or
    confidence ``plan_forecast`` refuses, and ``PlanError`` on dependencies that cannot be scheduled.
    """
    order = work_order(ranked)
    reach = next((index for index, item in enumerate(order) if not item.estimated), len(order))
    path = order[:reach]
    forecast = plan_forecast(
        [item.optimistic or 0.0 for item in path],
        [item.likely or 0.0 for item in path],
        [item.pessimistic or 0.0 for item in path],
        capacity_per_day=capacity_per_day,
        start=start,
        target=target,
        confidence=confidence,
        trials=trials,
        seed=seed,
        percentiles=tuple(percentiles),
    )
    return PlanOutlook(
        start=start,
        capacity_per_day=capacity_per_day,
        order=[item.id for item in order],
        items=[
            ItemForecast(item.id, position, dict(dates))
            for position, (item, dates) in enumerate(zip(path, forecast.completion, strict=True), start=1)
        ],
        unestimated=[item.id for item in ranked if not item.estimated],
        stops_at=order[reach].id if reach < len(order) else None,
        percentiles=tuple(percentiles),
        target=target,
        confidence=confidence,
        cut_line=forecast.cut_line,
        trials=trials,
    )
