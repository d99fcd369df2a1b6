"""The schedule: plans and their events, commitments with signed revisions, imported tracker history.

Revision ID: 2026_11_25_0004
Revises: 2026_11_25_0003
Create Date: 2026-11-25 16:36:21.451932
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tandem.db import UTCDateTime

revision = "2026_11_25_0004"
down_revision = "2026_11_25_0003"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = (
    "plan_events",
    "commitment_revisions",
    "commitment_signatures",
    "schedule_changes",
    "tracker_imports",
)
"""A copy, not an import: a migration must not change when the model module does."""


def upgrade() -> None:
    op.create_table(
        "tracker_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("imported_by", sa.String(length=320), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("unknown_actors", sa.JSON(), nullable=False),
        sa.Column("unmapped_projects", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_imports")),
    )
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("latest_revision", sa.Integer(), nullable=False),
        sa.Column("in_force_revision", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("import_key", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_commitments_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
        sa.UniqueConstraint("import_key", name=op.f("uq_commitments_import_key")),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_team_id"), ["team_id"], unique=False)

    op.create_table(
        "plan_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("optimistic", sa.Float(), nullable=True),
        sa.Column("likely", sa.Float(), nullable=True),
        sa.Column("pessimistic", sa.Float(), nullable=True),
        sa.Column("depends_on", sa.JSON(), nullable=False),
        sa.Column("tracker_key", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("ranked_by", sa.String(length=320), nullable=False),
        sa.Column("ranked_at", UTCDateTime(), nullable=False),
        sa.Column("estimated_by", sa.String(length=320), nullable=True),
        sa.Column("estimated_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_plan_items_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_items")),
    )
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.create_index("ix_plan_items_team_rank", ["team_id", "rank"], unique=False)

    op.create_table(
        "plans",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("capacity_per_day", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_plans_team_id_teams")),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_plans")),
    )
    op.create_table(
        "schedule_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("item_key", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("from_value", sa.String(length=500), nullable=True),
        sa.Column("to_value", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("person_id", sa.String(length=128), nullable=True),
        sa.Column("function", sa.String(length=16), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_schedule_changes_person_id_people")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_schedule_changes_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_changes")),
        sa.UniqueConstraint("external_id", name=op.f("uq_schedule_changes_external_id")),
    )
    with op.batch_alter_table("schedule_changes", schema=None) as batch_op:
        batch_op.create_index("ix_schedule_changes_team_at", ["team_id", "at"], unique=False)

    op.create_table(
        "tracker_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_tracker_items_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_items")),
        sa.UniqueConstraint("source", "key", name=op.f("uq_tracker_items_source")),
    )
    with op.batch_alter_table("tracker_items", schema=None) as batch_op:
        batch_op.create_index("ix_tracker_items_team_completed", ["team_id", "completed_at"], unique=False)

    op.create_table(
        "commitment_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("initiated_by", sa.String(length=128), nullable=False),
        sa.Column("initiated_function", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitments.id"], name=op.f("fk_commitment_revisions_commitment_id_commitments")
        ),
        sa.ForeignKeyConstraint(
            ["initiated_by"], ["people.id"], name=op.f("fk_commitment_revisions_initiated_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_revisions")),
        sa.UniqueConstraint("commitment_id", "number", name=op.f("uq_commitment_revisions_commitment_id")),
    )
    with op.batch_alter_table("commitment_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_revisions_commitment_id"), ["commitment_id"], unique=False)

    op.create_table(
        "plan_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("actor_function", sa.String(length=16), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["plan_items.id"], name=op.f("fk_plan_events_item_id_plan_items")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_plan_events_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_events")),
    )
    with op.batch_alter_table("plan_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_events_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_events_team_id"), ["team_id"], unique=False)

    op.create_table(
        "commitment_signatures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=128), nullable=False),
        sa.Column("function", sa.String(length=16), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("forecast_p50", sa.Date(), nullable=True),
        sa.Column("forecast_method", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_commitment_signatures_person_id_people")),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["commitment_revisions.id"],
            name=op.f("fk_commitment_signatures_revision_id_commitment_revisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_signatures")),
        sa.UniqueConstraint("revision_id", "function", name=op.f("uq_commitment_signatures_revision_id")),
    )
    with op.batch_alter_table("commitment_signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_signatures_revision_id"), ["revision_id"], unique=False)

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

    with op.batch_alter_table("commitment_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_signatures_revision_id"))

    op.drop_table("commitment_signatures")
    with op.batch_alter_table("plan_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_events_team_id"))
        batch_op.drop_index(batch_op.f("ix_plan_events_item_id"))

    op.drop_table("plan_events")
    with op.batch_alter_table("commitment_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_revisions_commitment_id"))

    op.drop_table("commitment_revisions")
    with op.batch_alter_table("tracker_items", schema=None) as batch_op:
        batch_op.drop_index("ix_tracker_items_team_completed")

    op.drop_table("tracker_items")
    with op.batch_alter_table("schedule_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_changes_team_at")

    op.drop_table("schedule_changes")
    op.drop_table("plans")
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_items_team_rank")

    op.drop_table("plan_items")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_team_id"))

    op.drop_table("commitments")
    op.drop_table("tracker_imports")
