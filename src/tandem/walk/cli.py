"""``tandem walk``: look across the whole org and report what is out of balance."""

from __future__ import annotations

from pathlib import Path

import typer

from tandem.cliutils import fail, open_database, out_console, settings
from tandem.db import transaction
from tandem.walk.report import ReportFormat, render
from tandem.walk.service import run_walk


def walk(
    report_format: ReportFormat = typer.Option(ReportFormat.TEXT, "--format", "-f", help="text, md or json."),
    out: Path | None = typer.Option(None, "--out", "-o", dir_okay=False, help="Write the report to this file."),
) -> None:
    """Run the walk: findings grouped by practice, worst first, each with evidence and what to do."""
    write_walk(report_format, out)


def write_walk(report_format: ReportFormat, out: Path | None) -> None:
    if out is not None and not out.parent.is_dir():
        fail(f"cannot write {out}: the folder {out.parent} does not exist")
    engine = open_database()
    with transaction(engine) as session:
        report = run_walk(session, settings().thresholds)
    if report.org.active_people == 0:
        fail("nothing to walk: the database holds no org yet; import one with `tandem org import` or run `tandem demo`")
    rendered = render(report, report_format, width=out_console.width if out is None else 100)
    if out is None:
        out_console.out(rendered, end="", highlight=False)
        return
    try:
        out.write_text(rendered, encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror}")
    out_console.print(f"Wrote the walk ({len(report.findings)} findings) to {out}", markup=False)
