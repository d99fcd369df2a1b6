"""The outbox's two halves: ``enqueue`` writes with the caller's change, ``deliver_due`` sends exactly once.

Delivery runs in three steps so that no transaction is ever held open across the network:

1. claim due rows in a short transaction (``claimed_by``/``claimed_until`` is a lease, so a crashed worker's rows
   become due again once it runs out);
2. send each claimed row with Apprise, outside any transaction;
3. record the outcome in a short transaction, only if this worker still holds the lease it took.

Two workers running at once never claim the same row, so each notification is sent once. The guarantee assumes
each worker has its own name and that a send finishes well inside the lease; a worker that dies between sending
and recording leaves a row that is sent again after its lease ends (at-least-once in a crash, never twice
otherwise). A notification is one message to every configured URL: if one URL fails the whole message is retried,
so the URLs that succeeded see it again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import apprise
from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from tandem.config import NotificationSettings
from tandem.db import is_sqlite, transaction, utcnow
from tandem.notifications.models import Notification

logger = logging.getLogger("tandem.notifications")


def enqueue(
    session: Session,
    *,
    topic: str,
    title: str,
    body: str,
    subject: str | None = None,
    recipients: Sequence[str] = (),
) -> Notification:
    """Add a pending notification in the caller's transaction (no commit): it exists only if the change does."""
    notification = Notification(
        created_at=utcnow(),
        topic=topic,
        subject=subject,
        title=title,
        body=body,
        recipients=list(recipients),
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(notification)
    session.flush()
    return notification


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver_due`` call did; ``retried`` rows failed but will be tried again."""

    sent: int
    retried: int
    failed: int


def deliver_due(
    engine: Engine,
    settings: NotificationSettings,
    *,
    worker: str,
    now: datetime | None = None,
    batch: int = 50,
    lease: timedelta = timedelta(minutes=5),
) -> DeliveryReport:
    """Send up to ``batch`` due notifications; safe to run from several workers at once.

    ``worker`` must be unique among concurrent workers: it is the lease's owner. With no URLs configured the
    rows are marked sent without sending anything, so an installation without channels does not pile up a
    backlog that would all go out the day a URL is added.
    """
    now = now or utcnow()
    claimed = _claim(engine, worker=worker, now=now, batch=batch, lease=lease)
    sent = retried = failed = 0
    for notification in claimed:
        error = _send(settings.urls, notification)
        outcome = _record(engine, notification, settings, worker=worker, now=now, error=error)
        sent += outcome == "sent"
        retried += outcome == "pending"
        failed += outcome == "failed"
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


def pending_count(session: Session) -> int:
    """Notifications not yet sent (including those waiting for a retry), for the admin view."""
    return session.scalar(select(func.count()).select_from(Notification).where(Notification.status == "pending")) or 0


def recent(session: Session, limit: int = 50) -> list[Notification]:
    """Newest first, whatever their status, for the admin view."""
    return list(session.scalars(select(Notification).order_by(Notification.id.desc()).limit(limit)))


def _claim(engine: Engine, *, worker: str, now: datetime, batch: int, lease: timedelta) -> list[Notification]:
    """Take a lease on due rows that no other worker holds; returns detached rows that stay readable."""
    until = now + lease
    due = and_(
        Notification.status == "pending",
        Notification.next_attempt_at <= now,
        or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
    )
    oldest_first = select(Notification).where(due).order_by(Notification.next_attempt_at, Notification.id)
    with transaction(engine) as session:
        if not is_sqlite(engine):
            # Rows another worker has locked are skipped rather than waited for, so the workers share the backlog.
            rows = list(session.scalars(oldest_first.limit(batch).with_for_update(skip_locked=True)))
            for row in rows:
                row.claimed_by, row.claimed_until = worker, until
            return rows
        # SQLite has no row locks but serialises writers: the conditional UPDATE re-checks the row under the
        # write lock, so of two workers that both saw a row as due only the first one's update matches.
        candidates = list(session.scalars(oldest_first.with_only_columns(Notification.id).limit(batch)))
        connection = session.connection()
        won = [
            row_id
            for row_id in candidates
            if connection.execute(
                update(Notification)
                .where(Notification.id == row_id, due)
                .values(claimed_by=worker, claimed_until=until)
            ).rowcount
            == 1
        ]
        if not won:
            return []
        return list(session.scalars(select(Notification).where(Notification.id.in_(won)).order_by(Notification.id)))


def _send(urls: Sequence[str], notification: Notification) -> str | None:
    """Send to every URL; ``None`` on success, else why not (Apprise's own warnings when it gave any)."""
    if not urls:
        return None
    body = notification.body
    if notification.recipients:
        body = f"{body}\n\nFor: {', '.join(notification.recipients)}"
    # Sequential sending keeps Apprise's log records on this thread, where _apprise_errors can pick them out.
    sender = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
    for index, url in enumerate(urls):
        if not sender.add(url):  # the URL itself is not repeated: it often carries a token
            return f"notifications.urls[{index}] is not a valid Apprise URL"
    with _apprise_errors() as errors:
        try:
            ok = sender.notify(title=notification.title, body=body)
        except Exception as error:  # a plugin bug must not stop the batch: it is a failed attempt like any other
            return f"{type(error).__name__}: {error}"
    if ok:
        return None
    return "; ".join(errors) or "Apprise reported a failed delivery"


@contextmanager
def _apprise_errors() -> Iterator[list[str]]:
    """Collect Apprise's warnings from this thread only, so concurrent workers' errors do not mix."""
    messages: list[str] = []
    thread = threading.get_ident()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == thread:
                messages.append(record.getMessage())

    handler = Collect(logging.WARNING)
    apprise_logger = logging.getLogger("apprise")
    apprise_logger.addHandler(handler)
    try:
        yield messages
    finally:
        apprise_logger.removeHandler(handler)


def _record(
    engine: Engine,
    notification: Notification,
    settings: NotificationSettings,
    *,
    worker: str,
    now: datetime,
    error: str | None,
) -> str | None:
    """Write the outcome if the lease is still ours; returns the new status, or ``None`` if the lease was lost."""
    values: dict[str, Any]
    if error is None:
        status, values = "sent", {"sent_at": now}
    else:
        attempts = notification.attempts + 1
        status = "failed" if attempts >= settings.max_attempts else "pending"
        delay = timedelta(seconds=settings.backoff_seconds * 2 ** (attempts - 1))
        values = {"attempts": attempts, "last_error": error, "next_attempt_at": now + delay}
    with transaction(engine) as session:
        matched = (
            session.connection()
            .execute(
                update(Notification)
                .where(
                    Notification.id == notification.id,
                    Notification.status == "pending",
                    Notification.claimed_by == worker,
                    Notification.claimed_until == notification.claimed_until,
                )
                .values(status=status, claimed_by=None, claimed_until=None, **values)
            )
            .rowcount
        )
    if matched != 1:
        logger.warning("notification %s: lease expired before its outcome was recorded", notification.id)
        return None
    if error is not None:
        logger.warning("notification %s: attempt %s failed: %s", notification.id, values["attempts"], error)
    return status
