"""The walk's charts as Plotly figure JSON (``{"data": [...], "layout": {...}}``), from the ``WalkReport`` alone.

Pure functions: no database, no web, no browser. The HTML report and the web app's walk page hand these figures to
``Plotly.newPlot`` unchanged (``web/static/walk.js``), so what a test checks here is what a reader sees.

- ``org_heatmap``: teams by practices, each cell the team's score (0-100). A missing score is drawn by a separate
  trace in grey with "—" and "no evidence" on hover, never with the scores' colours; hover also lists the kinds of
  the team's findings.
- ``evidence_chart``: per finding, a chart of the figures in its evidence when its kind has one (decision ages, trust
  trends with their intervals, who is in the room, pressure inside against outside, a commitment's date against its
  forecast, schedule changes made alone against jointly, ...); None otherwise.

Plotly reads ``<b>``-like tags and ``&…;`` entities in labels and hover text, so every name and title from the data
is HTML-escaped before it goes into a figure. No colour bar (Plotly styles it inline, which the web app's
Content-Security-Policy refuses): the pages carry a legend instead.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tandem.walk.findings import Finding, Practice, Scorecard
from tandem.walk.report.summary import SHORT_TITLES

Figure = dict[str, Any]
Metrics = Mapping[str, Mapping[str, Any]]

SCORE_COLOURS = [[0.0, "#b42318"], [0.4, "#f08c2e"], [0.6, "#f6d27a"], [0.8, "#8fb3e0"], [1.0, "#2457a6"]]
"""0 (red) through 40 (orange), 60 (pale yellow) and 80 (light blue) to 100 (blue); the pages' legend
(``.score-legend`` in tandem.css) shows the same colours."""
MISSING_COLOUR = "#e4e7eb"
"""A cell without evidence: light grey, outside the scores' colours, with "—" written in it."""
GOOD = "#2457a6"
BAD = "#c2410c"
NEUTRAL = "#8a96a8"
LABEL_LENGTH = 36
DIRECTIONS = {
    "product_to_engineering": "Product's trust in engineering",
    "engineering_to_product": "Engineering's trust in product",
}
MEASURE_TITLES = {
    "unilateral_changes": "Schedule changes made alone",
    "escalations": "Decisions escalated",
    "joint_rituals": "Rituals with both sides present",
    "trust": "Trust index (1 to 7)",
}
FUNCTIONS = ("product", "engineering")


def escape(value: object) -> str:
    """Text as Plotly shows it literally: ``<``, ``>`` and ``&`` escaped (Plotly renders entities, not tags)."""
    return html.escape(str(value), quote=False)


def short(text: str, length: int = LABEL_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _layout(height: int = 280, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"l": 64, "r": 24, "t": 40, "b": 48},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 12},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


@dataclass(frozen=True)
class Chart:
    """A figure and the sentence that describes it to a screen reader (the chart's ``aria-label``)."""

    figure: Figure
    description: str


# --- the org heatmap ------------------------------------------------------------------------------------------------


