"""Rituals: occurrences of a team's meetings imported from calendars, their attendees, and the imports.

Revision ID: 2026_11_25_0007
Revises: 2026_11_25_0006
Create Date: 2026-11-25 19:19:48.689970
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tandem.db import UTCDateTime

revision = "2026_11_25_0007"
down_revision = "2026_11_25_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ritual_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=320), nullable=False),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ritual_imports")),
    )
    op.create_table(
        "ritual_occurrences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "discovery",
                "planning",
                "standup",
                "retro",
                "demo",
                "incident",
                "other",
                name="ritualkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.String(length=128), nullable=True),
        sa.Column("organiser_email", sa.String(length=320), nullable=True),
        sa.Column("import_key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organiser_id"], ["people.id"], name=op.f("fk_ritual_occurrences_organiser_id_people")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_ritual_occurrences_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ritual_occurrences")),
        sa.UniqueConstraint("import_key", name=op.f("uq_ritual_occurrences_import_key")),
    )
    with op.batch_alter_table("ritual_occurrences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ritual_occurrences_organiser_id"), ["organiser_id"], unique=False)
        batch_op.create_index("ix_ritual_occurrences_team_start", ["team_id", "starts_at"], unique=False)

    op.create_table(
        "ritual_attendances",
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["ritual_occurrences.id"],
            name=op.f("fk_ritual_attendances_occurrence_id_ritual_occurrences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_ritual_attendances_person_id_people")),
        sa.PrimaryKeyConstraint("occurrence_id", "person_id", name=op.f("pk_ritual_attendances")),
    )
    with op.batch_alter_table("ritual_attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ritual_attendances_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ritual_attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ritual_attendances_person_id"))

    op.drop_table("ritual_attendances")
    with op.batch_alter_table("ritual_occurrences", schema=None) as batch_op:
        batch_op.drop_index("ix_ritual_occurrences_team_start")
        batch_op.drop_index(batch_op.f("ix_ritual_occurrences_organiser_id"))

    op.drop_table("ritual_occurrences")
    op.drop_table("ritual_imports")
