"""Real databases for the tests: SQLite always, PostgreSQL when ``TANDEM_TEST_POSTGRES_URL`` is set.

A PostgreSQL URL that is set but unreachable fails the run: it never turns into silent skips.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.orm import Session

from factories import load_org
from tandem.accounts.service import use_password_hasher
from tandem.config import get_settings
from tandem.constraints.models import APPEND_ONLY_TABLES as CONSTRAINT_APPEND_ONLY_TABLES
from tandem.db import Base, engine_for, make_engine, normalise_url, session_factory, upgrade
from tandem.followup.models import APPEND_ONLY_TABLES as FOLLOWUP_APPEND_ONLY_TABLES
from tandem.schedule.models import APPEND_ONLY_TABLES

pytest_plugins = ["webfixtures", "browserfixtures", "http_receiver"]

POSTGRES_URL = os.environ.get("TANDEM_TEST_POSTGRES_URL")

# argon2 at its production cost takes ~0.1 s a hash; the suite hashes hundreds of passwords, so it uses the same
# algorithm at a low cost. tests/accounts/test_service.py checks the production default separately.
use_password_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
APPEND_ONLY = (
    "audit_events",
    "decision_events",
    *APPEND_ONLY_TABLES,
    *CONSTRAINT_APPEND_ONLY_TABLES,
    *FOLLOWUP_APPEND_ONLY_TABLES,
)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away database on the configured server, migrated once for the whole run."""
    assert POSTGRES_URL is not None
    server = normalise_url(POSTGRES_URL)
    name = f"tandem_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # the run must fail, not skip, when PostgreSQL was asked for
        pytest.fail(f"TANDEM_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {error}", pytrace=False)
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    engine_for.cache_clear()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tandem.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    url: str = request.getfixturevalue("postgres_database")
    engine = engine_for(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:  # append-only tables refuse TRUNCATE unless their owner lifts the guard
        for table in APPEND_ONLY:
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for table in APPEND_ONLY:
            connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only"))
    return url


@pytest.fixture(params=BACKENDS)
def blank_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each backend with no schema at all, as a new user's would be."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    assert POSTGRES_URL is not None
    server = normalise_url(POSTGRES_URL)
    name = f"tandem_blank_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    engine_for.cache_clear()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def org(engine: Engine) -> None:
    """The small org (Payments: pm1 product lead, em1 engineering lead, both under gm) in the database."""
    load_org(engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the CLI at the test database, with no tandem.toml from the developer's working directory."""
    monkeypatch.setenv("TANDEM_DATABASE_URL", database_url)
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "tandem.toml"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def database_fingerprint(engine: Engine) -> str:
    """A hash of every row of every table: equal fingerprints mean nothing was written."""
    digest = hashlib.sha256()
    names = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name not in names:
                continue
            digest.update(table.name.encode())
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        engine.dispose()
        digest.update(Path(engine.url.database).read_bytes())
    return digest.hexdigest()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With PostgreSQL asked for, a run in which no PostgreSQL test passed is a failure, never a quiet pass."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not POSTGRES_URL or reporter is None or exitstatus != 0:
        return
    passed = [report for report in reporter.stats.get("passed", []) if "[postgresql" in report.nodeid]
    if not passed and session.testscollected:
        reporter.write_line("error: TANDEM_TEST_POSTGRES_URL is set but no PostgreSQL test passed", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
