"""The team's ritual calendar as a heatmap, from plain facts: the page, its table and the API draw the same thing.

``presence_grid`` counts, per ISO week of the last ``HEATMAP_WEEKS`` (UTC) and per kind the team held, how many
occurrences of that kind there were and how many had each side (product, engineering) present, by the analysis'
rule of who is present. ``presence_heatmap`` draws that grid as Plotly figure JSON: one row per kind and side, one
column per week, the share present as the colour, blank for a week with no occurrence of that kind. No database and
no web here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no type information

from tandem.overlap.analysis import engineer_present, product_present
from tandem.overlap.facts import FUNCTIONS, OccurrenceFacts, OverlapFacts, RitualKind

HEATMAP_WEEKS = 52
"""Columns of the heatmap: the ISO week holding ``now`` and the 51 before it."""
PRESENT: dict[str, Callable[[OccurrenceFacts], bool]] = {"product": product_present, "engineering": engineer_present}
COLOURS = [[0.0, "#c2410c"], [0.5, "#d9dee5"], [1.0, "#2457a6"]]
"""Absent (orange) through half (grey) to present (blue); a week without the ritual stays blank (white). The page's
legend (``.overlap-legend`` in tandem.css) shows the same colours."""


def week_label(day: date) -> str:
    """The ISO week a day falls in, as ``2026-W05``."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _monday(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class PresenceGrid:
    """Per row (a kind and a side) and per week (oldest first): occurrences of the kind, and those with the side
    present. ``share`` is None for a week without the ritual."""

    weeks: list[str]
    rows: list[tuple[RitualKind, str]]
    held: list[list[int]]
    present: list[list[int]]

    def label(self, row: int) -> str:
        kind, side = self.rows[row]
        return f"{kind.value} · {side}"

    def held_in(self, week: int) -> int:
        """Rituals of the kinds shown in one week, every kind together."""
        return sum(self.held[row][week] for row in range(0, len(self.rows), len(FUNCTIONS)))

    def share(self, row: int, week: int) -> float | None:
        held = self.held[row][week]
        return round(self.present[row][week] / held, 4) if held else None


def presence_grid(facts: OverlapFacts, team: str, weeks: int = HEATMAP_WEEKS) -> PresenceGrid:
    """The team's occurrences up to ``facts.now`` in the last ``weeks`` ISO weeks, counted by kind, side and week.

    Rows are the kinds the team held in those weeks, in ``RitualKind`` order, each with a product and an
    engineering row.
    """
    last = _monday(facts.now)
    mondays = [last - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    column = {monday: index for index, monday in enumerate(mondays)}
    held: Counter[tuple[RitualKind, int]] = Counter()
    present: Counter[tuple[RitualKind, str, int]] = Counter()
    for occurrence in facts.occurrences:
        week = column.get(_monday(occurrence.start))
        if occurrence.team != team or week is None or occurrence.start > facts.now:
            continue
        held[occurrence.kind, week] += 1
        for side in FUNCTIONS:
            present[occurrence.kind, side, week] += PRESENT[side](occurrence)
    kinds = [kind for kind in RitualKind if any(k is kind for k, _ in held)]
    rows = [(kind, side) for kind in kinds for side in FUNCTIONS]
    return PresenceGrid(
        weeks=[week_label(monday) for monday in mondays],
        rows=rows,
        held=[[held[kind, week] for week in range(weeks)] for kind, _ in rows],
        present=[[present[kind, side, week] for week in range(weeks)] for kind, side in rows],
    )


def grid_heatmap(grid: PresenceGrid) -> dict[str, Any]:
    """The grid as Plotly figure JSON (``{"data": [...], "layout": {...}}``), ready for ``Plotly.newPlot``."""
    labels = [grid.label(row) for row in range(len(grid.rows))]
    figure = go.Figure(
        go.Heatmap(
            x=grid.weeks,
            y=labels,
            z=[[grid.share(row, week) for week in range(len(grid.weeks))] for row in range(len(grid.rows))],
            customdata=[
                [[present, held] for present, held in zip(grid.present[row], grid.held[row], strict=True)]
                for row in range(len(grid.rows))
            ],
            zmin=0.0,
            zmax=1.0,
            colorscale=COLOURS,
            showscale=False,  # Plotly's colour bar sets a style attribute, which the CSP refuses: the page has a legend
            xgap=1,  # gaps also keep Plotly off its "fast" drawing, which styles the image inline
            ygap=1,
            hoverongaps=False,
            hovertemplate="%{y}, %{x}<br>present at %{customdata[0]} of %{customdata[1]}<extra></extra>",
        )
    )
    if not grid.rows:
        figure.add_annotation(
            text=f"No rituals in the last {len(grid.weeks)} weeks", showarrow=False, xref="paper", yref="paper"
        )
    figure.update_layout(
        template="none",
        height=120 + 32 * max(len(grid.rows), 2),
        margin={"l": 150, "r": 16, "t": 16, "b": 80},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        xaxis={"type": "category", "title": {"text": "ISO week (UTC)"}, "nticks": 13, "tickangle": -45},
        yaxis={"type": "category", "autorange": "reversed", "fixedrange": True},
    )
    figure_json: dict[str, Any] = json.loads(figure.to_json())
    return figure_json


def presence_heatmap(facts: OverlapFacts, team: str) -> dict[str, Any]:
    """The ritual calendar heatmap of one team: ``grid_heatmap(presence_grid(facts, team))``."""
    return grid_heatmap(presence_grid(facts, team))
