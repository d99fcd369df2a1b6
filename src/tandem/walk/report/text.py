"""The walk as a readable terminal report (Rich): the executive summary, the findings grouped by practice, worst
first, the model pairs, the scorecards ("—" where evidence is missing) and the decisions by team."""

from __future__ import annotations

import io

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

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

TEXT_HEADINGS = {title: title.replace(" ", "\n") for title in SCORECARD_COLUMNS} | {"Relationships": "Relation-\nships"}
"""Scorecard headings broken where a terminal column would otherwise cut them."""


def _summary(console: Console, report: WalkReport) -> None:
    console.rule("[bold]Executive summary[/]")
    console.print(Text("Fix first", style="bold"))
    if not report.findings:
        console.print("  Nothing to fix.")
    for number, finding in enumerate(top_findings(report), start=1):
        console.print(
            Text.assemble(
                f"{number:>3}. ",
                (f"[{finding.severity:.2f}] ", "bold red"),
                finding.title,
                (f" · {teams_of(finding)}", "dim"),
            )
        )
    console.print(Text("Findings by practice", style="bold"))
    counts = Table.grid(padding=(0, 2))
    counts.add_column(no_wrap=True)
    counts.add_column(justify="right")
    for practice, count in counts_by_practice(report):
        counts.add_row(f"  {practice.title}", str(count))
    console.print(counts)
    console.print(Text("Model pairs", style="bold"))
    if not report.model_pairs:
        console.print("  No pair qualifies yet.")
    for pair in report.model_pairs:
        console.print(Text.assemble("  ", (pair.team, "bold"), f": {pair_leads(pair)} · score {pair.score}"))
        for line in pair.why[:WHY_IN_SUMMARY]:
            console.print(Text(f"    - {line}", style="dim"))
    console.print(Text("Weakest practices (median team score)", style="bold"))
    lowest = lowest_practices(report)
    if not lowest:
        console.print("  No team has a score yet.")
    for median in lowest:
        console.print(Text.assemble(f"  {median.practice.title}: ", (median.describe(), "dim")))
    console.print()


def _model_pairs(console: Console, report: WalkReport) -> None:
    console.rule(f"[bold]Model pairs[/] · {len(report.model_pairs)}")
    if not report.model_pairs:
        console.print("No pair qualifies yet.")
    for pair in report.model_pairs:
        console.print(Text.assemble((pair.team, "bold"), f" · score {pair.score}"))
        console.print(Text(f"  {pair_leads(pair)}"))
        for line in pair.why:
            console.print(Text(f"  - {line}"))
    console.print()


def _scorecards(console: Console, report: WalkReport) -> None:
    if not report.scorecards:
        return
    console.rule("[bold]Scorecards[/] · 0-100, worst first · — means no evidence")
    table = Table(box=None, padding=(0, 1), collapse_padding=True)
    for number, title in enumerate(SCORECARD_COLUMNS):
        heading = TEXT_HEADINGS.get(title, title)
        table.add_column(
            heading,
            justify="left" if number == 0 else "right",
            min_width=10 if number == 0 else max(len(line) for line in heading.split("\n")),
        )
    for card in report.scorecards:
        table.add_row(*scorecard_row(card))
    console.print(table)
    console.print()


def render(report: WalkReport, *, width: int = 100, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None)
    counts = report.org
    console.print(
        Panel(
            Text.assemble(
                ("Tandem walk", "bold"),
                f"  {report.generated_at:%Y-%m-%d %H:%M} UTC\n",
                f"{report.window.describe()}\n" if report.window is not None else "",
                f"{counts.active_people} people in {counts.active_teams} teams · ",
                (f"{len(report.findings)} findings", "bold"),
            ),
            expand=False,
        )
    )
    _summary(console, report)
    if not report.findings:
        console.print("No findings: every check has passed.")
    for practice, findings in by_practice(report):
        console.rule(f"[bold]{practice.title}[/] · {len(findings)} finding{'s' if len(findings) != 1 else ''}")
        for finding in findings:
            console.print(Text.assemble((f"[{finding.severity:.2f}] ", "bold red"), (finding.title, "bold")))
            table = Table.grid(padding=(0, 2))
            table.add_column(style="dim", no_wrap=True)
            table.add_column()
            for key, value in evidence_lines(finding.evidence):
                table.add_row(key, value)
            if finding.scope.teams:
                table.add_row("teams", ", ".join(finding.scope.teams))
            table.add_row("id", finding.id)
            console.print(table)
            console.print(Text.assemble(("→ ", "green"), finding.recommendation.step))
            console.print()
    _model_pairs(console, report)
    _scorecards(console, report)
    rows = decision_rows(report)
    if rows:
        console.rule("[bold]Decisions by team[/] · working days")
        table = Table(box=None, padding=(0, 1))
        table.add_column("team", no_wrap=True)
        for _, title in DECISION_COLUMNS:
            table.add_column(title, justify="right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    return buffer.getvalue()