def org_heatmap(scorecards: Sequence[Scorecard]) -> Chart:
    """Teams (rows, in the scorecards' order: worst overall first, at the top) by practices (columns).

    Two traces over the same cells: ``score`` holds the known scores (None elsewhere, drawn as a gap) and
    ``no evidence`` holds 1 exactly where a score is missing, in grey with "—".
    """
    practices = list(Practice)
    teams = [escape(card.team) for card in scorecards]
    columns = [SHORT_TITLES[practice] for practice in practices]
    scores = [[card.scores.get(practice) for practice in practices] for card in scorecards]
    missing = [[1 if score is None else None for score in row] for row in scores]
    kinds = [[escape(", ".join(card.finding_kinds) or "none")] * len(practices) for card in scorecards]
    common = {
        "type": "heatmap",
        "x": columns,
        "y": teams,
        "customdata": kinds,
        "showscale": False,
        "xgap": 2,  # gaps also keep Plotly off its "fast" drawing, which styles the image inline
        "ygap": 2,
        "hoverongaps": False,
    }
    figure: Figure = {
        "data": [
            {
                **common,
                "name": "score",
                "z": scores,
                "zmin": 0,
                "zmax": 100,
                "colorscale": SCORE_COLOURS,
                "texttemplate": "%{z}",
                "hovertemplate": "<b>%{y}</b> · %{x}<br>score %{z} of 100<br>findings: %{customdata}<extra></extra>",
            },
            {
                **common,
                "name": "no evidence",
                "z": missing,
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0.0, MISSING_COLOUR], [1.0, MISSING_COLOUR]],
                "text": [["—" if cell else "" for cell in row] for row in missing],
                "texttemplate": "%{text}",  # a bare "—" would be written over every cell, scored ones too
                "hovertemplate": "<b>%{y}</b> · %{x}<br>no evidence<br>findings: %{customdata}<extra></extra>",
            },
        ],
        "layout": _layout(
            height=110 + 26 * max(len(teams), 3),
            margin={"l": 160, "r": 16, "t": 40, "b": 16},
            xaxis={"type": "category", "side": "top", "fixedrange": True},
            yaxis={"type": "category", "autorange": "reversed", "fixedrange": True, "automargin": True},
            showlegend=False,
        ),
    }
    known = sum(score is not None for row in scores for score in row)
    return Chart(
        figure,
        f"Heatmap of {len(teams)} teams by {len(practices)} practices: {known} scores from 0 to 100 and "
        f"{len(teams) * len(practices) - known} cells without evidence; the scorecards table has the same figures",
    )


# --- evidence charts, one builder per kind --------------------------------------------------------------------------


def _decision_paralysis(finding: Finding, metrics: Metrics) -> Chart | None:
    decisions = [d for d in finding.evidence.get("decisions") or [] if d.get("overdue_working_days") is not None]
    if not decisions:
        return None
    labels = [escape(short(f"#{d.get('id')} {d.get('title', '')}")) for d in decisions]
    figure: Figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "working days past the decide-by date",
                "x": [d["overdue_working_days"] for d in decisions],
                "y": labels,
                "customdata": [
                    [escape(d.get("title", "")), escape(d.get("state", "")), d.get("age_working_days")]
                    for d in decisions
                ],
                "marker": {"color": BAD},
                "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}, %{customdata[2]} working days old<br>"
                "%{x} working days overdue<extra></extra>",
            }
        ],
        "layout": _layout(
            height=90 + 28 * len(decisions),
            margin={"l": 24, "r": 24, "t": 16, "b": 48},
            xaxis={"title": {"text": "Working days overdue"}, "rangemode": "tozero", "fixedrange": True},
            yaxis={"type": "category", "autorange": "reversed", "automargin": True, "fixedrange": True},
            showlegend=False,
        ),
    }
    return Chart(figure, f"Bar chart: working days past the decide-by date of {len(decisions)} decisions")


def _trust_breakdown(finding: Finding, metrics: Metrics) -> Chart | None:
    evidence = finding.evidence
    direction = str(evidence.get("direction", ""))
    team = finding.scope.teams[0] if finding.scope.teams else ""
    trend = evidence.get("trend")
    points: list[Mapping[str, Any]] = list(trend["pulses"]) if trend and trend.get("pulses") else [evidence]
    released = metrics.get("trust", {}).get(team, {}).get(direction, {})
    intervals = {p.get("pulse_id"): p for p in (released.get("trend") or {}).get("pulses", [])}
    intervals.setdefault(evidence.get("pulse_id"), evidence)

    def bound(point: Mapping[str, Any], key: str) -> float | None:
        value = intervals.get(point.get("pulse_id"), {}).get(key)
        return float(value) if value is not None else None

    index = [point.get("trust_index") for point in points]
    highs = [bound(point, "ci_high") for point in points]
    lows = [bound(point, "ci_low") for point in points]
    dates = [str(point.get("pulse_date")) for point in points]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": DIRECTIONS.get(direction, escape(direction)),
            "x": dates,
            "y": index,
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [
                    None if h is None or i is None else round(h - i, 2) for h, i in zip(highs, index, strict=True)
                ],
                "arrayminus": [
                    None if lo is None or i is None else round(i - lo, 2) for lo, i in zip(lows, index, strict=True)
                ],
            },
            "marker": {"color": BAD, "size": 9},
            "line": {"color": BAD},
            "hovertemplate": "pulse of %{x}<br>trust index %{y} of 7<extra></extra>",
        }
    ]
    threshold = evidence.get("threshold_index")
    if threshold is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"threshold {threshold:g}",
                "x": dates,
                "y": [threshold] * len(dates),
                "line": {"color": NEUTRAL, "dash": "dash", "width": 1.5},
                "hoverinfo": "skip",
            }
        )
    figure: Figure = {
        "data": data,
        "layout": _layout(
            xaxis={"type": "category", "fixedrange": True},
            yaxis={"title": {"text": "Trust index (1 to 7)"}, "range": [1, 7], "fixedrange": True},
        ),
    }
    return Chart(
        figure,
        f"Line chart: {DIRECTIONS.get(direction, direction).lower()} over {len(points)} pulse(s) with 95% intervals",
    )


