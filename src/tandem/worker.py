"""``tandem worker``: the background jobs — decisions' automatic escalation, then the notification outbox.

Run one (or more: claims make delivery exactly-once, version checks make escalation race-free) next to
``tandem serve``. ``--once`` runs a single pass, for cron or tests.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tandem.cliutils import open_database, out_console, settings
from tandem.config import Settings
from tandem.db import retrying
from tandem.decisions.service import escalate_overdue
from tandem.notifications.service import deliver_due, enqueue
from tandem.org.models import Team
from tandem.trust.service import Link, open_due_pulses, send_links


@dataclass(frozen=True)
class Pass:
    escalated: list[int]
    sent: int
    retried: int
    failed: int
    pulses: list[int] = field(default_factory=list)


def _open_pulses(session: Session) -> list[tuple[int, str, list[Link]]]:
    """Open the scheduled pulses that are due (their links are sent after the commit, see ``run_pass``)."""
    opened = []
    for pulse, links in open_due_pulses(session):
        opened.append((pulse.id, session.get_one(Team, pulse.team_id).name, links))
    return opened


def _hand_out(session: Session, config: Settings, opened: list[tuple[int, str, list[Link]]]) -> None:
    """Send each new link to its person ([trust] invitation_url); tell the admins' channels what happened,
    never with a token in it."""
    for pulse_id, team, links in opened:
        if config.trust.invitation_url:
            sent, failed = send_links(
                links, template=config.trust.invitation_url, public_url=config.web.public_url, team=team
            )
            body = f"{sent} of {len(links)} personal links sent." + (
                f" Run `tandem pulse links {pulse_id}` for: {', '.join(failed)}." if failed else ""
            )
        else:
            body = (
                f"{len(links)} people are invited. Run `tandem pulse links {pulse_id} --out links.csv` and send each "
                "person their own link (or set [trust] invitation_url to have them sent)."
            )
        enqueue(session, topic="pulse.opened", title=f"Trust pulse {pulse_id} for {team} is open", body=body,
                subject=f"pulse:{pulse_id}")  # fmt: skip


def run_pass(engine: Engine, config: Settings, *, worker: str) -> Pass:
    escalated = retrying(engine, lambda session: escalate_overdue(session, settings=config.decisions))
    opened = retrying(engine, _open_pulses)
    if opened:
        retrying(engine, lambda session: _hand_out(session, config, opened))
    report = deliver_due(engine, config.notifications, worker=worker)
    return Pass(escalated, report.sent, report.retried, report.failed, [pulse_id for pulse_id, _, _ in opened])


def worker(
    once: bool = typer.Option(False, "--once", help="Run one pass and exit."),
    interval: float = typer.Option(15.0, "--interval", min=0.1, help="Seconds between passes."),
) -> None:
    """Escalate decisions whose time-box ran out, and send pending notifications, every few seconds."""
    engine = open_database()
    config = settings()
    name = f"{socket.gethostname()}:{os.getpid()}"
    while True:
        try:
            result = run_pass(engine, config, worker=name)
        except SQLAlchemyError as error:  # a database hiccup: say so and try again next pass, never die
            if once:
                raise
            out_console.print(f"pass failed, retrying in {interval:g} s: {error}", markup=False)
            time.sleep(interval)
            continue
        if once or result.escalated or result.sent or result.retried or result.failed or result.pulses:
            out_console.print(
                f"escalated {len(result.escalated)} decision(s); opened {len(result.pulses)} pulse(s); "
                f"notifications: {result.sent} sent, "
                f"{result.retried} to retry, {result.failed} failed",
                markup=False,
            )
        if once:
            return
        time.sleep(interval)
