"""Alembic environment: runs on the connection Tandem hands it (or the configured URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import tandem.models  # noqa: F401  (registers every table on Base.metadata)
from tandem.db import Base, make_engine

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not configured"
    with make_engine(url).begin() as new_connection:
        _run(new_connection)
