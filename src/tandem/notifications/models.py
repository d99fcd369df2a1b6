"""The outbox: a notification is a row written in the same transaction as the change it announces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db import Base, UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    topic: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(200))
    """What it is about, e.g. ``decision:42``."""
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(default=list)
    """Person ids it concerns (shown in the message; channels come from the settings)."""
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending → sent, or failed after the last attempt."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
