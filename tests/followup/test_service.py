"""Snapshots and actions on both databases, and the follow-through it exists for: two walks with planted fixes."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from factories import load_org
from followup.factories import (
    GROWTH_GAP,
    LEDGER_MISSING,
    MOBILE_MISSING,
    SEARCH_GAP,
    after_people,
    after_teams,
    before_people,
    before_teams,
    in_days,
)
from tandem.audit.models import AuditEvent
from tandem.config import Thresholds
from tandem.db import transaction
from tandem.followup import service
from tandem.followup.analysis import ActionStatus, FindingStatus
from tandem.followup.models import WalkAction, WalkSnapshot
from tandem.followup.service import FollowupError, StateConflictError
from tandem.walk.service import run_walk


def walk_and_save(engine: Engine) -> int:
    with transaction(engine) as session:
        return service.save_snapshot(session, report=run_walk(session, Thresholds()), taken_by="test").id


def take_action(engine: Engine, finding_id: str, snapshot_id: int, owner: str = "pm2") -> int:
    with transaction(engine) as session:
        snapshot = session.get_one(WalkSnapshot, snapshot_id)
        finding = service.finding_in(service.report_of(snapshot), finding_id)
        assert finding is not None
        return service.create_action(
            session, finding=finding, owner=owner, due=in_days(14), actor="test", snapshot_id=snapshot_id
        ).id


@pytest.fixture
def planted(engine: Engine) -> None:
    load_org(engine, before_people(), before_teams())


def test_a_snapshot_keeps_the_walk_whole(engine: Engine, planted: None) -> None:
    with transaction(engine) as session:
        report = run_walk(session, Thresholds())
        snapshot_id = service.save_snapshot(session, report=report, taken_by="cli:me").id
    with transaction(engine) as session:
        snapshot = session.get_one(WalkSnapshot, snapshot_id)
        assert service.report_of(snapshot) == report
        assert snapshot.report == json.loads(report.model_dump_json())
        assert (snapshot.findings, snapshot.by_practice, snapshot.taken_by) == (3, {"equal_power": 3}, "cli:me")
        assert snapshot.sha256 == service.canonical_sha256(report.model_dump(mode="json"))
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "walk.snapshot")).one()
        assert (event.actor, event.entity_id, event.after["findings"]) == ("cli:me", str(snapshot_id), 3)


def test_snapshots_are_append_only(engine: Engine, planted: None) -> None:
    walk_and_save(engine)
    for statement in ("UPDATE walk_snapshots SET findings = 0", "DELETE FROM walk_snapshots"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))


def test_two_walks_with_planted_fixes(engine: Engine, planted: None) -> None:
    first = walk_and_save(engine)
    on_fixed = take_action(engine, SEARCH_GAP, first)
    on_left = take_action(engine, LEDGER_MISSING, first, owner="pm4@example.com")

    load_org(engine, after_people(), after_teams())  # Search's gap closed, Growth's halved, Mobile starts lopsided
    with transaction(engine) as session:
        previous = session.get_one(WalkSnapshot, first)
        comparison = service.compare_walks(
            session,
            service.report_of(previous),
            run_walk(session, Thresholds()),
            previous_ref=service.snapshot_ref(previous),
        )

    assert {c.id: c.status for c in comparison.findings} == {
        SEARCH_GAP: FindingStatus.RESOLVED,
        GROWTH_GAP: FindingStatus.IMPROVED,
        LEDGER_MISSING: FindingStatus.PERSISTING,
        MOBILE_MISSING: FindingStatus.NEW,
    }
    assert {a.id: (a.finding_status, a.finding_resolved) for a in comparison.actions} == {
        on_fixed: (FindingStatus.RESOLVED, True),
        on_left: (FindingStatus.PERSISTING, False),
    }
    assert comparison.scorecards["Search"]["equal_power"].delta == 75  # 25 with a three-level gap, 100 without
    assert comparison.previous.label == f"snapshot {first}"


def test_an_action_defaults_to_the_findings_step_and_is_audited(engine: Engine, planted: None) -> None:
    first = walk_and_save(engine)
    action_id = take_action(engine, SEARCH_GAP, first)
    with transaction(engine) as session:
        action = session.get_one(WalkAction, action_id)
        finding = service.finding_in(service.report_of(session.get_one(WalkSnapshot, first)), SEARCH_GAP)
        assert finding is not None
        assert (action.team, action.owner_id, action.status, action.step, action.title, action.finding_kind) == (
            "Search",
            "pm2",
            ActionStatus.OPEN,
            finding.recommendation.step,
            finding.title,
            "power_gap",
        )
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "action.create")).one()
        assert (event.entity, event.entity_id, event.after["owner"]) == ("walk_action", str(action_id), "pm2")


@pytest.mark.parametrize(
    ("owner", "days", "message"),
    [
        ("nobody", 7, "owner: nobody active in the org is 'nobody' (by id, e-mail or alias)"),
        ("pm2", -1, "has passed; give today or a later date"),
    ],
)
def test_an_action_needs_an_active_owner_and_a_due_date_ahead(
    engine: Engine, planted: None, owner: str, days: int, message: str
) -> None:
    first = walk_and_save(engine)
    with transaction(engine) as session:
        finding = service.finding_in(service.report_of(session.get_one(WalkSnapshot, first)), SEARCH_GAP)
        assert finding is not None
        with pytest.raises(FollowupError, match=re.escape(message)):
            service.create_action(session, finding=finding, owner=owner, due=in_days(days), actor="test")


def test_an_action_closes_once(engine: Engine, planted: None) -> None:
    action_id = take_action(engine, SEARCH_GAP, walk_and_save(engine))
    with transaction(engine) as session:
        action = session.get_one(WalkAction, action_id)
        service.close_action(session, action=action, status=ActionStatus.DONE, actor="test", note="promoted")
    with transaction(engine) as session:
        action = session.get_one(WalkAction, action_id)
        assert (action.status, action.closed_by, action.note) == (ActionStatus.DONE, "test", "promoted")
        assert action.closed_at is not None
        with pytest.raises(StateConflictError, match=f"action {action_id} is already done"):
            service.close_action(session, action=action, status=ActionStatus.DROPPED, actor="test")
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["action.create", "action.done"]


def test_actions_list_open_ones_first_by_due_date(engine: Engine, planted: None) -> None:
    first = walk_and_save(engine)
    later = take_action(engine, SEARCH_GAP, first)
    closed = take_action(engine, GROWTH_GAP, first)
    with transaction(engine) as session:
        service.close_action(
            session, action=session.get_one(WalkAction, closed), status=ActionStatus.DROPPED, actor="test"
        )
        ledger = service.finding_in(service.report_of(session.get_one(WalkSnapshot, first)), LEDGER_MISSING)
        assert ledger is not None
        sooner = service.create_action(session, finding=ledger, owner="pm4", due=in_days(3), actor="test").id
    with transaction(engine) as session:
        rows, total = service.action_listing(session)
        assert ([a.id for a in rows], total) == ([sooner, later, closed], 3)
        rows, total = service.action_listing(session, statuses=[ActionStatus.OPEN], team="search")
        assert ([a.id for a in rows], total) == ([later], 1)
