"""Renderings of a walk: text (Rich), Markdown and JSON, all from the same ``WalkReport``."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from tandem.walk.findings import Finding, Practice, WalkReport, worst_first


class ReportFormat(StrEnum):
    TEXT = "text"
    MD = "md"
    JSON = "json"


def by_practice(report: WalkReport) -> list[tuple[Practice, list[Finding]]]:
    """Findings grouped by practice; the practice with the worst finding first, findings worst first."""
    groups: dict[Practice, list[Finding]] = {}
    for finding in sorted(report.findings, key=worst_first):
        groups.setdefault(finding.practice, []).append(finding)
    return sorted(groups.items(), key=lambda item: (-item[1][0].severity, list(Practice).index(item[0])))


def render(report: WalkReport, report_format: ReportFormat, *, width: int = 100) -> str:
    from tandem.walk.report import markdown, text

    renderers: dict[ReportFormat, Callable[[WalkReport], str]] = {
        ReportFormat.TEXT: lambda r: text.render(r, width=width),
        ReportFormat.MD: markdown.render,
        ReportFormat.JSON: lambda r: r.model_dump_json(indent=2) + "\n",
    }
    return renderers[report_format](report)
