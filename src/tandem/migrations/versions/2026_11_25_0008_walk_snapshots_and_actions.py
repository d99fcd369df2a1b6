"""Follow-through: every saved walk (append-only history) and the actions taken on its findings.

Revision ID: 2026_11_25_0008
Revises: 2026_11_25_0007
Create Date: 2026-11-25 20:35:03.845405
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tandem.db import UTCDateTime

revision = "2026_11_25_0008"
down_revision = "2026_11_25_0007"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("walk_snapshots",)
"""A copy, not an import: a migration must not change when the model module does."""


def upgrade() -> None:
    op.create_table(
        "walk_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("taken_by", sa.String(length=320), nullable=False),
        sa.Column("tandem_version", sa.String(length=64), nullable=False),
        sa.Column("generated_at", UTCDateTime(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("by_practice", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_snapshots")),
    )
    with op.batch_alter_table("walk_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_walk_snapshots_taken_at"), ["taken_at"], unique=False)

    op.create_table(
        "walk_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("finding_id", sa.String(length=128), nullable=False),
        sa.Column("finding_kind", sa.String(length=64), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("step", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "done", "dropped", name="actionstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=320), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_walk_actions_owner_id_people")),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["walk_snapshots.id"], name=op.f("fk_walk_actions_snapshot_id_walk_snapshots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_actions")),
    )
    with op.batch_alter_table("walk_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_walk_actions_finding_id"), ["finding_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_walk_actions_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_walk_actions_snapshot_id"), ["snapshot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_walk_actions_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_walk_actions_team"), ["team"], unique=False)

    # Snapshots are history: the database refuses to change or remove one.
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

    with op.batch_alter_table("walk_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_walk_actions_team"))
        batch_op.drop_index(batch_op.f("ix_walk_actions_status"))
        batch_op.drop_index(batch_op.f("ix_walk_actions_snapshot_id"))
        batch_op.drop_index(batch_op.f("ix_walk_actions_owner_id"))
        batch_op.drop_index(batch_op.f("ix_walk_actions_finding_id"))

    op.drop_table("walk_actions")
    with op.batch_alter_table("walk_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_walk_snapshots_taken_at"))

    op.drop_table("walk_snapshots")
