"""Tables of the constraints board. A constraint's history is its append-only event list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.constraints.facts import ConstraintKind, ConstraintState
from tandem.db import Base, UTCDateTime, utcnow
from tandem.org.models import Team

APPEND_ONLY_TABLES = ("constraint_events",)
"""Tables the database refuses to UPDATE or DELETE (triggers in the migration)."""


def _enum(kind: type[ConstraintKind] | type[ConstraintState]) -> Enum:
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Constraint(Base):
    """One person's constraint on a team: what they are short of, what would help, and how it was met."""

    __tablename__ = "team_constraints"
    __table_args__ = (Index("ix_team_constraints_team_posted", "team_id", "posted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    kind: Mapped[ConstraintKind] = mapped_column(_enum(ConstraintKind))
    text: Mapped[str] = mapped_column(Text)
    help: Mapped[str] = mapped_column(Text, default="")
    """What would help, in the poster's words."""
    posted_by: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    function: Mapped[str] = mapped_column(String(16))
    """The side the poster speaks for: their lead seat on the team, else their function, when it was posted."""
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[ConstraintState] = mapped_column(_enum(ConstraintState), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    resolved_jointly: Mapped[bool | None] = mapped_column(Boolean)
    """Acknowledged by the counterpart before it was resolved: both sides took part."""
    resolution: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(320))
    """Who recorded it: ``user:EMAIL``, ``cli:USER as ID`` or ``import:FILE``."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative idiom)

    team: Mapped[Team] = relationship()
    events: Mapped[list[ConstraintEvent]] = relationship(back_populates="constraint", order_by="ConstraintEvent.id")


class ConstraintEvent(Base):
    """Who did what to a constraint, when. Append-only: the database refuses UPDATE and DELETE."""

    __tablename__ = "constraint_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    constraint_id: Mapped[int] = mapped_column(ForeignKey("team_constraints.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(16))
    """posted, acknowledged, resolved or imported."""
    state: Mapped[ConstraintState] = mapped_column(_enum(ConstraintState))
    """The constraint's state after this event."""
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    constraint: Mapped[Constraint] = relationship(back_populates="events")
