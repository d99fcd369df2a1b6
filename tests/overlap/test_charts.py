"""The ritual calendar heatmap on plain facts: no database, no web."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from tandem.overlap.charts import presence_grid, presence_heatmap, week_label
from tandem.overlap.facts import Attendee, OccurrenceFacts, OverlapFacts, RitualKind

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)  # a Wednesday, in ISO week 2026-W48
THIS_MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)
K = RitualKind
PM = Attendee("pm1", "product")
EM = Attendee("em1", "engineering")
DEV = Attendee("dev1", "engineering")
DESIGNER = Attendee("ux1", "design")
_ids = iter(range(1, 100_000))


def ritual(kind: RitualKind, start: datetime, attendees: Sequence[Attendee], team: str = "Payments") -> OccurrenceFacts:
    return OccurrenceFacts(id=next(_ids), team=team, kind=kind, start=start, minutes=15, attendees=tuple(attendees))


def facts(*occurrences: OccurrenceFacts) -> OverlapFacts:
    return OverlapFacts(list(occurrences), teams=("Payments", "Search"), now=NOW)


def heatmap(*occurrences: OccurrenceFacts) -> dict[str, Any]:
    trace: dict[str, Any] = presence_heatmap(facts(*occurrences), "Payments")["data"][0]
    return trace


def row(trace: dict[str, Any], label: str) -> list[Any]:
    values: list[Any] = trace["z"][trace["y"].index(label)]
    return values


def blank_but_last(*last: float | None) -> list[float | None]:
    return [None] * (52 - len(last)) + list(last)


def test_the_columns_are_the_52_iso_weeks_ending_with_the_current_one() -> None:
    weeks = heatmap(ritual(K.STANDUP, THIS_MONDAY, [PM]))["x"]
    assert (len(weeks), weeks[0], weeks[-1]) == (52, "2025-W49", "2026-W48")


def test_each_kind_held_has_a_product_row_and_an_engineering_row_in_kind_order() -> None:
    trace = heatmap(ritual(K.STANDUP, THIS_MONDAY, [PM]), ritual(K.DISCOVERY, THIS_MONDAY, [EM]))
    assert trace["y"] == [
        "discovery · product",
        "discovery · engineering",
        "standup · product",
        "standup · engineering",
    ]


def test_a_cell_is_the_share_of_that_weeks_rituals_of_the_kind_with_that_side_present() -> None:
    trace = heatmap(
        ritual(K.STANDUP, THIS_MONDAY, [PM, DEV]),
        ritual(K.STANDUP, THIS_MONDAY + timedelta(days=1), [EM, DEV]),
        ritual(K.STANDUP, THIS_MONDAY + timedelta(days=2, hours=-6), [DEV, DESIGNER]),
        ritual(K.STANDUP, THIS_MONDAY - timedelta(days=7), [PM]),
        ritual(K.STANDUP, THIS_MONDAY - timedelta(days=14), [DESIGNER]),
    )
    assert row(trace, "standup · product") == blank_but_last(0.0, 1.0, 0.3333)
    assert row(trace, "standup · engineering") == blank_but_last(0.0, 0.0, 1.0)


def test_the_hover_carries_each_cells_counts_present_and_held() -> None:
    trace = heatmap(
        ritual(K.RETRO, THIS_MONDAY, [PM, EM]),
        ritual(K.RETRO, THIS_MONDAY + timedelta(hours=1), [EM]),
    )
    assert trace["customdata"][0][-1] == [1, 2]  # retro · product
    assert trace["customdata"][1][-1] == [2, 2]  # retro · engineering
    assert trace["customdata"][0][0] == [0, 0]
    assert "%{customdata[0]} of %{customdata[1]}" in trace["hovertemplate"]


def test_weeks_are_cut_at_monday_midnight_utc_whatever_the_rituals_own_zone() -> None:
    paris_monday_1am = datetime(2026, 11, 23, 1, tzinfo=timezone(timedelta(hours=2)))  # Sunday 23:00 UTC
    trace = heatmap(
        ritual(K.DEMO, paris_monday_1am, [PM]),
        ritual(K.DEMO, datetime(2026, 11, 23, 0, 30, tzinfo=UTC), [EM]),
    )
    assert row(trace, "demo · product") == blank_but_last(1.0, 0.0)
    assert row(trace, "demo · engineering") == blank_but_last(0.0, 1.0)


def test_other_teams_and_rituals_before_the_52_weeks_or_after_now_are_left_out() -> None:
    first_monday = datetime(2025, 12, 1, tzinfo=UTC)  # the Monday of 2025-W49
    trace = heatmap(
        ritual(K.PLANNING, first_monday, [EM]),
        ritual(K.PLANNING, first_monday - timedelta(minutes=1), [PM]),
        ritual(K.PLANNING, NOW + timedelta(hours=1), [PM]),
        ritual(K.RETRO, THIS_MONDAY, [PM], team="Search"),
    )
    assert trace["y"] == ["planning · product", "planning · engineering"]
    assert row(trace, "planning · product") == [0.0] + [None] * 51
    assert row(trace, "planning · engineering") == [1.0] + [None] * 51


def test_a_team_without_rituals_has_no_rows_and_says_so() -> None:
    figure = presence_heatmap(facts(ritual(K.RETRO, THIS_MONDAY, [PM], team="Search")), "Payments")
    assert figure["data"][0]["y"] == [] and figure["data"][0]["z"] == []
    assert figure["layout"]["annotations"][0]["text"] == "No rituals in the last 52 weeks"


def test_the_figure_is_plain_json_with_the_share_scale_fixed_from_0_to_1() -> None:
    figure = presence_heatmap(facts(ritual(K.STANDUP, THIS_MONDAY, [PM])), "Payments")
    assert json.loads(json.dumps(figure)) == figure
    trace = figure["data"][0]
    assert (trace["type"], trace["zmin"], trace["zmax"], trace["hoverongaps"]) == ("heatmap", 0.0, 1.0, False)
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"  # the first kind on top


def test_the_grid_counts_rituals_per_week_for_the_pages_table() -> None:
    grid = presence_grid(
        facts(ritual(K.STANDUP, THIS_MONDAY, [PM]), ritual(K.RETRO, THIS_MONDAY, [EM]), ritual(K.STANDUP, NOW, [])),
        "Payments",
    )
    assert (grid.held_in(51), grid.held_in(50)) == (3, 0)
    assert grid.label(0) == "standup · product"


def test_an_iso_week_label_belongs_to_the_iso_year() -> None:
    assert week_label(datetime(2027, 1, 1).date()) == "2026-W53"
