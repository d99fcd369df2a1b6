"""Follow-through on the database: saving walks as snapshots, taking and closing actions, comparing walks.

Every function works in the caller's transaction (no commit here). Saving a snapshot and every step of an action
are recorded in the audit log in the same transaction. An action row carries a version, so two people closing
it at once cannot both succeed: the loser's retry finds it closed and is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from tandem.audit import service as audit
from tandem.db import utcnow
from tandem.followup.analysis import ActionFacts, ActionStatus, Comparison, WalkRef, compare
from tandem.followup.models import WalkAction, WalkSnapshot
from tandem.org.models import Person, PersonAlias
from tandem.walk.findings import Finding, WalkReport

MAX_STEP = 2_000
"""The longest an action's step or note may be."""


class FollowupError(ValueError):
    """A step that cannot be taken; the message is safe to show to the user."""


class NotFoundError(FollowupError):
    """No such snapshot, finding or action."""


class StateConflictError(FollowupError):
    """The action is no longer open (closed meanwhile)."""


# --- snapshots -------------------------------------------------------------------------------------------------


def canonical_sha256(document: Any) -> str:
    """SHA-256 of a JSON document with sorted keys and no spaces: equal documents, equal digests."""
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def save_snapshot(session: Session, *, report: WalkReport, taken_by: str, now: datetime | None = None) -> WalkSnapshot:
    """Keep a walk whole, exactly as its JSON reads, so later walks can be compared with it."""
    document = report.model_dump(mode="json")
    snapshot = WalkSnapshot(
        taken_at=now or utcnow(),
        taken_by=taken_by,
        tandem_version=report.tandem_version,
        generated_at=report.generated_at,
        findings=len(report.findings),
        by_practice=dict(sorted(Counter(f.practice.value for f in report.findings).items())),
        sha256=canonical_sha256(document),
        report=document,
    )
    session.add(snapshot)
    session.flush()
    audit.record(
        session, actor=taken_by, action="walk.snapshot", entity="walk_snapshot", entity_id=str(snapshot.id),
        after={"findings": snapshot.findings, "by_practice": snapshot.by_practice, "sha256": snapshot.sha256},
    )  # fmt: skip
    return snapshot


def get_snapshot(session: Session, snapshot_id: int) -> WalkSnapshot | None:
    return session.get(WalkSnapshot, snapshot_id) if 1 <= snapshot_id < 2**31 else None


def latest_snapshot(session: Session, *, before: int | None = None) -> WalkSnapshot | None:
    """The newest saved snapshot (before the one with id ``before``, if given)."""
    query = select(WalkSnapshot).order_by(WalkSnapshot.id.desc()).limit(1)
    if before is not None:
        query = query.where(WalkSnapshot.id < before)
    return session.scalars(query).first()


