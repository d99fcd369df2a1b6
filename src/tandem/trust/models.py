"""Tables of the trust pulses. Nothing here links an answer to a person.

- An *invitation* knows its person (to count the response rate and to re-issue a lost link) and only whether it
  was used, never when: a time would let anyone line it up with an answer.
- A *response* carries a random id, its pulse, its direction and the day it arrived; its *answers* hang off it.
- A *respondent mark* is a keyed hash of (pulse, person) kept only to refuse a second answer; it links to no
  response.
- A *comment* is free text with its pulse and direction, shown only in large groups.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db import Base, UTCDateTime, utcnow


class InstrumentVersion(Base):
    """A version of the questionnaire: version 1 is the default; each later one adds admins' custom items."""

    __tablename__ = "pulse_instruments"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    items: Mapped[list[dict[str, Any]]] = mapped_column()
    """Every item of this version: {id, subscale, text_for: {direction: text}, reverse}."""
    new_subscales: Mapped[list[str]] = mapped_column(default=list)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PulseSchedule(Base):
    """A team's recurring pulse: every N working days, open for M working days."""

    __tablename__ = "pulse_schedules"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    every_working_days: Mapped[int] = mapped_column(Integer, default=10)
    open_working_days: Mapped[int] = mapped_column(Integer, default=5)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(320))


class Pulse(Base):
    """One round of the questionnaire for one team."""

    __tablename__ = "pulses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    instrument_version: Mapped[int] = mapped_column(ForeignKey("pulse_instruments.version"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(8), default="tandem")
    """tandem (invitations sent from here) or import (answers collected elsewhere)."""
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(320))


class PulseInvitation(Base):
    """A person's single-use link to a pulse; the token is stored only as its SHA-256."""

    __tablename__ = "pulse_invitations"
    __table_args__ = (UniqueConstraint("pulse_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulses.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    direction: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class PulseRespondentMark(Base):
    """HMAC(key, pulse:person) of someone who answered: refuses a second answer, identifies no response."""

    __tablename__ = "pulse_respondent_marks"
    __table_args__ = (UniqueConstraint("pulse_id", "mark"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulses.id"), index=True)
    mark: Mapped[str] = mapped_column(String(64))


class PulseResponse(Base):
    """One anonymous submission: a random id, the direction it rates and the day it came in."""

    __tablename__ = "pulse_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulses.id"), index=True)
    direction: Mapped[str] = mapped_column(String(32))
    submitted_on: Mapped[date] = mapped_column(Date)


class PulseAnswer(Base):
    """One item's raw answer (1-7) in one response; reverse scoring happens in the analysis."""

    __tablename__ = "pulse_answers"

    response_id: Mapped[str] = mapped_column(ForeignKey("pulse_responses.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)


class PulseComment(Base):
    """Optional free text from a response, kept apart from it (no response id) and shown only in large groups."""

    __tablename__ = "pulse_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulses.id"), index=True)
    direction: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)


class PulseKey(Base):
    """The secret that keys respondent marks, made once per database (32 random bytes, hex)."""

    __tablename__ = "pulse_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(64))
