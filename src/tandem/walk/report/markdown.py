"""The walk as Markdown, for pasting into a wiki: the same content and order as the text report."""

from __future__ import annotations

from tandem.walk.findings import WalkReport
from tandem.walk.report import DECISION_COLUMNS, by_practice, decision_rows
from tandem.walk.report.evidence import evidence_lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render(report: WalkReport) -> str:
    counts = report.org
    lines = [
        "# Tandem walk",
        "",
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC · {counts.active_people} people in "
        f"{counts.active_teams} teams · **{len(report.findings)} findings**",
        "",
    ]
    if not report.findings:
        lines += ["No findings: every check has passed.", ""]
    for practice, findings in by_practice(report):
        lines += [f"## {practice.title} ({len(findings)})", ""]
        for finding in findings:
            lines += [f"### {_cell(finding.title)}", "", f"Severity **{finding.severity:.2f}** · `{finding.id}`", ""]
            lines += ["| evidence | |", "|---|---|"]
            lines += [f"| {_cell(key)} | {_cell(value)} |" for key, value in evidence_lines(finding.evidence)]
            if finding.scope.teams:
                lines.append(f"| teams | {_cell(', '.join(finding.scope.teams))} |")
            lines += ["", f"**What to do:** {finding.recommendation.step}", ""]
    rows = decision_rows(report)
    if rows:
        lines += ["## Decisions by team (working days)", ""]
        lines += ["| team | " + " | ".join(title for _, title in DECISION_COLUMNS) + " |"]
        lines += ["|---" * (len(DECISION_COLUMNS) + 1) + "|"]
        lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)
