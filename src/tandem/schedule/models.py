"""Tables of the schedule domain: ranked plans, commitments both leads sign, and imported tracker history.

Histories are append-only (the database refuses UPDATE and DELETE): plan events, commitment revisions and
their signatures, schedule changes and import records. The rows that hold "the current state" (a plan item's
rank and estimate, a commitment's revision in force) point into those histories.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db import Base, UTCDateTime, utcnow
from tandem.org.models import Team

APPEND_ONLY_TABLES = (
    "plan_events",
    "commitment_revisions",
    "commitment_signatures",
    "schedule_changes",
    "tracker_imports",
)


class Plan(Base):
    """A team's plan: how much estimated effort the team gets through in a working day."""

    __tablename__ = "plans"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(8), default="days")
    """What estimates count: "days" (working days of effort) or "points"."""
    capacity_per_day: Mapped[float] = mapped_column(Float, default=1.0)
    """Estimate units the team completes per working day (e.g. 3 engineers = 3 days of effort a day)."""
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()


class PlanItem(Base):
    """One piece of scope: product sets its rank, engineering its three-point estimate; who and when are kept."""

    __tablename__ = "plan_items"
    __table_args__ = (Index("ix_plan_items_team_rank", "team_id", "rank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    rank: Mapped[int] = mapped_column(Integer)
    """1 is the most important; ranks of a team's open items are 1..n without gaps."""
    status: Mapped[str] = mapped_column(String(16), default="open")
    """open, done or dropped; only open items are ranked and forecast."""
    optimistic: Mapped[float | None] = mapped_column(Float)
    likely: Mapped[float | None] = mapped_column(Float)
    pessimistic: Mapped[float | None] = mapped_column(Float)
    depends_on: Mapped[list[int]] = mapped_column(default=list)
    tracker_key: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ranked_by: Mapped[str] = mapped_column(String(320))
    ranked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    estimated_by: Mapped[str | None] = mapped_column(String(320))
    estimated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative idiom)


class PlanEvent(Base):
    """Who ranked, estimated, added or closed which item, when. Append-only."""

    __tablename__ = "plan_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    actor_function: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Commitment(Base):
    """A date both leads promise for a scope. In force only once both have signed its latest revision."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))
    """proposed (latest revision awaits a signature), in_force, or withdrawn."""
    latest_revision: Mapped[int] = mapped_column(Integer, default=1)
    in_force_revision: Mapped[int | None] = mapped_column(Integer)
    """The newest revision both leads signed; a pending revision leaves the previous one in force."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative idiom)

    team: Mapped[Team] = relationship()
    revisions: Mapped[list[CommitmentRevision]] = relationship(
        back_populates="commitment", order_by="CommitmentRevision.number"
    )


class CommitmentRevision(Base):
    """One proposed (date, scope, confidence). Append-only: a change is a new revision, never an edit."""

    __tablename__ = "commitment_revisions"
    __table_args__ = (UniqueConstraint("commitment_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    target_date: Mapped[date] = mapped_column(Date)
    scope: Mapped[list[int]] = mapped_column(default=list)
    """Plan item ids, in rank order when proposed."""
    confidence: Mapped[float] = mapped_column(Float)
    initiated_by: Mapped[str] = mapped_column(ForeignKey("people.id"))
    initiated_function: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="revisions")
    signatures: Mapped[list[CommitmentSignature]] = relationship(
        back_populates="revision", order_by="CommitmentSignature.id"
    )


class CommitmentSignature(Base):
    """A lead's signature on a revision, with the forecast P50 they saw when signing. Append-only.

    One per function per revision: the unique constraint is what keeps two concurrent signatures from both
    counting for the same side.
    """

    __tablename__ = "commitment_signatures"
    __table_args__ = (UniqueConstraint("revision_id", "function"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("commitment_revisions.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    function: Mapped[str] = mapped_column(String(16))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    forecast_p50: Mapped[date | None] = mapped_column(Date)
    forecast_method: Mapped[str | None] = mapped_column(String(16))
    """"estimates" or "throughput": what the P50 was computed from (None when neither was possible)."""

    revision: Mapped[CommitmentRevision] = relationship(back_populates="signatures")


class TrackerItem(Base):
    """An issue from Jira, GitHub or Linear; its completion feeds the team's throughput history."""

    __tablename__ = "tracker_items"
    __table_args__ = (
        UniqueConstraint("source", "key"),
        Index("ix_tracker_items_team_completed", "team_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(200))
    project: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    title: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScheduleChange(Base):
    """A change to when something is due or what is in a release, with its actor and their function.

    ``field`` is one of due_date, target_date, fix_version, sprint, milestone, scope_added, scope_removed.
    ``external_id`` identifies the change in its tracker, so a re-import adds nothing twice. Append-only.
    """

    __tablename__ = "schedule_changes"
    __table_args__ = (Index("ix_schedule_changes_team_at", "team_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(8))
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    item_key: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(16))
    from_value: Mapped[str | None] = mapped_column(String(500))
    to_value: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(320))
    """The tracker's own name for the actor (e-mail, account id or login), as exported."""
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    function: Mapped[str | None] = mapped_column(String(16))
    """The actor's function when the change was imported (None for an unknown actor)."""
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class TrackerImport(Base):
    """One applied tracker import: what was read, what was added, and which actors no one could be matched to."""

    __tablename__ = "tracker_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(1000))
    imported_by: Mapped[str] = mapped_column(String(320))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    unknown_actors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Actor -> how many of their changes were kept without a person (and so without a function)."""
    unmapped_projects: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Project / repo / Linear team -> items that belong to no team in the teams file."""
