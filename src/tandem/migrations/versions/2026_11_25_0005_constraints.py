"""The constraints board: constraints people post on their team, and their append-only history.

Revision ID: 2026_11_25_0005
Revises: 2026_11_25_0004
Create Date: 2026-11-25 17:19:19.135967
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tandem.db import UTCDateTime

revision = "2026_11_25_0005"
down_revision = "2026_11_25_0004"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("constraint_events",)
"""A copy, not an import: a migration must not change when the model module does."""


def upgrade() -> None:
    op.create_table(
        "team_constraints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("overloaded", "blocked", "uncertain", name="constraintkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("help", sa.Text(), nullable=False),
        sa.Column("posted_by", sa.String(length=128), nullable=False),
        sa.Column("function", sa.String(length=16), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "acknowledged", "resolved", name="constraintstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=128), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=128), nullable=True),
        sa.Column("resolved_jointly", sa.Boolean(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("import_key", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"], ["people.id"], name=op.f("fk_team_constraints_acknowledged_by_people")
        ),
        sa.ForeignKeyConstraint(["posted_by"], ["people.id"], name=op.f("fk_team_constraints_posted_by_people")),
        sa.ForeignKeyConstraint(["resolved_by"], ["people.id"], name=op.f("fk_team_constraints_resolved_by_people")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_team_constraints_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_constraints")),
        sa.UniqueConstraint("import_key", name=op.f("uq_team_constraints_import_key")),
    )
    with op.batch_alter_table("team_constraints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_constraints_posted_by"), ["posted_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_team_constraints_state"), ["state"], unique=False)
        batch_op.create_index("ix_team_constraints_team_posted", ["team_id", "posted_at"], unique=False)

    op.create_table(
        "constraint_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("constraint_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "acknowledged", "resolved", name="constraintstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["constraint_id"],
            ["team_constraints.id"],
            name=op.f("fk_constraint_events_constraint_id_team_constraints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_constraint_events")),
    )
    with op.batch_alter_table("constraint_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_constraint_events_constraint_id"), ["constraint_id"], unique=False)

    # Histories are append-only: the database refuses to change or remove a row.
    for table in APPEND_ONLY_TABLES:
        if op.get_context().dialect.name == "postgresql":
            op.execute(
                f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade() -> None:
    for table in APPEND_ONLY_TABLES:
        if op.get_context().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION {table}_append_only()")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{verb}")

    with op.batch_alter_table("constraint_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_constraint_events_constraint_id"))

    op.drop_table("constraint_events")
    with op.batch_alter_table("team_constraints", schema=None) as batch_op:
        batch_op.drop_index("ix_team_constraints_team_posted")
        batch_op.drop_index(batch_op.f("ix_team_constraints_state"))
        batch_op.drop_index(batch_op.f("ix_team_constraints_posted_by"))

    op.drop_table("team_constraints")