def snapshot_listing(session: Session, *, limit: int | None = None, offset: int = 0) -> tuple[list[WalkSnapshot], int]:
    """Snapshots newest first (their reports left unread), with the total count."""
    total = session.scalar(select(func.count()).select_from(WalkSnapshot)) or 0
    rows = session.scalars(select(WalkSnapshot).order_by(WalkSnapshot.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def report_of(snapshot: WalkSnapshot) -> WalkReport:
    return WalkReport.model_validate(snapshot.report)


def snapshot_ref(snapshot: WalkSnapshot) -> WalkRef:
    return WalkRef(label=f"snapshot {snapshot.id}", snapshot_id=snapshot.id, generated_at=snapshot.generated_at)


def finding_in(report: WalkReport, finding_id: str) -> Finding | None:
    return next((finding for finding in report.findings if finding.id == finding_id), None)


def latest_finding_ids(session: Session) -> tuple[WalkSnapshot | None, frozenset[str]]:
    """The latest snapshot and the ids of its findings (none without a snapshot)."""
    latest = latest_snapshot(session)
    if latest is None:
        return None, frozenset()
    return latest, frozenset(f["id"] for f in latest.report.get("findings", []))


# --- actions ---------------------------------------------------------------------------------------------------


def find_person(session: Session, who: str) -> Person | None:
    """An active person by id, e-mail (any case) or alias."""
    key = who.strip()
    if not 0 < len(key) <= 320:
        return None
    person = session.get(Person, key) if len(key) <= 128 else None
    if person is None:
        person = session.scalars(select(Person).where(func.lower(Person.email) == key.lower())).first()
    if person is None:
        alias = session.get(PersonAlias, key.lower())
        person = session.get(Person, alias.person_id) if alias else None
    return person if person is not None and person.active else None


def _clean(text: str, field: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_STEP:
        raise FollowupError(f"{field}: at most {MAX_STEP:,} characters")
    return cleaned


def _action_record(action: WalkAction) -> dict[str, Any]:
    return {
        "finding_id": action.finding_id,
        "team": action.team,
        "owner": action.owner_id,
        "due": action.due.isoformat(),
        "step": action.step,
        "status": action.status.value,
        "snapshot_id": action.snapshot_id,
        "note": action.note,
    }


def create_action(
    session: Session,
    *,
    finding: Finding,
    owner: str,
    due: date,
    actor: str,
    step: str | None = None,
    snapshot_id: int | None = None,
    today: date | None = None,
) -> WalkAction:
    """Turn a finding into an action: its owner (a person's id, e-mail or alias), due date and practice step (by
    default the finding's recommended step)."""
    person = find_person(session, owner)
    if person is None:
        raise FollowupError(f"owner: nobody active in the org is '{owner.strip()}' (by id, e-mail or alias)")
    today = today or utcnow().date()
    if due < today:
        raise FollowupError(f"due: {due.isoformat()} has passed; give today or a later date")
    chosen = _clean(step or "", "step") or finding.recommendation.step
    action = WalkAction(
        finding_id=finding.id,
        finding_kind=finding.kind,
        team=finding.scope.teams[0] if finding.scope.teams else None,
        title=finding.title,
        owner_id=person.id,
        due=due,
        step=chosen,
        created_by=actor,
        created_at=utcnow(),
        status=ActionStatus.OPEN,
        note="",
        snapshot_id=snapshot_id,
    )
    session.add(action)
    session.flush()
    audit.record(
        session, actor=actor, action="action.create", entity="walk_action", entity_id=str(action.id),
        after=_action_record(action),
    )  # fmt: skip
    return action


def close_action(
    session: Session,
    *,
    action: WalkAction,
    status: ActionStatus,
    actor: str,
    note: str = "",
    now: datetime | None = None,
) -> WalkAction:
    """Mark an open action done or dropped (a note says why or what was done)."""
    if status is ActionStatus.OPEN:
        raise FollowupError("an action is closed as done or dropped")
    if action.status is not ActionStatus.OPEN:
        raise StateConflictError(f"action {action.id} is already {action.status.value}")
    before = _action_record(action)
    action.status = status
    action.closed_at = now or utcnow()
    action.closed_by = actor
    action.note = _clean(note, "note")
    session.flush()
    audit.record(
        session, actor=actor, action=f"action.{status.value}", entity="walk_action", entity_id=str(action.id),
        before=before, after=_action_record(action),
    )  # fmt: skip
    return action


def get_action(session: Session, action_id: int) -> WalkAction | None:
    return session.get(WalkAction, action_id) if 1 <= action_id < 2**31 else None


def action_listing(
    session: Session,
    *,
    statuses: Sequence[ActionStatus] = (),
    team: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[WalkAction], int]:
    """Actions, the open ones first, each group by due date; with the total count."""
    query = select(WalkAction)
    if statuses:
        query = query.where(WalkAction.status.in_(list(statuses)))
    if team is not None:
        query = query.where(func.lower(WalkAction.team) == team.lower())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.options(selectinload(WalkAction.owner)).order_by(
        case((WalkAction.status == ActionStatus.OPEN, 0), else_=1),
        WalkAction.due.asc(),
        WalkAction.id.asc(),
    )
    return list(session.scalars(ordered.limit(limit).offset(offset)).all()), total


def action_facts(action: WalkAction) -> ActionFacts:
    return ActionFacts(
        id=action.id,
        finding_id=action.finding_id,
        title=action.title,
        team=action.team,
        owner=action.owner_id,
        owner_name=action.owner.name,
        due=action.due,
        status=action.status,
        created_at=action.created_at,
        closed_at=action.closed_at,
    )


def compare_walks(
    session: Session,
    previous: WalkReport,
    current: WalkReport,
    *,
    previous_ref: WalkRef | None = None,
    current_ref: WalkRef | None = None,
) -> Comparison:
    """Compare two walks, with the actions live between them (read here)."""
    rows = session.scalars(
        select(WalkAction)
        .options(selectinload(WalkAction.owner))
        .where(
            WalkAction.created_at <= current.generated_at,
            or_(WalkAction.closed_at.is_(None), WalkAction.closed_at >= previous.generated_at),
        )
    ).all()
    return compare(
        previous, current, previous_ref=previous_ref, current_ref=current_ref, actions=[action_facts(a) for a in rows]
    )
