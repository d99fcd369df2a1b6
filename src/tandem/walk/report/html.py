"""The walk as one self-contained HTML file: ``tandem walk --format html --out report.html``.

The report body is one Jinja partial, ``walk_report.html``, which the web app's home page (``walk.html``) wraps
with ``base.html`` and this module wraps with ``report.html``: Tandem's stylesheet, Plotly's bundle from the
installed ``plotly`` package and ``web/static/walk.js`` all inline, so the file opens from disk with no network.
The figures are built server-side (``charts``) and sit in the page as one JSON block that ``walk.js`` hands to
``Plotly.newPlot``. Autoescaping is on: every name and title from the data is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from markupsafe import Markup

from tandem import __version__
from tandem.walk.findings import PRACTICE_TITLES, Finding, ModelPair, Practice, WalkReport
from tandem.walk.report import by_practice
from tandem.walk.report.charts import Chart, Figure, evidence_chart, org_heatmap
from tandem.walk.report.evidence import evidence_lines
from tandem.walk.report.summary import (
    SHORT_TITLES,
    WHY_IN_SUMMARY,
    PracticeMedian,
    counts_by_practice,
    lowest_practices,
    teams_of,
    top_findings,
)

PACKAGE = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = (PACKAGE / "walk" / "templates", PACKAGE / "web" / "templates")
STATIC = PACKAGE / "web" / "static"
HEATMAP = "heatmap"
"""The heatmap's key among the figures (the others are keyed by finding id)."""
PAIRS_IN_SUMMARY = 5


@dataclass(frozen=True)
class ReportView:
    """Everything the ``walk_report.html`` partial shows, computed once from the report (pure)."""

    report: WalkReport
    counts: list[tuple[Practice, int]]
    top: list[Finding]
    lowest: list[PracticeMedian]
    groups: list[tuple[Practice, list[Finding]]]
    evidence: dict[str, list[tuple[str, str]]]
    charts: dict[str, Chart] = field(default_factory=dict)
    pairs_in_summary: int = PAIRS_IN_SUMMARY
    why_in_summary: int = WHY_IN_SUMMARY

    @property
    def figures(self) -> dict[str, Figure]:
        """The figure JSON per chart key, as the page's ``walk-figures`` block carries it."""
        return {key: chart.figure for key, chart in self.charts.items()}

    @property
    def summary_pairs(self) -> list[ModelPair]:
        return self.report.model_pairs[: self.pairs_in_summary]

    def teams_of(self, finding: Finding) -> str:
        return teams_of(finding)


def report_view(report: WalkReport) -> ReportView:
    charts: dict[str, Chart] = {}
    if report.scorecards:
        charts[HEATMAP] = org_heatmap(report.scorecards)
    for finding in report.findings:
        if (chart := evidence_chart(finding, report.metrics)) is not None:
            charts[finding.id] = chart
    return ReportView(
        report=report,
        counts=counts_by_practice(report),
        top=top_findings(report),
        lowest=lowest_practices(report),
        groups=by_practice(report),
        evidence={finding.id: evidence_lines(finding.evidence) for finding in report.findings},
        charts=charts,
    )


def template_globals() -> dict[str, Any]:
    """What the partial needs from its environment, in the web app's and in this module's."""
    return {
        "practice_titles": {practice.value: title for practice, title in PRACTICE_TITLES.items()},
        "short_titles": {practice.value: title for practice, title in SHORT_TITLES.items()},
        "heatmap_key": HEATMAP,
    }


@cache
def environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in TEMPLATE_DIRS]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(template_globals(), version=__version__)
    return env


def _inline_script(source: str) -> Markup:
    """JavaScript safe to place between ``<script>`` tags: no ``</script`` can end the element early."""
    return Markup(source.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT"))


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]  # plotly ships no type information

    bundle: str = get_plotlyjs()
    return bundle


def render(report: WalkReport) -> str:
    """The whole file: the report body with Tandem's stylesheet, Plotly and ``walk.js`` inline."""
    view = report_view(report)
    return (
        environment()
        .get_template("report.html")
        .render(
            view=view,
            links=False,
            css=Markup((STATIC / "tandem.css").read_text(encoding="utf-8")),  # our own stylesheet
            plotly_js=_inline_script(_plotly_js()) if view.charts else None,
            walk_js=_inline_script((STATIC / "walk.js").read_text(encoding="utf-8")),
        )
    )
