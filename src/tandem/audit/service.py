"""Recording and reading the audit log. There is deliberately no function that changes or removes an event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.audit.models import AuditEvent
from tandem.db import utcnow


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction, so the write and its record stand or fall together."""
    event = AuditEvent(
        at=utcnow(), actor=actor, action=action, entity=entity, entity_id=entity_id, before=before, after=after
    )
    session.add(event)
    session.flush()
    return event


def events(session: Session, *, limit: int = 100, offset: int = 0) -> tuple[list[AuditEvent], int]:
    """Newest first, with the total count for paging."""
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total
