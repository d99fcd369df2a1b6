"""The plan outlook and its fan chart on plain values: no database, no web."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.schedule.charts import fan_chart, outlook_chart, short_label
from tandem.schedule.forecast import ForecastError
from tandem.schedule.planning import EstimatedItem, plan_outlook

MONDAY = date(2026, 11, 23)


def item(item_id: int, estimate: tuple[float, float, float] | None = (1, 2, 3), *needs: int) -> EstimatedItem:
    low, likely, high = estimate if estimate is not None else (None, None, None)
    return EstimatedItem(item_id, low, likely, high, tuple(needs))


def test_the_outlook_follows_work_order_and_stops_at_the_first_unestimated_item() -> None:
    outlook = plan_outlook(
        [item(1, (1, 2, 3), 3), item(2, None), item(3, (1, 1, 1)), item(4)], capacity_per_day=1, start=MONDAY
    )
    assert outlook.order == [3, 1, 2, 4]
    assert [(row.item_id, row.position) for row in outlook.items] == [(3, 1), (1, 2)]
    assert (outlook.stops_at, outlook.unestimated, outlook.cut_line) == (2, [2], None)


def test_every_item_estimated_means_the_forecast_does_not_stop() -> None:
    outlook = plan_outlook([item(1), item(2)], capacity_per_day=2, start=MONDAY)
    assert (outlook.stops_at, outlook.unestimated, len(outlook.items)) == (None, [], 2)


def test_certain_estimates_give_exact_working_days() -> None:
    outlook = plan_outlook([item(1, (2, 2, 2)), item(2, (3, 3, 3))], capacity_per_day=1, start=MONDAY)
    assert [row.dates for row in outlook.items] == [
        dict.fromkeys((50, 70, 85, 95), date(2026, 11, 24)),
        dict.fromkeys((50, 70, 85, 95), date(2026, 11, 27)),
    ]


def test_the_cut_line_counts_the_leading_items_done_by_the_target() -> None:
    ranked = [item(1, (1, 1, 1)), item(2, (1, 1, 1)), item(3, (50, 60, 70))]
    outlook = plan_outlook(ranked, capacity_per_day=1, start=MONDAY, target=date(2026, 11, 30), confidence=0.85)
    assert (outlook.cut_line, outlook.cut_line_is_lower_bound) == (2, False)


def test_a_cut_line_that_reaches_an_unestimated_item_is_a_lower_bound() -> None:
    outlook = plan_outlook(
        [item(1, (1, 1, 1)), item(2, None)], capacity_per_day=1, start=MONDAY, target=date(2027, 1, 1)
    )
    assert (outlook.cut_line, outlook.cut_line_is_lower_bound) == (1, True)


def test_the_outlook_is_the_same_on_every_call() -> None:
    ranked = [item(1, (1, 3, 9)), item(2, (2, 5, 20))]
    assert plan_outlook(ranked, capacity_per_day=1, start=MONDAY) == plan_outlook(
        ranked, capacity_per_day=1, start=MONDAY
    )


def test_an_empty_plan_has_an_empty_outlook() -> None:
    outlook = plan_outlook([], capacity_per_day=1, start=MONDAY, target=date(2027, 1, 1))
    assert (outlook.order, outlook.items, outlook.stops_at, outlook.cut_line) == ([], [], None, 0)


def test_a_capacity_of_zero_is_refused() -> None:
    with pytest.raises(ForecastError, match="capacity"):
        plan_outlook([item(1)], capacity_per_day=0, start=MONDAY)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 20), st.floats(0, 20), st.floats(0, 20)).map(lambda t: tuple(sorted(t))),
        min_size=1,
        max_size=8,
    ),
    st.floats(0.25, 8),
)
def test_dates_never_go_back_along_the_plan_or_up_the_percentiles(
    estimates: list[tuple[float, float, float]], capacity: float
) -> None:
    ranked = [item(number, estimate) for number, estimate in enumerate(estimates, start=1)]
    outlook = plan_outlook(ranked, capacity_per_day=capacity, start=MONDAY, trials=300)
    for row in outlook.items:
        assert [row.dates[p] for p in (50, 70, 85, 95)] == sorted(row.dates.values())
    for p in (50, 70, 85, 95):
        column = [row.dates[p] for row in outlook.items]
        assert column == sorted(column)


# --- the fan chart -------------------------------------------------------------------------------------------


def completion(*days: int) -> list[dict[int, date]]:
    """Item i done ``days[i]`` days after Monday 23 November at P50, one more day per percentile up."""
    return [{p: MONDAY + timedelta(days=d + k) for k, p in enumerate((50, 70, 85, 95))} for d in days]


def test_the_fan_is_a_p50_line_and_three_bands_stacked_above_it() -> None:
    figure = fan_chart(["Login", "Checkout"], completion(0, 3)).to_dict()
    traces = figure["data"]
    assert [t["name"] for t in traces] == ["P50", "P50\u2013P70", "P70\u2013P85", "P85\u2013P95"]
    assert [t.get("fill") for t in traces] == [None, "tonexty", "tonexty", "tonexty"]
    assert list(traces[0]["x"]) == [1, 2]
    assert list(traces[0]["y"]) == ["2026-11-23", "2026-11-26"]
    assert list(traces[3]["y"]) == ["2026-11-26", "2026-11-29"]
    assert list(traces[0]["customdata"]) == ["Login", "Checkout"]
    assert figure["layout"]["yaxis"]["type"] == "date"
    assert list(figure["layout"]["xaxis"]["ticktext"]) == ["1. Login", "2. Checkout"]


def test_the_target_is_a_dashed_line_and_the_cut_line_a_vertical_rule() -> None:
    figure = fan_chart(["A", "B", "C"], completion(0, 2, 9), target=date(2026, 12, 1), cut_line=2).to_dict()
    target = figure["data"][-1]
    assert (target["name"], list(target["y"]), target["line"]["dash"]) == (
        "Target 2026-12-01",
        ["2026-12-01", "2026-12-01"],
        "dash",
    )
    [rule] = figure["layout"]["shapes"]
    assert (rule["x0"], rule["x1"], rule["line"]["dash"]) == (2.5, 2.5, "dot")
    assert figure["layout"]["annotations"][0]["text"] == "cut line: 2 item(s) fit"


def test_an_empty_forecast_draws_a_note_instead_of_a_fan() -> None:
    figure = fan_chart([], []).to_dict()
    assert [t["name"] for t in figure["data"]] == ["P50", "P50\u2013P70", "P70\u2013P85", "P85\u2013P95"]
    assert figure["layout"]["annotations"][0]["text"] == "No estimated item to forecast yet"


def test_titles_and_forecasts_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 titles for 1 forecast items"):
        fan_chart(["A", "B"], completion(0))


def test_the_outlook_chart_labels_items_in_work_order_and_serialises_to_json() -> None:
    outlook = plan_outlook(
        [item(1, (1, 1, 1), 2), item(2, (1, 1, 1))], capacity_per_day=1, start=MONDAY, target=date(2026, 12, 4)
    )
    figure = json.loads(outlook_chart(outlook, {1: "Checkout", 2: "Login"}).to_json())
    assert list(figure["data"][0]["customdata"]) == ["Login", "Checkout"]
    assert figure["data"][-1]["name"] == "Target 2026-12-04"
    assert figure["layout"]["annotations"][0]["text"] == "cut line: 2 item(s) fit at 85%"


def test_long_titles_are_cut_for_the_axis() -> None:
    assert short_label(12, "A very long title about the payment provider migration") == "12. A very long title about…"
    assert short_label(1, "Short") == "1. Short"
