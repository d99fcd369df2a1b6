"""What every command shares: opening the configured database, and failing with a clear message."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from tandem.config import Settings, get_settings
from tandem.db import SchemaOutOfDateError, engine_for, ensure_schema

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """A user error: one clear line on stderr, no traceback, exit status 2 (1 for an unreachable service)."""
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as error:
        fail(f"invalid settings (environment or tandem.toml): {error}")


def open_database(*, migrate: bool = True) -> Engine:
    """The configured database, its schema made current (SQLite) or checked (PostgreSQL)."""
    engine = engine_for(settings().database_url)
    if migrate:
        try:
            ensure_schema(engine)
        except SchemaOutOfDateError as error:
            fail(str(error))
        except OperationalError as error:
            fail(f"cannot reach the database: {error.orig}", code=1)
    return engine


def parse_moment(value: str, option: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 time (UTC when it names no zone)."""
    text = value.strip()
    try:
        moment = (
            datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
            if len(text) == 10
            else datetime.fromisoformat(text)
        )
    except ValueError:
        fail(f"{option}: '{value}' is not a date (like 2026-03-02) or an ISO 8601 time (like 2026-03-02T09:30:00Z)")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
