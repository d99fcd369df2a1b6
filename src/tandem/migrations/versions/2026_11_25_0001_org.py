"""The org: people, aliases, teams and the import log.

Revision ID: 2026_11_25_0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tandem.db import UTCDateTime

revision = "2026_11_25_0001"
down_revision = None
branch_labels = None
depends_on = None

FUNCTIONS = ("product", "engineering", "design", "data", "other")


def upgrade() -> None:
    # people.team_id and teams' lead columns refer to each other: create people first, add its team FK last.
    op.create_table(
        "people",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("function", sa.Enum(*FUNCTIONS, name="function", native_enum=False, length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.String(128), nullable=True),
        sa.Column("title", sa.String(300), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["manager_id"], ["people.id"], name=op.f("fk_people_manager_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(
        "uq_people_email_active",
        "people",
        ["email"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )
    op.create_index(op.f("ix_people_manager_id"), "people", ["manager_id"])
    op.create_index(op.f("ix_people_team_id"), "people", ["team_id"])
    op.create_table(
        "person_aliases",
        sa.Column("alias", sa.String(320), nullable=False),
        sa.Column("person_id", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_person_aliases_person_id_people")),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_person_aliases")),
    )
    op.create_index(op.f("ix_person_aliases_person_id"), "person_aliases", ["person_id"])
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("product_lead_id", sa.String(128), nullable=True),
        sa.Column("engineering_lead_id", sa.String(128), nullable=True),
        sa.Column("accountable_manager_id", sa.String(128), nullable=True),
        sa.Column("jira_projects", sa.JSON(), nullable=False),
        sa.Column("github_repos", sa.JSON(), nullable=False),
        sa.Column("linear_teams", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accountable_manager_id"], ["people.id"], name=op.f("fk_teams_accountable_manager_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["engineering_lead_id"], ["people.id"], name=op.f("fk_teams_engineering_lead_id_people")
        ),
        sa.ForeignKeyConstraint(["product_lead_id"], ["people.id"], name=op.f("fk_teams_product_lead_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    with op.batch_alter_table("people") as batch:
        batch.create_foreign_key(op.f("fk_people_team_id_teams"), "teams", ["team_id"], ["id"])
    op.create_table(
        "org_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(320), nullable=False),
        sa.Column("people_file", sa.String(500), nullable=False),
        sa.Column("people_sha256", sa.String(64), nullable=False),
        sa.Column("teams_file", sa.String(500), nullable=True),
        sa.Column("teams_sha256", sa.String(64), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_imports")),
    )


def downgrade() -> None:
    op.drop_table("org_imports")
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint(op.f("fk_people_team_id_teams"), type_="foreignkey")
    op.drop_table("teams")
    op.drop_index(op.f("ix_person_aliases_person_id"), table_name="person_aliases")
    op.drop_table("person_aliases")
    op.drop_index(op.f("ix_people_team_id"), table_name="people")
    op.drop_index(op.f("ix_people_manager_id"), table_name="people")
    op.drop_index("uq_people_email_active", table_name="people")
    op.drop_table("people")
