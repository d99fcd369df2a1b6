"""Decisions (records, scores, sign-offs, append-only events) and the notification outbox.

Revision ID: 2026_11_25_0003
Revises: 2026_11_25_0002
Create Date: 2026-11-25 15:20:54.545023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tandem.db import UTCDateTime

revision = "2026_11_25_0003"
down_revision = "2026_11_25_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "open",
                "agreed",
                "contested",
                "escalated",
                "decided",
                "closed",
                name="decisionstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("decide_by", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=True),
        sa.Column("contested_at", UTCDateTime(), nullable=True),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.Column("escalation_reason", sa.String(length=32), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.String(length=128), nullable=True),
        sa.Column("chosen_option", sa.String(length=200), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("stated_preferences", sa.JSON(), nullable=False),
        sa.Column("import_key", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["people.id"], name=op.f("fk_decisions_decided_by_id_people")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_decisions_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("import_key", name=op.f("uq_decisions_import_key")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_team_id"), ["team_id"], unique=False)

    op.create_table(
        "decision_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "open",
                "agreed",
                "contested",
                "escalated",
                "decided",
                "closed",
                name="decisionstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_events_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_events")),
    )
    with op.batch_alter_table("decision_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_events_decision_id"), ["decision_id"], unique=False)

    op.create_table(
        "decision_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=128), nullable=False),
        sa.Column("option", sa.String(length=200), nullable=False),
        sa.Column(
            "factor",
            sa.Enum(
                "user_experience",
                "product_clarity",
                "system_robustness",
                "future_maintainability",
                "team_morale",
                name="factor",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.String(length=300), nullable=False),
        sa.Column("scored_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_scores_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_decision_scores_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_scores")),
        sa.UniqueConstraint(
            "decision_id", "person_id", "option", "factor", name=op.f("uq_decision_scores_decision_id")
        ),
    )
    with op.batch_alter_table("decision_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_scores_decision_id"), ["decision_id"], unique=False)

    op.create_table(
        "decision_signoffs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=128), nullable=False),
        sa.Column("option", sa.String(length=200), nullable=False),
        sa.Column(
            "stance",
            sa.Enum("agree", "disagree_and_commit", name="stance", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_signoffs_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_decision_signoffs_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_signoffs")),
        sa.UniqueConstraint("decision_id", "person_id", name=op.f("uq_decision_signoffs_decision_id")),
    )
    with op.batch_alter_table("decision_signoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_signoffs_decision_id"), ["decision_id"], unique=False)

    # A decision's history is append-only: the database refuses to change or remove an event.
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION decision_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'decision_events is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER decision_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON decision_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION decision_events_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER decision_events_no_{verb.lower()} BEFORE {verb} ON decision_events "
                "BEGIN SELECT RAISE(ABORT, 'decision_events is append-only'); END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER decision_events_append_only ON decision_events")
        op.execute("DROP FUNCTION decision_events_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER decision_events_no_{verb}")
    with op.batch_alter_table("decision_signoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_signoffs_decision_id"))

    op.drop_table("decision_signoffs")
    with op.batch_alter_table("decision_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_scores_decision_id"))

    op.drop_table("decision_scores")
    with op.batch_alter_table("decision_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_events_decision_id"))

    op.drop_table("decision_events")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_team_id"))
        batch_op.drop_index(batch_op.f("ix_decisions_state"))

    op.drop_table("decisions")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_due")

    op.drop_table("notifications")
