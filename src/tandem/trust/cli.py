"""``tandem pulse …``: open trust pulses, hand out their links, import answers, and read the released results."""

from __future__ import annotations

import csv
import getpass
import json
import os
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from tandem.cliutils import fail, open_database, out_console, settings
from tandem.db import transaction, utcnow
from tandem.org.models import Team
from tandem.org.service import team_by_name
from tandem.trust import analysis, service
from tandem.trust.instrument import Direction, Item
from tandem.trust.models import Pulse
from tandem.trust.service import Link, PulseError, PulseImportError

app = typer.Typer(help="Trust pulses: open them, hand out links, import answers, read results.", no_args_is_help=True)


def _team(session: Session, name: str) -> Team:
    team = team_by_name(session, name)
    if team is None:
        fail(f"no team is called {name}")
    return team


def _write_links(links: list[Link], out: Path) -> None:
    """The personal links as CSV (email, name, link), readable by the owner only: each link is a vote."""
    base = settings().web.public_url.rstrip("/")
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "link"])
        for link in links:
            writer.writerow([link.email, link.name, f"{base}/pulse/{link.token}"])


def _hand_out(links: list[Link], out: Path | None, team: str) -> str:
    """Send the links (``[trust] invitation_url``), or write them to ``out`` for the operator to send."""
    config = settings()
    if out is not None:
        _write_links(links, out)
        return f"{len(links)} personal link(s) in {out} (send each to its person; they cannot be shown again)"
    if config.trust.invitation_url is None:
        fail("set [trust] invitation_url to send each link to its person, or give --out FILE to write them")
    sent, failed = service.send_links(
        links, template=config.trust.invitation_url, public_url=config.web.public_url, team=team
    )
    note = f"; failed for {', '.join(failed)} (run `tandem pulse links` to re-issue)" if failed else ""
    return f"{sent} personal link(s) sent, each to its person{note}"


@app.command("open")
def open_command(
    team: str = typer.Option(..., "--team", help="The team, by name."),
    out: Path | None = typer.Option(
        None, "--out", dir_okay=False, help="Write the links here instead of sending them (CSV, owner-only)."
    ),
    days: int = typer.Option(5, "--days", min=1, max=60, help="Working days the pulse stays open."),
) -> None:
    """Open a pulse for a team: each invitee's single-use link is sent to them ([trust] invitation_url), or written
    to --out for you to send."""
    with transaction(open_database()) as session:
        try:
            pulse, links = service.open_pulse(
                session, _team(session, team), actor_label=f"cli:{getpass.getuser()}", open_working_days=days
            )
        except PulseError as error:
            fail(str(error))
        handed = _hand_out(links, out, team)
        out_console.print(
            f"Pulse {pulse.id} is open until {pulse.closes_at:%Y-%m-%d %H:%M} UTC; {handed}.", markup=False
        )


@app.command("links")
def links_command(
    pulse_id: int = typer.Argument(..., help="The pulse."),
    out: Path | None = typer.Option(None, "--out", dir_okay=False, help="Write the new links here (CSV)."),
) -> None:
    """New links for everyone who has not answered yet (their old links stop working), sent or written."""
    with transaction(open_database()) as session:
        pulse = session.get(Pulse, pulse_id) if 0 < pulse_id < 2**31 else None
        if pulse is None:
            fail(f"no pulse has the id {pulse_id}")
        if pulse.closes_at <= utcnow():
            fail(f"pulse {pulse_id} has closed: its links cannot be answered any more")
        links = service.reissue_links(session, pulse, actor_label=f"cli:{getpass.getuser()}")
        out_console.print(f"{_hand_out(links, out, session.get_one(Team, pulse.team_id).name)}.", markup=False)


