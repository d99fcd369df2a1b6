"""``tandem rituals …``: rituals from real calendars (an .ics export or a CSV), imported all or nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import typer

from tandem.cliutils import fail, open_database, out_console, parse_moment, settings
from tandem.db import transaction
from tandem.decisions.cli import import_log
from tandem.org.service import team_by_name
from tandem.overlap import analysis, pressure, service
from tandem.overlap.facts import RitualKind
from tandem.overlap.importer import UNMATCHED_KIND, UNMATCHED_TEAM, RitualImportReport, import_rituals
from tandem.overlap.kinds import KindRules
from tandem.trust.service import trust_thresholds

app = typer.Typer(help="Rituals from real calendars: import .ics or CSV, see who attends.", no_args_is_help=True)

DEFAULT_DAYS = 365
REASONS = {UNMATCHED_TEAM: "no team", UNMATCHED_KIND: "no ritual kind"}


def summary_lines(name: str, report: RitualImportReport, *, dry_run: bool) -> list[str]:
    """What the command prints: what was done, then what was skipped (when anything was)."""
    verb = "Would import" if dry_run else "Imported"
    lines = [
        f"{verb} {name}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.removed} removed."
    ]
    if report.skipped:
        lines.append(
            f"Skipped: {report.all_day_ignored} all-day, {report.cancelled_skipped} cancelled, "
            f"{report.unmatched_team} with no team, {report.unmatched_kind} with no ritual kind, "
            f"{report.unknown_attendees} unknown attendee address(es)."
        )
    return lines


def notes(report: RitualImportReport) -> list[str]:
    """Examples of the events skipped for want of a team or a kind (for stderr)."""
    return [
        f"note: {label}: " + ", ".join(json.dumps(summary, ensure_ascii=False) for summary in report.examples[reason])
        for reason, label in REASONS.items()
        if report.examples.get(reason)
    ]


@app.command("import")
def import_command(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="A calendar export (.ics) or the CSV form."
    ),
    since: str | None = typer.Option(
        None,
        "--since",
        metavar="DATE",
        help=f"Read occurrences from this date or time (default: {DEFAULT_DAYS} days ago); .ics only.",
    ),
    until: str | None = typer.Option(
        None, "--until", metavar="DATE", help="Read occurrences before this date or time (default: now); .ics only."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; write nothing."),
) -> None:
    """Import rituals from a Google Calendar or Outlook export (.ics) or a CSV: all or nothing, idempotent."""
    now = datetime.now(UTC)
    end = parse_moment(until, "--until") if until else now
    start = parse_moment(since, "--since") if since else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        fail("--since must be before --until")
    configured = settings().rituals
    try:
        rules = KindRules.of(configured.keywords, configured.team_keywords)
    except ValueError as error:
        fail(f"invalid settings ([rituals] in tandem.toml): {error}")
    report = import_log(partial(import_rituals, rules=rules, since=start, until=end), file, dry_run=dry_run)
    for line in summary_lines(file.name, report, dry_run=dry_run):
        out_console.print(line, markup=False)
    for note in notes(report):
        typer.echo(note, err=True)


@app.command("list")
def list_command(
    team: str = typer.Option(..., "--team", help="The team whose rituals to list."),
    kind: RitualKind | None = typer.Option(None, "--kind", help="Only this kind."),
    since: str | None = typer.Option(None, "--since", metavar="DATE", help="Only occurrences from this date on."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
) -> None:
    """A team's ritual occurrences, newest first: start, kind, minutes, organiser, attendees, product present,
    engineer present, summary (tab-separated)."""
    start = parse_moment(since, "--since") if since else None
    with transaction(open_database()) as session:
        chosen = team_by_name(session, team)
        if chosen is None:
            fail(f"no team is called {team}")
        rows, _ = service.occurrences(session, team=chosen, since=start, kind=kind, limit=limit)
    for o in rows:
        summary = " ".join(o.summary.split())
        typer.echo(
            f"{o.start.astimezone(UTC):%Y-%m-%d %H:%M}\t{o.kind.value}\t{o.minutes}\t{o.organiser or '-'}\t"
            f"{len(o.attendees)}\t{_yes(analysis.product_present(o))}\t{_yes(analysis.engineer_present(o))}\t{summary}"
        )


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _p(value: float) -> str:
    return "p<0.000001" if value < 0.000001 else f"p={value:.4g}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@app.command("overlap")
def overlap_command(
    team: str | None = typer.Option(None, "--team", help="One team (default: every active team)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON (the walk's metrics.overlap)."),
) -> None:
    """Who is in the room, per team over the overlap window (tab-separated, a header first): rituals, discovery
    and planning sessions and the share with an engineer, delivery rituals and the share with product, the share
    with both sides, and product's share of the meetings called by either side."""
    config = settings()
    with transaction(open_database()) as session:
        figures = analysis.team_metrics(service.load_overlap_facts(session), config.thresholds)
    if team is not None:
        if team not in figures:
            fail(f"no active team is called {team}")
        figures = {team: figures[team]}
    if as_json:
        typer.echo(json.dumps(figures, indent=2, sort_keys=True))
        return
    typer.echo("team\trituals\tdiscovery+planning\twith engineer\tdelivery\twith product\tboth\tcalled by product")
    for name, row in figures.items():
        cells = (
            row["occurrences"],
            row["discovery_occurrences"],
            _percent(row["discovery_with_engineer"]),
            row["delivery_occurrences"],
            _percent(row["delivery_with_product"]),
            _percent(row["joint"]),
            _percent(row["organiser_product_share"]),
        )
        typer.echo("\t".join([name, *map(str, cells)]))


@app.command("pressure")
def pressure_command(
    team: str | None = typer.Option(None, "--team", help="One team (default: every team with pressure periods)."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON (the walk's metrics.pressure)."),
) -> None:
    """The pressure test: per team and measure, the figure inside pressure periods against outside them, the
    change, the samples and the p-value; FRACTURED where it moved markedly and significantly the wrong way."""
    config = settings()
    with transaction(open_database()) as session:
        facts = service.load_pressure_facts(session)
    figures = pressure.pressure_figures(facts, config.thresholds, trust_thresholds(config.thresholds))
    if team is not None:
        figures = {team: figures[team]} if team in figures else {}
    if as_json:
        typer.echo(json.dumps(figures, indent=2, sort_keys=True))
        return
    if not figures:
        out_console.print("No team has a pressure period in the window: nothing to compare.", markup=False)
    for name, row in figures.items():
        out_console.print(
            f"{name}: {row['pressure_periods']} pressure period(s), {row['pressure_days']} days under pressure",
            markup=False,
        )
        if not row["measures"]:
            out_console.print("  too little evidence on either side to compare any measure", markup=False)
        for measure, m in row["measures"].items():
            verdict = "FRACTURED" if m["fractured"] else "holds"
            out_console.print(
                f"  {measure}\toutside {m['outside']:g} (n={m['outside_n']})\tinside {m['inside']:g} "
                f"(n={m['inside_n']})\tchange {m['change']:+g}\t{_p(m['p_value'])}\t{verdict}",
                markup=False,
            )
