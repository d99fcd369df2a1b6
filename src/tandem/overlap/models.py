"""Tables of the rituals: each occurrence of a meeting a team held, and who attended it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db import Base, UTCDateTime, utcnow
from tandem.org.models import Team
from tandem.overlap.facts import RitualKind


class RitualOccurrence(Base):
    """One meeting that took place: a single occurrence (a recurring event's instances are rows of their own)."""

    __tablename__ = "ritual_occurrences"
    __table_args__ = (Index("ix_ritual_occurrences_team_start", "team_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    kind: Mapped[RitualKind] = mapped_column(
        Enum(RitualKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    organiser_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    organiser_email: Mapped[str | None] = mapped_column(String(320))
    """The organiser as the calendar named them (kept when no one in the org matches)."""
    import_key: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the event's UID and recurrence id (.ics), or of the row's start, team, kind and organiser (CSV):
    re-importing the same occurrence updates it instead of adding it twice."""
    source: Mapped[str] = mapped_column(String(500))
    """The file it came from, as ``ics:NAME`` or ``csv:NAME``."""
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    attendances: Mapped[list[RitualAttendance]] = relationship(
        back_populates="occurrence", cascade="all, delete-orphan", order_by="RitualAttendance.person_id"
    )


class RitualAttendance(Base):
    """A person present at an occurrence (they did not decline)."""

    __tablename__ = "ritual_attendances"

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("ritual_occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)

    occurrence: Mapped[RitualOccurrence] = relationship(back_populates="attendances")


class RitualImport(Base):
    """One calendar import: what was read and what was done with it (the counts the CLI prints)."""

    __tablename__ = "ritual_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(320))
    file: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
