"""The outbox against a real HTTP receiver: Apprise's ``json://`` posts reach a server the test runs itself."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from http_receiver import Receiver
from tandem.config import NotificationSettings
from tandem.db import transaction, utcnow
from tandem.notifications.models import Notification
from tandem.notifications.service import DeliveryReport, deliver_due, enqueue, pending_count, recent


def settings_for(receiver: Receiver) -> NotificationSettings:
    return NotificationSettings(urls=[receiver.url], backoff_seconds=1, max_attempts=3)


def rows(engine: Engine) -> list[Notification]:
    with transaction(engine) as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_an_enqueued_notification_is_delivered_once(engine: Engine, receiver: Receiver) -> None:
    with transaction(engine) as session:
        enqueue(session, topic="decision", title="Decision opened", body="Pick a database", recipients=["p1", "p2"])
        assert pending_count(session) == 1

    report = deliver_due(engine, settings_for(receiver), worker="w1")

    assert report == DeliveryReport(sent=1, retried=0, failed=0)
    assert len(receiver.received) == 1
    assert receiver.received[0]["title"] == "Decision opened"
    assert receiver.received[0]["message"].startswith("Pick a database")
    assert "p1, p2" in receiver.received[0]["message"]
    [row] = rows(engine)
    assert (row.status, row.claimed_by, row.claimed_until) == ("sent", None, None)
    assert row.sent_at is not None
    assert deliver_due(engine, settings_for(receiver), worker="w1") == DeliveryReport(0, 0, 0)
    assert len(receiver.received) == 1
    with transaction(engine) as session:
        assert pending_count(session) == 0
        assert [n.title for n in recent(session)] == ["Decision opened"]


def test_a_rolled_back_notification_is_never_delivered(engine: Engine, receiver: Receiver) -> None:
    with pytest.raises(RuntimeError), transaction(engine) as session:
        enqueue(session, topic="decision", title="Never", body="the change failed")
        raise RuntimeError("the change this announced failed")

    assert deliver_due(engine, settings_for(receiver), worker="w1") == DeliveryReport(0, 0, 0)
    assert receiver.received == []
    assert rows(engine) == []


def test_two_concurrent_workers_deliver_each_notification_exactly_once(engine: Engine, receiver: Receiver) -> None:
    titles = [f"note {i}" for i in range(40)]
    with transaction(engine) as session:
        for title in titles:
            enqueue(session, topic="t", title=title, body="b")
    settings = settings_for(receiver)
    start = threading.Barrier(2)
    reports: dict[str, list[DeliveryReport]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def work(worker: str) -> None:
        try:
            start.wait()
            while True:
                report = deliver_due(engine, settings, worker=worker, batch=5)
                reports[worker].append(report)
                if report == DeliveryReport(0, 0, 0):
                    return
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(name,)) for name in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(receiver.titles()) == sorted(titles)
    assert sum(report.sent for worker in reports.values() for report in worker) == 40
    assert {row.status for row in rows(engine)} == {"sent"}


def test_a_failed_send_is_retried_after_the_backoff(engine: Engine, receiver: Receiver) -> None:
    receiver.fail_first = 1
    with transaction(engine) as session:
        enqueue(session, topic="t", title="Flaky", body="b")
    settings = settings_for(receiver)
    now = utcnow()

    assert deliver_due(engine, settings, worker="w1", now=now) == DeliveryReport(sent=0, retried=1, failed=0)
    [row] = rows(engine)
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 1, None)
    assert row.next_attempt_at == now + timedelta(seconds=1)
    assert row.last_error is not None and "500" in row.last_error

    assert deliver_due(engine, settings, worker="w1", now=now + timedelta(milliseconds=999)) == DeliveryReport(0, 0, 0)
    assert receiver.requests == 1

    assert deliver_due(engine, settings, worker="w1", now=now + timedelta(seconds=1)) == DeliveryReport(1, 0, 0)
    assert receiver.titles() == ["Flaky"]
    [row] = rows(engine)
    assert (row.status, row.attempts) == ("sent", 1)


def test_a_notification_fails_for_good_after_max_attempts(engine: Engine, receiver: Receiver) -> None:
    receiver.fail_first = 1000
    with transaction(engine) as session:
        enqueue(session, topic="t", title="Doomed", body="b")
    settings = settings_for(receiver)
    now = utcnow()

    reports = [
        deliver_due(engine, settings, worker="w1", now=now + timedelta(seconds=offset)) for offset in (0, 1, 3, 100)
    ]

    assert reports == [
        DeliveryReport(0, 1, 0),
        DeliveryReport(0, 1, 0),
        DeliveryReport(0, 0, 1),
        DeliveryReport(0, 0, 0),
    ]
    assert receiver.requests == 3
    [row] = rows(engine)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 3, None)
    assert row.last_error is not None and "500" in row.last_error
    with transaction(engine) as session:
        assert pending_count(session) == 0


def test_without_urls_rows_are_marked_sent_and_nothing_is_sent(engine: Engine, receiver: Receiver) -> None:
    with transaction(engine) as session:
        enqueue(session, topic="t", title="Nowhere", body="b")
        enqueue(session, topic="t", title="Nowhere either", body="b")

    report = deliver_due(engine, NotificationSettings(urls=[]), worker="w1")

    assert report == DeliveryReport(sent=2, retried=0, failed=0)
    assert receiver.requests == 0
    assert {row.status for row in rows(engine)} == {"sent"}
