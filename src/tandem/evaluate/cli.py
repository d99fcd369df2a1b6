"""``tandem evaluate``: generate organisations with planted problems, walk them, print precision and recall per kind."""

from __future__ import annotations

import io
import json
import os
from enum import StrEnum

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from tandem.cliutils import err_console, fail, out_console, settings
from tandem.db import normalise_url
from tandem.evaluate.runner import STAGES, Evaluation, EvaluationSettings, KindScore, evaluate

RECALL_TARGET = 0.95
TABLE_WIDTH = 118
PRECISION_TARGET = 0.9


class EvaluateFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def evaluate_command(
    orgs: int = typer.Option(5, "--orgs", min=1, help="How many organisations to generate and walk."),
    seed: int = typer.Option(1, help="Seed of the first organisation; organisation n has seed + n."),
    groups: int = typer.Option(8, min=1, help="Business groups in each organisation."),
    teams_per_group: int = typer.Option(6, "--teams-per-group", min=1, help="Teams in each group."),
    rate: float = typer.Option(
        0.15, min=0.0, max=0.5, help="About this share of the teams gets a planted problem, spread over the kinds."
    ),
    noise: float = typer.Option(
        0.1,
        min=0.0,
        max=1.0,
        help="About this share of the teams gets a confounder: a small team, missing data, or just below a threshold.",
    ),
    output_format: EvaluateFormat = typer.Option(EvaluateFormat.TEXT, "--format", "-f", help="text or json."),
    database: str | None = typer.Option(
        None,
        "--database",
        metavar="URL",
        help="A PostgreSQL server to create a throw-away database on for each organisation (needs CREATEDB); "
        "default: fresh SQLite files in a temporary folder.",
    ),
    jobs: int = typer.Option(
        min(2, os.cpu_count() or 1), "--jobs", min=1, help="Organisations evaluated at once, each in its own process."
    ),
) -> None:
    """Generate organisations with planted problems of every kind, noise and confounders, run the walk on each and
    print precision and recall per kind (the truth of the walk's findings)."""
    thresholds = settings().thresholds
    if database is not None:
        database = _checked_server(database)
    config = EvaluationSettings(
        orgs=orgs, seed=seed, groups=groups, teams_per_group=teams_per_group, rate=rate, noise=noise
    )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
    ) as progress:
        steps = len(STAGES) - 1
        tasks: dict[int, TaskID] = {
            index: progress.add_task(
                f"org {index + 1}/{orgs} (seed {seed + index})", total=steps, stage="waiting", start=False
            )
            for index in range(orgs)
        }

        def on_stage(index: int, stage: str) -> None:
            task = tasks[index]
            if stage == STAGES[0]:
                progress.start_task(task)
            progress.update(task, completed=STAGES.index(stage), stage=stage)

        result = evaluate(config, thresholds=thresholds, postgres_server=database, jobs=jobs, on_stage=on_stage)
    if output_format is EvaluateFormat.JSON:
        out_console.out(json.dumps(result.as_json(), indent=2), highlight=False)
        return
    _print_text(result)


def _checked_server(url: str) -> str:
    """A PostgreSQL server URL that answers; anything else is a clear error."""
    try:
        parsed = normalise_url(make_url(url))
    except ArgumentError:
        fail(f"--database: not a database URL: {url}")
    if parsed.get_backend_name() != "postgresql":
        fail("--database takes a PostgreSQL server URL (postgresql://user@host:5432/db); SQLite is the default")
    engine = create_engine(parsed)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        fail(f"cannot reach the database server: {error.orig}", code=1)
    finally:
        engine.dispose()
    return url


def _ratio(value: float | None, target: float) -> str:
    if value is None:
        return "—"
    shown = f"{value:.2f}"
    return shown if value >= target else f"[bold red]{shown}[/]"