def _presence(finding: Finding, side: str) -> Chart | None:
    by_kind: Mapping[str, Mapping[str, Any]] = finding.evidence.get("by_kind") or {}
    kinds = [kind for kind, figures in by_kind.items() if figures.get("occurrences")]
    if not kinds:
        return None
    present = [int(by_kind[kind].get("present", 0)) for kind in kinds]
    absent = [int(by_kind[kind]["occurrences"]) - count for kind, count in zip(kinds, present, strict=True)]
    labels = [escape(kind) for kind in kinds]
    figure: Figure = {
        "data": [
            {
                "type": "bar",
                "name": f"with {side}",
                "x": labels,
                "y": present,
                "marker": {"color": GOOD},
                "hovertemplate": f"%{{x}}: %{{y}} with {side}<extra></extra>",
            },
            {
                "type": "bar",
                "name": f"without {side}",
                "x": labels,
                "y": absent,
                "marker": {"color": BAD},
                "hovertemplate": f"%{{x}}: %{{y}} without {side}<extra></extra>",
            },
        ],
        "layout": _layout(
            barmode="stack",
            xaxis={"type": "category", "fixedrange": True},
            yaxis={"title": {"text": "Rituals"}, "rangemode": "tozero", "fixedrange": True},
        ),
    }
    return Chart(figure, f"Stacked bar chart: rituals of each kind with and without {side}")


def _engineering_absent(finding: Finding, metrics: Metrics) -> Chart | None:
    return _presence(finding, "an engineer")


def _product_absent(finding: Finding, metrics: Metrics) -> Chart | None:
    return _presence(finding, "product")


def _fracture(finding: Finding, metrics: Metrics) -> Chart | None:
    measures: Mapping[str, Mapping[str, Any]] = finding.evidence.get("measures") or {}
    if not measures:
        return None
    fractured = set(finding.evidence.get("fractured") or [])
    data: list[dict[str, Any]] = []
    for side, colour in (("outside", NEUTRAL), ("inside", BAD)):
        for name, measure in measures.items():
            label = MEASURE_TITLES.get(name, escape(name)) + (" (fractured)" if name in fractured else "")
            trust = name == "trust"
            hits = measure.get(f"{side}_hits")
            count = measure.get(f"{side}_n")
            detail = f"{hits} of {count}" if hits is not None else f"{count} respondents"
            data.append(
                {
                    "type": "bar",
                    "name": f"{side} pressure",
                    "legendgroup": side,
                    "showlegend": not any(t["legendgroup"] == side for t in data),
                    "offsetgroup": side,
                    "x": [label],
                    "y": [measure.get(side)],
                    "yaxis": "y2" if trust else "y",
                    "marker": {"color": colour},
                    "hovertemplate": f"%{{x}}<br>{side} pressure: %{{y:{'.2f' if trust else '.0%'}}} ({detail})"
                    "<extra></extra>",
                }
            )
    layout = _layout(
        barmode="group",
        xaxis={"type": "category", "fixedrange": True},
        yaxis={"title": {"text": "Share"}, "tickformat": ".0%", "range": [0, 1], "fixedrange": True},
    )
    if "trust" in measures:
        layout["yaxis2"] = {
            "title": {"text": "Trust index"},
            "overlaying": "y",
            "side": "right",
            "range": [1, 7],
            "fixedrange": True,
            "showgrid": False,
        }
        layout["margin"] = {"l": 64, "r": 64, "t": 40, "b": 48}
    return Chart({"data": data, "layout": layout}, "Grouped bar chart: each measure outside and inside pressure")


