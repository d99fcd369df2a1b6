"""``tandem worker``: the background jobs — decisions' automatic escalation, then the notification outbox.

Run one (or more: claims make delivery exactly-once, version checks make escalation race-free) next to
``tandem serve``. ``--once`` runs a single pass, for cron or tests.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from tandem.cliutils import open_database, out_console, settings
from tandem.config import Settings
from tandem.db import retrying
from tandem.decisions.service import escalate_overdue
from tandem.notifications.service import deliver_due


@dataclass(frozen=True)
class Pass:
    escalated: list[int]
    sent: int
    retried: int
    failed: int


def run_pass(engine: Engine, config: Settings, *, worker: str) -> Pass:
    escalated = retrying(engine, lambda session: escalate_overdue(session, settings=config.decisions))
    report = deliver_due(engine, config.notifications, worker=worker)
    return Pass(escalated, report.sent, report.retried, report.failed)


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
        if once or result.escalated or result.sent or result.retried or result.failed:
            out_console.print(
                f"escalated {len(result.escalated)} decision(s); notifications: {result.sent} sent, "
                f"{result.retried} to retry, {result.failed} failed",
                markup=False,
            )
        if once:
            return
        time.sleep(interval)
