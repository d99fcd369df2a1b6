"""Tables of the org domain."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db import Base, UTCDateTime, utcnow


class Function(enum.StrEnum):
    """The discipline a person belongs to; every function shares one level ladder."""

    PRODUCT = "product"
    ENGINEERING = "engineering"
    DESIGN = "design"
    DATA = "data"
    OTHER = "other"


class Person(Base):
    """Someone in the org. Never deleted: a person missing from a later import becomes inactive."""

    __tablename__ = "people"
    # An inactive person's e-mail may be reused by a new record (a re-keyed HR export, a re-hire).
    __table_args__ = (
        Index(
            "uq_people_email_active",
            "email",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    function: Mapped[Function] = mapped_column(
        Enum(Function, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    level: Mapped[int] = mapped_column(Integer)
    manager_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", use_alter=True), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    aliases: Mapped[list[PersonAlias]] = relationship(back_populates="person", cascade="all, delete-orphan")


class PersonAlias(Base):
    """A tracker user name, account id or extra e-mail that belongs to one person (lower-cased)."""

    __tablename__ = "person_aliases"

    alias: Mapped[str] = mapped_column(String(320), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)

    person: Mapped[Person] = relationship(back_populates="aliases")


class Team(Base):
    """A delivery team and its two-in-a-box: a product lead and an engineering lead of equal standing."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    product_lead_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    engineering_lead_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    accountable_manager_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    jira_projects: Mapped[list[str]] = mapped_column(default=list)
    github_repos: Mapped[list[str]] = mapped_column(default=list)
    linear_teams: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product_lead: Mapped[Person | None] = relationship(foreign_keys=[product_lead_id])
    engineering_lead: Mapped[Person | None] = relationship(foreign_keys=[engineering_lead_id])
    accountable_manager: Mapped[Person | None] = relationship(foreign_keys=[accountable_manager_id])


class OrgImport(Base):
    """One applied org import: who ran it, when, the files' hashes and what changed (append-only)."""

    __tablename__ = "org_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(320))
    people_file: Mapped[str] = mapped_column(String(500))
    people_sha256: Mapped[str] = mapped_column(String(64))
    teams_file: Mapped[str | None] = mapped_column(String(500))
    teams_sha256: Mapped[str | None] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