def _unrealistic_commitment(finding: Finding, metrics: Metrics) -> Chart | None:
    evidence = finding.evidence
    target, p50 = evidence.get("target_date"), evidence.get("forecast_p50_at_signing")
    if not target or not p50:
        return None
    row = [f"commitment {evidence.get('commitment', '')}".strip()]
    signed = str(evidence["signed_at"])[:10] if evidence.get("signed_at") else None
    gap = evidence.get("gap_working_days")
    markers = [
        ("signed", signed, NEUTRAL, "circle-open"),
        ("promised date", target, BAD, "diamond"),
        ("forecast P50 at signing", p50, GOOD, "circle"),
    ]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"{gap} working days short" if gap is not None else "short of the forecast",
            "x": [target, p50],
            "y": row * 2,
            "line": {"color": BAD, "dash": "dot", "width": 2},
            "hoverinfo": "skip",
        }
    ]
    for name, day, colour, symbol in markers:
        if day is None:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [day],
                "y": row,
                "marker": {"color": colour, "size": 14, "symbol": symbol, "line": {"width": 2, "color": colour}},
                "hovertemplate": f"{name}: %{{x|%Y-%m-%d}}<extra></extra>",
            }
        )
    figure: Figure = {
        "data": data,
        "layout": _layout(
            height=220,
            margin={"l": 24, "r": 24, "t": 64, "b": 40},
            xaxis={"type": "date", "tickformat": "%Y-%m-%d", "fixedrange": True},
            yaxis={"type": "category", "fixedrange": True, "automargin": True},
        ),
    }
    return Chart(figure, f"Timeline: promised for {target}, forecast P50 at signing {p50}")


def _by_function(
    counts: Mapping[str, Mapping[str, Any]], first: tuple[str, str, str], second: tuple[str, str, str]
) -> list[dict[str, Any]]:
    """Two stacked bar traces over the two functions: ``(name, key or "rest", colour)`` each."""
    traces = []
    for name, key, colour in (first, second):
        values = []
        for function in FUNCTIONS:
            figures = counts.get(function) or {}
            if key == "rest":
                values.append(int(figures.get("changes", 0)) - int(figures.get("alone", 0)))
            else:
                values.append(int(figures.get(key, 0)))
        traces.append(
            {
                "type": "bar",
                "name": name,
                "x": list(FUNCTIONS),
                "y": values,
                "marker": {"color": colour},
                "hovertemplate": f"%{{x}}: %{{y}} {name}<extra></extra>",
            }
        )
    return traces


def _siloed_schedule(finding: Finding, metrics: Metrics) -> Chart | None:
    counts: Mapping[str, Mapping[str, Any]] = finding.evidence.get("by_function") or {}
    if not any((counts.get(function) or {}).get("changes") for function in FUNCTIONS):
        return None
    figure: Figure = {
        "data": _by_function(counts, ("made alone", "alone", BAD), ("made jointly", "rest", GOOD)),
        "layout": _layout(
            barmode="stack",
            xaxis={"type": "category", "title": {"text": "Changed by"}, "fixedrange": True},
            yaxis={"title": {"text": "Schedule changes"}, "rangemode": "tozero", "fixedrange": True},
        ),
    }
    return Chart(figure, "Stacked bar chart: each function's schedule changes made alone and jointly")


def _one_sided(finding: Finding, metrics: Metrics) -> Chart | None:
    wins: Mapping[str, int] = finding.evidence.get("wins") or {}
    if not wins:
        return None
    functions = list(wins)
    figure: Figure = {
        "data": [
            {
                "type": "bar",
                "name": "contested decisions won",
                "x": [escape(f) for f in functions],
                "y": [wins[f] for f in functions],
                "marker": {
                    "color": [BAD if f == finding.evidence.get("winning_function") else NEUTRAL for f in functions]
                },
                "hovertemplate": "%{x} won %{y}<extra></extra>",
            }
        ],
        "layout": _layout(
            xaxis={"type": "category", "fixedrange": True},
            yaxis={"title": {"text": "Contested decisions won"}, "rangemode": "tozero", "fixedrange": True},
            showlegend=False,
        ),
    }
    return Chart(figure, "Bar chart: contested decisions won by each function")


