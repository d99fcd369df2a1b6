"""``tandem schedule …``: the joint schedule from the command line (for now, importing tracker history)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tandem.cliutils import err_console, fail, open_database, out_console
from tandem.db import session_factory
from tandem.schedule import plan_cli
from tandem.schedule.importer import TrackerImportOutcome, import_tracker
from tandem.schedule.trackers import Source, TrackerFormatError, input_size

app = typer.Typer(help="Joint schedule: plans, commitments, tracker history.", no_args_is_help=True)
plan_cli.register(app)

SHOWN = 10
"""How many unknown actors and unmapped projects a summary lists before "… and N more"."""


@app.command("import")
def import_command(
    jira: Path | None = typer.Option(
        None, "--jira", help="A Jira search response with expand=changelog: one JSON file, or a directory of pages."
    ),
    github: Path | None = typer.Option(
        None, "--github", help="GitHub issues, issue events and <n>.timeline.json files: one JSON file or a directory."
    ),
    linear: Path | None = typer.Option(None, "--linear", help="Linear's CSV export (items only: it has no history)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read and map everything, print the counts; write nothing."),
) -> None:
    """Import tracker history (issues and schedule changes): all or nothing; a re-import adds only what is new."""
    options: tuple[tuple[Source, Path | None], ...] = (("jira", jira), ("github", github), ("linear", linear))
    given = [(source, path) for source, path in options if path is not None]
    if len(given) != 1:
        fail("give exactly one of --jira, --github or --linear")
    source, path = given[0]
    try:
        total = input_size(source, path)
    except TrackerFormatError as error:
        fail(str(error))
    engine = open_database()
    try:
        with (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeElapsedColumn(),
                console=err_console,
                transient=True,
                disable=not err_console.is_terminal,
            ) as progress,
            _unit_of_work(engine, keep=not dry_run) as session,
        ):
            task = progress.add_task(f"importing {path.name}", total=total)
            outcome = import_tracker(
                session,
                source,
                path,
                imported_by=f"cli:{getpass.getuser()}",
                progress=lambda n: progress.advance(task, n),
            )
    except TrackerFormatError as error:
        fail(f"{error}; nothing was written")
    except DBAPIError as error:  # never a traceback, never half an import
        fail(f"the database refused the import, so nothing was written: {error.orig}", code=1)
    _print_outcome(outcome, source, path.name, dry_run)


@contextmanager
def _unit_of_work(engine: Engine, *, keep: bool) -> Iterator[Session]:
    """One transaction, committed when ``keep`` (a dry run rolls back everything it wrote, so its counts are
    exactly what a real import would do)."""
    with session_factory(engine)() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        if keep:
            session.commit()
        else:
            session.rollback()


def _print_outcome(outcome: TrackerImportOutcome, source: Source, name: str, dry_run: bool) -> None:
    record = outcome.record
    counts = record.counts
    for warning in outcome.warnings:
        err_console.print(f"warning: {warning}", soft_wrap=True, markup=False)
    summary = (
        f"{counts['items_read']} items ({counts['items_added']} added, {counts['items_updated']} updated, "
        f"{counts['items_unchanged']} unchanged, {counts['items_completed']} completed); "
        f"{counts['changes_read']} schedule changes ({counts['changes_added']} added, "
        f"{counts['changes_already_present']} already present)"
    )
    if dry_run:
        out_console.print(
            f"Dry run of the {source} import from {name}, nothing was written. It would import: {summary}.",
            markup=False,
        )
    else:
        out_console.print(f"Imported {source} history from {name}: {summary}.", markup=False)
    if record.unknown_actors:
        out_console.print(
            f"{len(record.unknown_actors)} unknown actor(s), their changes kept without a person "
            "(add them as aliases in the people file):",
            markup=False,
        )
        lines = [
            f"  {actor}" + (f" ({outcome.actor_names[actor]})" if actor in outcome.actor_names else "") + f": {n}"
            for actor, n in record.unknown_actors.items()
        ]
        _print_some(lines)
    if record.unmapped_projects:
        out_console.print(
            f"{len(record.unmapped_projects)} project(s) mapped to no team, their items kept without a team "
            "(add them to the teams file):",
            markup=False,
        )
        _print_some([f"  {project}: {n}" for project, n in record.unmapped_projects.items()])


def _print_some(lines: list[str]) -> None:
    for line in lines[:SHOWN]:
        out_console.print(line, markup=False, soft_wrap=True)
    if len(lines) > SHOWN:
        out_console.print(f"  … and {len(lines) - SHOWN} more", markup=False)
