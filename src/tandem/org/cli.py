"""``tandem org …``: import the org from CSV files."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import DBAPIError

from tandem.cliutils import err_console, fail, open_database, out_console
from tandem.db import transaction
from tandem.org.importer import ImportRejectedError
from tandem.org.service import ImportOutcome, change_lines, import_org

app = typer.Typer(help="The org: people, reporting lines, teams and their two leads.", no_args_is_help=True)


@app.command("import")
def import_command(
    people: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The people CSV file."),
    teams: Path | None = typer.Option(
        None, "--teams", exists=True, dir_okay=False, readable=True, help="The teams CSV file."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and print what would change; write nothing."),
) -> None:
    """Import people (and teams): all or nothing, an upsert keyed by id; absent people become inactive."""
    people_data = people.read_bytes()
    teams_data = teams.read_bytes() if teams else None
    engine = open_database()
    try:
        with (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
                transient=True,
                disable=not err_console.is_terminal,
            ) as progress,
            transaction(engine) as session,
        ):
            rows = people_data.count(b"\n")
            task = progress.add_task(f"importing {people.name}", total=rows * (2 if dry_run else 3))
            outcome = import_org(
                session,
                people_data=people_data,
                people_file=str(people),
                teams_data=teams_data,
                teams_file=str(teams) if teams else None,
                imported_by=f"cli:{getpass.getuser()}",
                dry_run=dry_run,
                on_progress=lambda n: progress.advance(task, n),
            )
    except ImportRejectedError as error:
        for problem in error.problems:
            err_console.print(str(problem), soft_wrap=True, markup=False)
        fail(f"{len(error.problems)} problem(s) found; nothing was written")
    except DBAPIError as error:  # validation should have caught it; never a traceback, never half an import
        fail(f"the database refused the import, so nothing was written: {error.orig}", code=1)
    _print_outcome(outcome, people.name, dry_run)


def _print_outcome(outcome: ImportOutcome, name: str, dry_run: bool) -> None:
    for warning in sorted([*outcome.org.warnings, *outcome.plan.warnings]):
        err_console.print(f"warning: {warning}", soft_wrap=True, markup=False)
    counts = outcome.plan.counts()
    summary = (
        f"{counts['people_created']} created, {counts['people_updated']} updated, "
        f"{counts['people_deactivated']} deactivated, {counts['people_unchanged']} unchanged; teams: "
        f"{counts['teams_created']} created, {counts['teams_updated']} updated, "
        f"{counts['teams_deactivated']} deactivated"
    )
    if dry_run:
        out_console.print(f"Dry run of {name}, nothing was written. It would make: {summary}.", markup=False)
        for line in change_lines(outcome.plan):
            out_console.print(line, markup=False, soft_wrap=True)
    else:
        out_console.print(f"Imported {name}: {summary}.", markup=False)