def _trust_asymmetry(finding: Finding, metrics: Metrics) -> Chart | None:
    directions: Mapping[str, Mapping[str, Any]] = finding.evidence.get("directions") or {}
    shown = [d for d, figures in directions.items() if figures.get("trust_index") is not None]
    if not shown:
        return None

    def spread(key: str, sign: int) -> list[float | None]:
        out: list[float | None] = []
        for d in shown:
            bound, index = directions[d].get(key), directions[d]["trust_index"]
            out.append(None if bound is None else round(sign * (bound - index), 2))
        return out

    figure: Figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "name": "trust index",
                "x": [DIRECTIONS.get(d, escape(d)) for d in shown],
                "y": [directions[d]["trust_index"] for d in shown],
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": spread("ci_high", 1),
                    "arrayminus": spread("ci_low", -1),
                },
                "marker": {"color": BAD, "size": 12},
                "hovertemplate": "%{x}: %{y} of 7<extra></extra>",
            }
        ],
        "layout": _layout(
            xaxis={"type": "category", "fixedrange": True},
            yaxis={"title": {"text": "Trust index (1 to 7)"}, "range": [1, 7], "fixedrange": True},
            showlegend=False,
        ),
    }
    return Chart(figure, "Dot chart: each direction's trust index with its 95% interval")


def _hidden_constraints(finding: Finding, metrics: Metrics) -> Chart | None:
    evidence = finding.evidence
    if "slow_acknowledgement" in (evidence.get("reasons") or []):
        waits: Mapping[str, float | None] = evidence.get("mean_working_days_unacknowledged_by_function") or {}
        functions = [f for f in FUNCTIONS if waits.get(f) is not None]
        if not functions:
            return None
        threshold = evidence.get("threshold_acknowledgement_working_days")
        data: list[dict[str, Any]] = [
            {
                "type": "bar",
                "name": "mean working days unacknowledged",
                "x": functions,
                "y": [waits[f] for f in functions],
                "marker": {"color": BAD},
                "hovertemplate": "posted by %{x}: waited %{y} working days on average<extra></extra>",
            }
        ]
        if threshold is not None:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"threshold {threshold:g}",
                    "x": functions,
                    "y": [threshold] * len(functions),
                    "line": {"color": NEUTRAL, "dash": "dash"},
                    "hoverinfo": "skip",
                }
            )
        title, description = "Mean working days unacknowledged", "Bar chart: how long each side's constraints waited"
    else:
        posted: Mapping[str, int] = evidence.get("posted_in_window") or {}
        functions = [f for f in FUNCTIONS if f in posted]
        if not functions:
            return None
        data = [
            {
                "type": "bar",
                "name": "constraints posted",
                "x": functions,
                "y": [posted[f] for f in functions],
                "marker": {"color": [BAD if f == evidence.get("silent_function") else GOOD for f in functions]},
                "hovertemplate": "%{x} posted %{y}<extra></extra>",
            }
        ]
        title, description = "Constraints posted", "Bar chart: constraints each side posted"
    figure: Figure = {
        "data": data,
        "layout": _layout(
            xaxis={"type": "category", "fixedrange": True},
            yaxis={"title": {"text": title}, "rangemode": "tozero", "fixedrange": True},
        ),
    }
    return Chart(figure, description)


EVIDENCE_CHARTS: dict[str, Callable[[Finding, Metrics], Chart | None]] = {
    "decision_paralysis": _decision_paralysis,
    "one_sided_decisions": _one_sided,
    "trust_breakdown": _trust_breakdown,
    "trust_asymmetry": _trust_asymmetry,
    "hidden_constraints": _hidden_constraints,
    "engineering_absent_from_discovery": _engineering_absent,
    "product_absent_from_delivery": _product_absent,
    "fracture_under_pressure": _fracture,
    "unrealistic_commitment": _unrealistic_commitment,
    "siloed_schedule": _siloed_schedule,
}
"""Kind -> the builder of its evidence chart; a kind not here (power gaps, managers, ...) has none."""


def evidence_chart(finding: Finding, metrics: Metrics | None = None) -> Chart | None:
    """The chart of a finding's evidence, or None when its kind has none or the evidence holds nothing to draw."""
    builder = EVIDENCE_CHARTS.get(finding.kind)
    return builder(finding, metrics or {}) if builder is not None else None
