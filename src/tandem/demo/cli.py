"""``tandem demo``: a realistic synthetic org with planted problems, imported and walked."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from tandem.cliutils import open_database, out_console
from tandem.db import transaction
from tandem.demo.generator import generate_org, people_csv, teams_csv, write_demo
from tandem.org.service import import_org
from tandem.walk.cli import write_walk
from tandem.walk.report import ReportFormat


def demo(
    seed: int = typer.Option(7, help="Seed of the generator: the same seed builds the same org."),
    directory: Path = typer.Option(
        Path("tandem-demo"), "--dir", file_okay=False, help="Where people.csv, teams.csv and truth.json go."
    ),
    report_format: ReportFormat = typer.Option(ReportFormat.TEXT, "--format", "-f", help="text, md or json."),
    out: Path | None = typer.Option(None, "--out", "-o", dir_okay=False, help="Write the walk to this file."),
) -> None:
    """Build the demo org (with its ground truth beside it), load it into the database and run the walk."""
    org = generate_org(seed)
    people_path, teams_path, truth_path = write_demo(org, directory)
    engine = open_database()
    with transaction(engine) as session:
        outcome = import_org(
            session,
            people_data=people_csv(org),
            people_file=str(people_path),
            teams_data=teams_csv(org),
            teams_file=str(teams_path),
            imported_by=f"cli:{getpass.getuser()}",
        )
    counts = outcome.plan.counts()
    out_console.print(
        f"Demo org (seed {seed}): {len(org.people)} people, {len(org.teams)} teams, "
        f"{len(org.planted)} planted problems; files and ground truth in {directory}/ "
        f"({counts['people_created']} people created, {counts['people_updated']} updated).",
        markup=False,
        soft_wrap=True,
    )
    write_walk(report_format, out)
    del truth_path
