"""Tables of the decisions domain. A decision's history is its append-only event list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db import Base, UTCDateTime, utcnow
from tandem.decisions.facts import DecisionState, Factor, Stance
from tandem.org.models import Team


def _enum(kind: type[Factor] | type[DecisionState] | type[Stance], length: int) -> Enum:
    return Enum(kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    context: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[list[str]] = mapped_column(default=list)
    links: Mapped[list[str]] = mapped_column(default=list)
    state: Mapped[DecisionState] = mapped_column(_enum(DecisionState, 16), index=True)
    decide_by: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_reason: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When both leads agreed, or the accountable manager decided."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    chosen_option: Mapped[str | None] = mapped_column(String(200))
    rationale: Mapped[str | None] = mapped_column(Text)
    stated_preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Imported ``{person_id: option}`` preferences, where a log recorded them without sign-offs."""
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative idiom)

    team: Mapped[Team] = relationship()
    scores: Mapped[list[DecisionScore]] = relationship(back_populates="decision", order_by="DecisionScore.id")
    signoffs: Mapped[list[DecisionSignoff]] = relationship(back_populates="decision", order_by="DecisionSignoff.id")
    events: Mapped[list[DecisionEvent]] = relationship(back_populates="decision", order_by="DecisionEvent.id")


class DecisionScore(Base):
    """One lead's score (-2 to +2) of one option on one factor, with a one-line rationale; the latest counts."""

    __tablename__ = "decision_scores"
    __table_args__ = (UniqueConstraint("decision_id", "person_id", "option", "factor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    option: Mapped[str] = mapped_column(String(200))
    factor: Mapped[Factor] = mapped_column(_enum(Factor, 32))
    score: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(String(300), default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="scores")


class DecisionSignoff(Base):
    """A lead's sign-off: the option they sign, agreeing or disagreeing and committing."""

    __tablename__ = "decision_signoffs"
    __table_args__ = (UniqueConstraint("decision_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    option: Mapped[str] = mapped_column(String(200))
    stance: Mapped[Stance] = mapped_column(_enum(Stance, 24))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="signoffs")


class DecisionEvent(Base):
    """Who did what to a decision, when. Append-only: the database refuses UPDATE and DELETE."""

    __tablename__ = "decision_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[DecisionState] = mapped_column(_enum(DecisionState, 16))
    """The decision's state after this event."""
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    decision: Mapped[Decision] = relationship(back_populates="events")
