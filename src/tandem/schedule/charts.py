"""The plan's fan chart, from plain values: pages, the API and reports draw the same thing.

``fan_chart`` draws a ``planning.PlanOutlook`` as a Plotly figure: item after item along x, the date each is done on
y, the P50 line and the P50-P70, P70-P85 and P85-P95 bands fanning out as uncertainty adds up, and the target
date and cut line when a target was asked about. No database and no web here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no type information

from tandem.schedule.forecast import DEFAULT_PERCENTILES
from tandem.schedule.planning import PlanOutlook

FAN_COLOUR = "31, 119, 180"
"""The fan's RGB: one hue, lighter for each band further out."""
BAND_OPACITY = (0.45, 0.3, 0.18, 0.1)
LABEL_LENGTH = 28


def short_label(position: int, title: str, length: int = LABEL_LENGTH) -> str:
    """``"3. Offline mode"``, cut to ``length`` characters with an ellipsis."""
    label = f"{position}. {title}"
    return label if len(label) <= length else label[: length - 1].rstrip() + "…"


def _band_name(low: int, high: int) -> str:
    return f"P{low}\u2013P{high}"


def fan_chart(
    titles: Sequence[str],
    completion: Sequence[Mapping[int, date]],
    *,
    target: date | None = None,
    cut_line: int | None = None,
    confidence: float | None = None,
    title: str = "When each item is done",
) -> go.Figure:
    """The fan: item ``i`` (in work order) at x = i + 1, its completion date per percentile on y.

    ``completion[i]`` maps percentile -> date, as ``plan_forecast`` returns it; the lowest percentile is drawn
    as a line and each next one fills the band down to the previous. ``target`` adds a dashed horizontal
    line; ``cut_line`` (how many leading items make the target) a dotted vertical one after the last item
    that fits.
    """
    if len(titles) != len(completion):
        raise ValueError(f"{len(titles)} titles for {len(completion)} forecast items")
    positions = list(range(1, len(completion) + 1))
    percentiles = sorted(completion[0]) if completion else list(DEFAULT_PERCENTILES)
    figure = go.Figure()
    previous: int | None = None
    for index, percentile in enumerate(percentiles):
        days = [row[percentile].isoformat() for row in completion]
        opacity = BAND_OPACITY[min(index, len(BAND_OPACITY) - 1)]
        figure.add_trace(
            go.Scatter(
                x=positions,
                y=days,
                customdata=list(titles),
                mode="lines+markers" if previous is None else "lines",
                name=f"P{percentile}" if previous is None else _band_name(previous, percentile),
                line={"color": f"rgb({FAN_COLOUR})", "width": 2.5 if previous is None else 0.5},
                fill=None if previous is None else "tonexty",
                fillcolor=None if previous is None else f"rgba({FAN_COLOUR}, {opacity})",
                hovertemplate=f"%{{customdata}}<br>P{percentile}: %{{y|%Y-%m-%d}}<extra></extra>",
            )
        )
        previous = percentile
    if target is not None:
        figure.add_trace(
            go.Scatter(
                x=[0.5, max(len(positions), 1) + 0.5],
                y=[target.isoformat(), target.isoformat()],
                mode="lines",
                name=f"Target {target.isoformat()}",
                line={"color": "rgb(214, 39, 40)", "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    if cut_line is not None and positions:
        sure = f" at {confidence:.0%}" if confidence is not None else ""
        figure.add_vline(
            x=cut_line + 0.5,
            line={"color": "rgb(214, 39, 40)", "dash": "dot", "width": 1.5},
            annotation_text=f"cut line: {cut_line} item(s) fit{sure}",
            annotation_position="top left" if cut_line else "top right",
        )
    if not positions:
        figure.add_annotation(
            text="No estimated item to forecast yet", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
        )
    figure.update_layout(
        title={"text": title},
        template="plotly_white",
        height=440,
        margin={"l": 70, "r": 20, "t": 60, "b": 110},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        hovermode="closest",
        xaxis={
            "title": {"text": "Items in work order"},
            "tickmode": "array",
            "tickvals": positions,
            "ticktext": [short_label(p, t) for p, t in zip(positions, titles, strict=True)],
            "tickangle": -30,
            "range": [0.5, max(len(positions), 1) + 0.5],
            "zeroline": False,
        },
        yaxis={"title": {"text": "Done by"}, "type": "date", "tickformat": "%Y-%m-%d"},
    )
    return figure


def outlook_chart(outlook: PlanOutlook, titles: Mapping[int, str]) -> go.Figure:
    """``fan_chart`` of a ``PlanOutlook``, with the target and cut line it was computed for."""
    return fan_chart(
        [titles.get(item.item_id, f"item {item.item_id}") for item in outlook.items],
        [item.dates for item in outlook.items],
        target=outlook.target,
        cut_line=outlook.cut_line,
        confidence=outlook.confidence,
    )