@app.command("schedule")
def schedule_command(
    team: str = typer.Option(..., "--team", help="The team, by name."),
    every: int = typer.Option(10, "--every", min=1, max=130, help="Working days between pulses (10: fortnightly)."),
    days: int = typer.Option(5, "--days", min=1, help="Working days each pulse stays open."),
) -> None:
    """Open a pulse for the team every --every working days; `tandem worker` opens them and `tandem pulse links`
    hands out their links."""
    with transaction(open_database()) as session:
        try:
            row = service.schedule(
                session,
                _team(session, team),
                every_working_days=every,
                open_working_days=days,
                actor_label=f"cli:{getpass.getuser()}",
            )
        except PulseError as error:
            fail(str(error))
        out_console.print(f"{team}: a pulse every {every} working days, next {row.next_at:%Y-%m-%d}.", markup=False)


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="Answers (CSV)."),
) -> None:
    """Import answers collected elsewhere: all or nothing; the same answers again add nothing."""
    try:
        with transaction(open_database()) as session:
            report = service.import_answers(
                session, file.read_bytes(), name=str(file), actor_label=f"cli:{getpass.getuser()}"
            )
    except PulseImportError as error:
        for problem in error.problems:
            typer.echo(problem, err=True)
        fail(f"{len(error.problems)} problem(s) found; nothing was written")
    out_console.print(
        f"Imported {file.name}: {report.pulses_created} pulse(s), {report.responses} response(s), {report.answers} "
        f"answer(s); {report.pulses_already_imported} pulse(s) already imported.",
        markup=False,
    )


@app.command("results")
def results_command(
    team: str | None = typer.Option(None, "--team", help="One team (default: every team with released results)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The released results: per team and direction, the trust index with its interval, response rate, alpha and
    trend. Groups under the minimum size are absent, for everyone, admins included."""
    config = settings()
    with transaction(open_database()) as session:
        facts = service.load_trust_facts(session)
        figures = analysis.trust_metrics(facts, service.trust_thresholds(config.thresholds))
    if team is not None:
        figures = {team: figures[team]} if team in figures else {}
    if as_json:
        typer.echo(json.dumps(figures, indent=2, sort_keys=True))
        return
    if not figures:
        out_console.print(
            f"No results to show: no group has {config.thresholds.min_group_size} or more respondents.", markup=False
        )
    for name, directions in sorted(figures.items()):
        for direction, row in sorted(directions.items()):
            trend = row.get("trend")
            out_console.print(
                f"{name}\t{direction}\t{row['trust_index']} [{row['ci_low']}, {row['ci_high']}]\t"
                f"n={row['respondents']}\trate={row['response_rate']}"
                + (f"\ttrend {trend['slope_per_pulse']:+} a pulse (p={trend['p_value']})" if trend else ""),
                markup=False,
            )


@app.command("item")
def item_command(
    item_id: str = typer.Option(..., "--id", help="lower_case id, unique."),
    subscale: str = typer.Option(..., "--subscale", help="An existing subscale, or a new one with --new-subscale."),
    product_text: str = typer.Option(..., "--product-text", help="What product respondents read (about engineering)."),
    engineering_text: str = typer.Option(..., "--engineering-text", help="What engineering respondents read."),
    reverse: bool = typer.Option(False, "--reverse", help="Agreement means less trust (scored 8 - answer)."),
    new_subscale: bool = typer.Option(False, "--new-subscale"),
) -> None:
    """Add a custom item: a new instrument version, used by pulses opened from now on."""
    item = Item(
        item_id,
        subscale,
        {Direction.PRODUCT_TO_ENGINEERING: product_text, Direction.ENGINEERING_TO_PRODUCT: engineering_text},
        reverse,
    )
    with transaction(open_database()) as session:
        try:
            extended = service.add_custom_item(
                session, item, actor_label=f"cli:{getpass.getuser()}", new_subscale=new_subscale
            )
        except PulseError as error:
            fail(str(error))
    out_console.print(f"Instrument version {extended.version}: {', '.join(extended.item_ids)}.", markup=False)
