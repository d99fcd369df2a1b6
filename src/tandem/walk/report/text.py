"""The walk as a readable terminal report (Rich), grouped by practice, worst first."""

from __future__ import annotations

import io

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tandem.walk.findings import WalkReport
from tandem.walk.report import DECISION_COLUMNS, by_practice, decision_rows
from tandem.walk.report.evidence import evidence_lines


def render(report: WalkReport, *, width: int = 100, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None)
    counts = report.org
    console.print(
        Panel(
            Text.assemble(
                ("Tandem walk", "bold"),
                f"  {report.generated_at:%Y-%m-%d %H:%M} UTC\n",
                f"{counts.active_people} people in {counts.active_teams} teams · ",
                (f"{len(report.findings)} findings", "bold"),
            ),
            expand=False,
        )
    )
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
