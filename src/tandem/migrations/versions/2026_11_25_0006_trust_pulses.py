"""Trust pulses: instrument versions, schedules, pulses, invitations and anonymous responses.

Revision ID: 2026_11_25_0006
Revises: 2026_11_25_0005
Create Date: 2026-11-25 17:23:41.759612
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tandem.db import UTCDateTime

revision = "2026_11_25_0006"
down_revision = "2026_11_25_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pulse_instruments",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("new_subscales", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_pulse_instruments")),
    )
    op.create_table(
        "pulse_keys",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_keys")),
    )
    op.create_table(
        "pulse_schedules",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("every_working_days", sa.Integer(), nullable=False),
        sa.Column("open_working_days", sa.Integer(), nullable=False),
        sa.Column("next_at", UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_pulse_schedules_team_id_teams")),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_pulse_schedules")),
    )
    op.create_table(
        "pulses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("instrument_version", sa.Integer(), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("import_key", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_version"],
            ["pulse_instruments.version"],
            name=op.f("fk_pulses_instrument_version_pulse_instruments"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_pulses_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulses")),
        sa.UniqueConstraint("import_key", name=op.f("uq_pulses_import_key")),
    )
    with op.batch_alter_table("pulses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulses_team_id"), ["team_id"], unique=False)

    op.create_table(
        "pulse_comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["pulse_id"], ["pulses.id"], name=op.f("fk_pulse_comments_pulse_id_pulses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_comments")),
    )
    with op.batch_alter_table("pulse_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulse_comments_pulse_id"), ["pulse_id"], unique=False)

    op.create_table(
        "pulse_invitations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=128), nullable=False),
        sa.Column("direction", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_pulse_invitations_person_id_people")),
        sa.ForeignKeyConstraint(["pulse_id"], ["pulses.id"], name=op.f("fk_pulse_invitations_pulse_id_pulses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_invitations")),
        sa.UniqueConstraint("pulse_id", "person_id", name=op.f("uq_pulse_invitations_pulse_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pulse_invitations_token_hash")),
    )
    with op.batch_alter_table("pulse_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulse_invitations_pulse_id"), ["pulse_id"], unique=False)

    op.create_table(
        "pulse_respondent_marks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["pulse_id"], ["pulses.id"], name=op.f("fk_pulse_respondent_marks_pulse_id_pulses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_respondent_marks")),
        sa.UniqueConstraint("pulse_id", "mark", name=op.f("uq_pulse_respondent_marks_pulse_id")),
    )
    with op.batch_alter_table("pulse_respondent_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulse_respondent_marks_pulse_id"), ["pulse_id"], unique=False)

    op.create_table(
        "pulse_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=32), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["pulse_id"], ["pulses.id"], name=op.f("fk_pulse_responses_pulse_id_pulses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_responses")),
    )
    with op.batch_alter_table("pulse_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulse_responses_pulse_id"), ["pulse_id"], unique=False)

    op.create_table(
        "pulse_answers",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"], ["pulse_responses.id"], name=op.f("fk_pulse_answers_response_id_pulse_responses")
        ),
        sa.PrimaryKeyConstraint("response_id", "item_id", name=op.f("pk_pulse_answers")),
    )


def downgrade() -> None:
    op.drop_table("pulse_answers")
    with op.batch_alter_table("pulse_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_responses_pulse_id"))

    op.drop_table("pulse_responses")
    with op.batch_alter_table("pulse_respondent_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_respondent_marks_pulse_id"))

    op.drop_table("pulse_respondent_marks")
    with op.batch_alter_table("pulse_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_invitations_pulse_id"))

    op.drop_table("pulse_invitations")
    with op.batch_alter_table("pulse_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_comments_pulse_id"))

    op.drop_table("pulse_comments")
    with op.batch_alter_table("pulses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulses_team_id"))

    op.drop_table("pulses")
    op.drop_table("pulse_schedules")
    op.drop_table("pulse_keys")
    op.drop_table("pulse_instruments")
