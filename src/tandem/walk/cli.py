"""``tandem walk``: look across the whole org and report what is out of balance; every walk is saved as a snapshot
(``tandem walk snapshots`` lists them) and ``--compare`` says what became of each finding since an earlier one."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import typer

from tandem.cliutils import fail, open_database, out_console, parse_moment, settings
from tandem.db import transaction, utcnow
from tandem.decisions.cli import person_id
from tandem.followup import render as comparison_render
from tandem.followup import service as followup
from tandem.followup.analysis import Comparison, WalkRef
from tandem.followup.cli import cli_actor, previous_walk, snapshots_command
from tandem.walk.findings import WalkReport
from tandem.walk.registry import TimeWindow
from tandem.walk.report import ReportFormat, render
from tandem.walk.service import run_walk
from tandem.walk.slices import restrict, slice_of

app = typer.Typer(pretty_exceptions_enable=False)

COMPARE_FORMATS = ("text", "md", "json")
"""The formats ``--compare`` adds its section to."""
NO_ORG = "nothing to walk: the database holds no org yet; import one with `tandem org import` or run `tandem demo`"


@app.callback(invoke_without_command=True)
def walk(
    ctx: typer.Context,
    report_format: ReportFormat = typer.Option(ReportFormat.TEXT, "--format", "-f", help="text, md, json or html."),
    out: Path | None = typer.Option(None, "--out", "-o", dir_okay=False, help="Write the report to this file."),
    compare: str | None = typer.Option(
        None,
        "--compare",
        metavar="PREVIOUS",
        help="Compare with an earlier walk: a snapshot id, `latest` (the newest saved before this one), or a walk "
        "JSON file. Prints each finding as new, persisting, improved, worsened or resolved, and the actions.",
    ),
    no_save: bool = typer.Option(False, "--no-save", help="Do not save this walk as a snapshot."),
    under: str | None = typer.Option(
        None, "--under", metavar="PERSON", help="Only the part of the org under this person (id, e-mail or alias)."
    ),
    teams: list[str] | None = typer.Option(None, "--team", help="Only this team (repeat for several)."),
    since: str | None = typer.Option(
        None, "--since", metavar="DATE", help="Only records dated from this day (or ISO time) on."
    ),
    until: str | None = typer.Option(
        None,
        "--until",
        metavar="DATE",
        help="Only records dated up to the end of this day (or this ISO time), read as they stood then.",
    ),
) -> None:
    """Run the walk: findings grouped by practice, worst first, each with evidence and what to do. Every walk of
    the whole org is saved as a snapshot unless --no-save; a slice (--under, --team, --since, --until) is not
    saved."""
    if ctx.invoked_subcommand is not None:
        return
    write_walk(
        report_format,
        out,
        save=not no_save,
        compare=compare,
        under=under,
        teams=teams or [],
        window=time_window(since, until),
    )


def time_window(since: str | None, until: str | None) -> TimeWindow | None:
    """The window ``--since`` and ``--until`` name: a day starts at midnight UTC, and ``--until`` a day takes
    that whole day in."""
    if since is None and until is None:
        return None
    start = parse_moment(since, "--since") if since is not None else None
    end = parse_moment(until, "--until") if until is not None else None
    if until is not None and end is not None and len(until.strip()) == 10:
        end += timedelta(days=1, microseconds=-1)
    try:
        return TimeWindow.up_to_now(start, end, utcnow())
    except ValueError as error:
        fail(f"--since/--until: {error}")


app.command("snapshots")(snapshots_command)


def with_comparison(rendered: str, report: WalkReport, report_format: ReportFormat, comparison: Comparison) -> str:
    """The report with the comparison: a section after the text or Markdown, a ``comparison`` key in the JSON."""
    if report_format.value == "json":
        document = {**report.model_dump(mode="json"), "comparison": comparison.model_dump(mode="json")}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if report_format.value == "md":
        return f"{rendered.rstrip()}\n\n{comparison_render.markdown(comparison)}"
    return f"{rendered}\n{comparison_render.text(comparison)}"


def write_walk(
    report_format: ReportFormat,
    out: Path | None,
    *,
    save: bool = False,
    compare: str | None = None,
    under: str | None = None,
    teams: list[str] | None = None,
    window: TimeWindow | None = None,
) -> None:
    """Run the walk and print it or write it to ``out``; save it as a snapshot and compare it with an earlier one
    when asked (``compare``: a snapshot id, ``latest`` or a walk JSON file). ``under`` and ``teams`` cut the report
    (and the walk it is compared with) down to a part of the org, ``window`` to a stretch of time; a slice is never
    saved."""
    if out is not None and not out.parent.is_dir():
        fail(f"cannot write {out}: the folder {out.parent} does not exist")
    if compare is not None and report_format.value not in COMPARE_FORMATS:
        fail(f"--compare prints with --format {', '.join(COMPARE_FORMATS)}, not {report_format.value}")
    engine = open_database()
    comparison = None
    snapshot_id = None
    with transaction(engine) as session:
        report = run_walk(session, settings().thresholds, window=window)
        if window is not None:
            save = False
        if report.org.active_people == 0:
            fail(NO_ORG)
        previous = previous_walk(session, compare) if compare is not None else None  # before this walk is saved
        if under is not None or teams:
            try:
                sliced, keep_org_wide = slice_of(
                    session, under=person_id(session, under) if under else None, team_names=teams or []
                )
            except LookupError as error:
                fail(str(error))
            report = restrict(report, sliced, keep_org_wide=keep_org_wide)
            if previous is not None:
                previous = (restrict(previous[0], sliced, keep_org_wide=keep_org_wide), previous[1])
            save = False
        if save:
            snapshot_id = followup.save_snapshot(session, report=report, taken_by=cli_actor()).id
        if previous is not None:
            current = WalkRef(label="this walk", snapshot_id=snapshot_id, generated_at=report.generated_at)
            comparison = followup.compare_walks(
                session, previous[0], report, previous_ref=previous[1], current_ref=current
            )
    rendered = render(report, report_format, width=out_console.width if out is None else 100)
    if comparison is not None:
        rendered = with_comparison(rendered, report, report_format, comparison)
    if out is None:
        if snapshot_id is not None and report_format.value == "text":  # JSON, Markdown and HTML stay pure
            rendered += f"Saved the walk as snapshot {snapshot_id}.\n"
        out_console.out(rendered, end="", highlight=False)
        return
    try:
        out.write_text(rendered, encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror}")
    out_console.print(f"Wrote the walk ({len(report.findings)} findings) to {out}", markup=False)
