"""What the benchmarks share: throw-away databases (a migrated SQLite file, and a migrated PostgreSQL database on the
server ``TANDEM_TEST_POSTGRES_URL`` names, created then dropped) and the median of timed runs."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from tandem.db import make_engine, normalise_url, upgrade


@contextmanager
def sqlite_database() -> Iterator[str]:
    """The URL of a fresh, migrated SQLite database in a temporary directory."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """The URL of a fresh, migrated database on the server, dropped afterwards."""
    server = normalise_url(server_url)
    name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def backends() -> list[tuple[str, Callable[[], AbstractContextManager[str]]]]:
    """SQLite always, PostgreSQL when ``TANDEM_TEST_POSTGRES_URL`` is set (said when it is not)."""
    found: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [("sqlite", sqlite_database)]
    postgres_url = os.environ.get("TANDEM_TEST_POSTGRES_URL")
    if postgres_url:
        found.append(("postgresql", lambda: postgres_database(postgres_url)))
    else:
        print("(PostgreSQL skipped: set TANDEM_TEST_POSTGRES_URL to measure it)")
    return found


def timed(work: Callable[[], object], runs: int = 3) -> tuple[float, object]:
    """The median wall time of ``runs`` calls of ``work``, and what the last one returned."""
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result
