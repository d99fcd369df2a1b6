"""Renderings of a walk: text (Rich), Markdown, JSON and a self-contained HTML file, all from one ``WalkReport``."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from tandem.walk.findings import Finding, Practice, WalkReport, worst_first


class ReportFormat(StrEnum):
    TEXT = "text"
    MD = "md"
    JSON = "json"
    HTML = "html"


def by_practice(report: WalkReport) -> list[tuple[Practice, list[Finding]]]:
    """Findings grouped by practice; the practice with the worst finding first, findings worst first."""
    groups: dict[Practice, list[Finding]] = {}
    for finding in sorted(report.findings, key=worst_first):
        groups.setdefault(finding.practice, []).append(finding)
    return sorted(groups.items(), key=lambda item: (-item[1][0].severity, list(Practice).index(item[0])))


DECISION_COLUMNS = (
    ("decisions", "decisions"),
    ("median_working_days_to_decide", "median days"),
    ("p90_working_days_to_decide", "p90 days"),
    ("escalation_rate", "escalated"),
    ("decided_jointly", "jointly"),
    ("decided_by_manager", "by manager"),
)


def decision_rows(report: WalkReport) -> list[list[str]]:
    """The decision metrics as table rows (team first), for the text and Markdown reports."""
    rows = []
    for team, figures in sorted(report.metrics.get("decisions", {}).items()):
        cells = [team]
        for key, _ in DECISION_COLUMNS:
            value = figures.get(key)
            if value is None:
                cells.append("—")
            elif key in ("escalation_rate", "decided_jointly", "decided_by_manager"):
                cells.append(f"{value:.0%}")
            else:
                cells.append(f"{value:g}")
        rows.append(cells)
    return rows


def render(report: WalkReport, report_format: ReportFormat, *, width: int = 100) -> str:
    from tandem.walk.report import html, markdown, text

    renderers: dict[ReportFormat, Callable[[WalkReport], str]] = {
        ReportFormat.TEXT: lambda r: text.render(r, width=width),
        ReportFormat.MD: markdown.render,
        ReportFormat.JSON: lambda r: r.model_dump_json(indent=2) + "\n",
        ReportFormat.HTML: html.render,
    }
    return renderers[report_format](report)
