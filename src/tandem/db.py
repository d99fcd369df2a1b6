"""Engine, sessions, the declarative base and the migration runner.

The same code runs on SQLite (the embedded default) and PostgreSQL. On SQLite every command that needs the
schema applies pending migrations itself; on PostgreSQL that is an explicit ``tandem db upgrade``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, DateTime, Engine, MetaData, Select, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[int]: JSON,
        list[dict[str, Any]]: JSON,
    }


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that reads back as UTC on both backends (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class SchemaOutOfDateError(RuntimeError):
    """The database is behind the code's migrations and this backend does not upgrade itself."""


def is_sqlite(url_or_engine: str | Engine) -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else make_url(url_or_engine)
    return url.get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def normalise_url(url: str | URL) -> URL:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy would otherwise look for psycopg2, not installed)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL) -> Engine:
    """An engine with the pragmas SQLite needs to behave like a real database (foreign keys, WAL)."""
    engine = create_engine(normalise_url(url))
    if is_sqlite(engine):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@cache
def engine_for(url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any exception."""
    with session_factory(engine)() as session, session.begin():
        yield session


def bulk_columns(session: Session, statement: Select[*tuple[Any, ...]]) -> list[list[Any]]:
    """The statement's result as one list per selected column, in the session's transaction.

    For the walk's reads of a million rows: SQLAlchemy builds and processes a ``Row`` per row, which at that size
    costs more than the query (10 s against the driver's 4 for a year of schedule changes at 2,000 teams). Here
    SQLAlchemy executes the statement (its parameters, events and logging as usual), the driver's tuples are
    fetched from its cursor and transposed in C, and only columns whose type converts values (timestamps) are
    converted, column by column.
    """
    connection = session.connection()
    dialect = connection.dialect
    result = connection.execute(statement)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    selected = list(statement.selected_columns)
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in selected]
    del rows
    for index, column in enumerate(selected):
        convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if convert is not None:
            columns[index] = [convert(value) for value in columns[index]]
    return columns


T = TypeVar("T")


def retrying(engine: Engine, work: Callable[[Session], T], *, attempts: int = 5) -> T:
    """Run ``work`` in a transaction, again from the start when a concurrent transaction won a race on the same
    row (an optimistic version check, or a unique row inserted at the same moment). Nothing is lost: the
    retry sees the winner's change and decides anew."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction(engine) as session:
                return work(session)
        except (StaleDataError, IntegrityError):
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply pending migrations (``tandem db upgrade``)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_schema(engine: Engine) -> None:
    """Make the schema current on SQLite; on other backends refuse to run on an old schema."""
    if current_revision(engine) == head_revision(engine):
        return
    if is_sqlite(engine):
        upgrade(engine)
        return
    raise SchemaOutOfDateError(
        f"the database at {engine.url.render_as_string(hide_password=True)} is not at the current schema; "
        "run `tandem db upgrade`"
    )
