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
from tandem.trust.service import open_due_pulses


@dataclass(frozen=True)
class Pass:
    escalated: list[int]
    sent: int
    retried: int
    failed: int
    pulses: list[int] = field(default_factory=list)


def _open_pulses(session: Session) -> list[int]:
    """Open the scheduled pulses that are due; the admins are told to hand out the links (tokens are never
    stored, so the worker cannot send them and the notification carries none)."""
    opened = []
    for pulse, links in open_due_pulses(session):
        enqueue(
            session,
            topic="pulse.opened",
            title=f"Trust pulse {pulse.id} is open",
            body=(
                f"{len(links)} people are invited. Run `tandem pulse links {pulse.id} --out links.csv` and send each "
                "person their own link."
            ),
            subject=f"pulse:{pulse.id}",
        )
        opened.append(pulse.id)
    return opened


def run_pass(engine: Engine, config: Settings, *, worker: str) -> Pass:
    escalated = retrying(engine, lambda session: escalate_overdue(session, settings=config.decisions))
    pulses = retrying(engine, _open_pulses)
    report = deliver_due(engine, config.notifications, worker=worker)
    return Pass(escalated, report.sent, report.retried, report.failed, pulses)


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