def _row(name: str, counts: KindScore) -> list[str]:
    return [
        name,
        str(counts.planted),
        str(counts.unobservable),
        str(counts.found),
        str(counts.missed),
        _ratio(counts.recall, RECALL_TARGET),
        str(counts.findings),
        str(counts.false_positives),
        str(counts.explained),
        _ratio(counts.precision, PRECISION_TARGET),
    ]


def _rendered(table: Table, width: int) -> str:
    """The table at ``width`` (a console that is not a terminal is 80 wide, too narrow for the kinds' names),
    styled only when the output is a terminal."""
    buffer = io.StringIO()
    terminal = out_console.is_terminal
    console = Console(
        file=buffer, width=width, force_terminal=terminal, color_system="auto" if terminal else None, highlight=False
    )
    console.print(table)
    return buffer.getvalue()


def _print_text(result: Evaluation) -> None:
    config = result.settings
    thresholds = "default thresholds" if result.as_json()["settings"]["thresholds"] == "default" else "your thresholds"
    last = config.seed + config.orgs - 1
    seeds = f"seed {config.seed}" if config.orgs == 1 else f"seeds {config.seed} to {last}"
    out_console.print(
        f"The walk against the truth: {config.orgs} organisation{'s' if config.orgs != 1 else ''} of "
        f"{config.teams} teams ({seeds}), rate {config.rate}, "
        f"noise {config.noise}, {result.backend}, {thresholds}.",
        markup=False,
    )
    table = Table(box=None, padding=(0, 1), show_footer=False)
    for header in ("kind", "planted", "unobserv.", "found", "missed", "recall", "findings", "false+", "explained"):
        table.add_column(header, justify="left" if header == "kind" else "right")
    table.add_column("precision", justify="right")
    for kind, counts in result.scores.kinds.items():
        table.add_row(*_row(kind, counts))
    table.add_section()
    table.add_row(*_row("all kinds", result.scores.totals), style="bold")
    out_console.out(_rendered(table, max(out_console.width, TABLE_WIDTH)), end="", highlight=False)
    per_org = sum(o.seconds for o in result.outcomes) / max(1, len(result.outcomes))
    out_console.print(
        f"Targets: recall ≥ {RECALL_TARGET}, precision ≥ {PRECISION_TARGET} (below them in red). "
        f"Runtime {result.seconds:.1f} s ({per_org:.1f} s an organisation).",
        markup=False,
    )
    scores = result.scores
    if scores.missed:
        out_console.print(f"\nMissed ({len(scores.missed)}):", markup=False)
        for miss in scores.missed:
            around = f" [{', '.join(miss.confounders)}]" if miss.confounders else ""
            out_console.print(
                f"  org {miss.org + 1} (seed {miss.seed}) {miss.team or 'org-wide'}: {miss.kind}/{miss.detail}{around}",
                markup=False,
            )
    if scores.false_positives:
        out_console.print(f"\nFalse positives ({len(scores.false_positives)}):", markup=False)
        for fp in scores.false_positives:
            notes = []
            if fp.explained_by:
                notes.append("explained by " + "; ".join(fp.explained_by))
            if fp.confounders:
                notes.append("confounders: " + "; ".join(fp.confounders))
            suffix = f" ({' — '.join(notes)})" if notes else ""
            out_console.print(f"  org {fp.org + 1} (seed {fp.seed}) {fp.kind}: {fp.title}{suffix}", markup=False)
    if scores.unobservable:
        out_console.print(f"\nUnobservable, left out of recall ({len(scores.unobservable)}):", markup=False)
        for item in scores.unobservable:
            out_console.print(
                f"  org {item.org + 1} (seed {item.seed}) {item.team}: {item.kind}/{item.detail} — {item.reason}",
                markup=False,
            )
    unplaced = [(o.index, kind) for o in result.outcomes for kind in o.unplaced]
    if unplaced:
        listed = ", ".join(f"{kind} (org {index + 1})" for index, kind in unplaced)
        out_console.print(f"\nNot planted (no eligible team): {listed}", markup=False)
