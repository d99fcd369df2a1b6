"""The walk as Markdown, for pasting into a wiki: the same content and order as the text report."""

from __future__ import annotations

from tandem.walk.findings import WalkReport
from tandem.walk.report import DECISION_COLUMNS, by_practice, decision_rows
from tandem.walk.report.evidence import evidence_lines
from tandem.walk.report.summary import (
    SCORECARD_COLUMNS,
    WHY_IN_SUMMARY,
    counts_by_practice,
    lowest_practices,
    pair_leads,
    scorecard_row,
    teams_of,
    top_findings,
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> list[str]:
    align = ["---" if column < numeric_from else "---:" for column in range(len(header))]
    lines = ["| " + " | ".join(_cell(title) for title in header) + " |", "| " + " | ".join(align) + " |"]
    return [*lines, *("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows)]


def _summary(report: WalkReport) -> list[str]:
    lines = ["## Executive summary", "", "**Fix first**", ""]
    top = top_findings(report)
    lines += [
        f"{number}. **{finding.severity:.2f}** {_cell(finding.title)} · {_cell(teams_of(finding))}"
        for number, finding in enumerate(top, start=1)
    ] or ["Nothing to fix."]
    lines += ["", "**Findings by practice**", ""]
    lines += _table(["practice", "findings"], [[p.title, str(n)] for p, n in counts_by_practice(report)])
    lines += ["", "**Model pairs**", ""]
    for pair in report.model_pairs:
        lines.append(f"- **{_cell(pair.team)}**: {_cell(pair_leads(pair))} · score {pair.score}")
        lines += [f"  - {_cell(line)}" for line in pair.why[:WHY_IN_SUMMARY]]
    if not report.model_pairs:
        lines.append("No pair qualifies yet.")
    lines += ["", "**Weakest practices** (median team score)", ""]
    lowest = lowest_practices(report)
    lines += [f"{n}. {m.practice.title}: {m.describe()}" for n, m in enumerate(lowest, start=1)] or [
        "No team has a score yet."
    ]
    return [*lines, ""]


def _model_pairs(report: WalkReport) -> list[str]:
    lines = [f"## Model pairs ({len(report.model_pairs)})", ""]
    if not report.model_pairs:
        return [*lines, "No pair qualifies yet.", ""]
    for pair in report.model_pairs:
        lines += [f"### {_cell(pair.team)} · score {pair.score}", "", _cell(pair_leads(pair)), ""]
        lines += [f"- {_cell(line)}" for line in pair.why]
        lines.append("")
    return lines


def _scorecards(report: WalkReport) -> list[str]:
    if not report.scorecards:
        return []
    lines = ["## Scorecards", "", "0-100 per practice, worst overall first; — is no evidence, not healthy.", ""]
    lines += _table(SCORECARD_COLUMNS, [scorecard_row(card) for card in report.scorecards])
    return [*lines, ""]


def render(report: WalkReport) -> str:
    counts = report.org
    lines = [
        "# Tandem walk",
        "",
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC · {counts.active_people} people in "
        f"{counts.active_teams} teams · **{len(report.findings)} findings**",
        "",
    ]
    if report.window is not None:
        lines += [f"Walked {report.window.describe()}.", ""]
    lines += _summary(report)
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
    lines += _model_pairs(report)
    lines += _scorecards(report)
    rows = decision_rows(report)
    if rows:
        lines += ["## Decisions by team (working days)", ""]
        lines += ["| team | " + " | ".join(title for _, title in DECISION_COLUMNS) + " |"]
        lines += ["|---" * (len(DECISION_COLUMNS) + 1) + "|"]
        lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)
