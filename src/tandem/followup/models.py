"""Tables of the follow-through: saved walks (append-only history) and the actions taken on their findings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db import Base, UTCDateTime, utcnow
from tandem.followup.analysis import ActionStatus
from tandem.org.models import Person

APPEND_ONLY_TABLES = ("walk_snapshots",)
"""Tables the database refuses to UPDATE or DELETE (triggers in the migration)."""


class WalkSnapshot(Base):
    """One walk as it was reported, kept whole so later walks can be compared with it. Append-only."""

    __tablename__ = "walk_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    taken_by: Mapped[str] = mapped_column(String(320))
    """``cli:OS-USER`` for ``tandem walk``, ``user:EMAIL`` for the web app and the API."""
    tandem_version: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the walk ran (the report's ``generated_at``)."""
    findings: Mapped[int] = mapped_column(Integer)
    by_practice: Mapped[dict[str, Any]] = mapped_column()
    """Findings per practice, for lists and the trend without reading every report."""
    sha256: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the report as canonical JSON (sorted keys, no spaces)."""
    report: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    """The whole walk, exactly as ``tandem walk --format json`` prints it."""


def _status_enum() -> Enum:
    return Enum(ActionStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class WalkAction(Base):
    """A finding turned into an action: who owns it, by when, the practice step; and how it ended."""

    __tablename__ = "walk_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finding_id: Mapped[str] = mapped_column(String(128), index=True)
    finding_kind: Mapped[str] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(200), index=True)
    """The finding's first team (``None`` for an org-wide finding): its leads may manage the action."""
    title: Mapped[str] = mapped_column(Text)
    """The finding's title when the action was taken."""
    owner_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    due: Mapped[date] = mapped_column(Date)
    step: Mapped[str] = mapped_column(Text)
    """What to do: by default the finding's recommended practice step."""
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ActionStatus] = mapped_column(_status_enum(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(320))
    note: Mapped[str] = mapped_column(Text, default="")
    """Why it was dropped, or what was done (optional)."""
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("walk_snapshots.id"), index=True)
    """The snapshot the finding was taken from (``None`` when no saved snapshot held it yet)."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative idiom)

    owner: Mapped[Person] = relationship()
