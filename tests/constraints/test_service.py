"""The constraints board on real databases: who may post, acknowledge and resolve, the notifications to the
counterpart lead, the append-only history, races, and the facts the walk reads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from factories import load_org, person, small_org, small_teams
from tandem.constraints import service
from tandem.constraints.facts import ConstraintKind, ConstraintState
from tandem.constraints.models import Constraint
from tandem.constraints.service import ConstraintError, NotAllowedError, StateConflictError
from tandem.db import retrying, transaction
from tandem.decisions.service import Actor
from tandem.notifications.models import Notification
from tandem.org.models import Team

S = ConstraintState
PM, EM, DEV, GM = Actor("user:pm1", "pm1"), Actor("user:em1", "em1"), Actor("user:dev1", "dev1"), Actor("user:gm", "gm")
DESIGN = Actor("user:des1", "des1")
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.fixture
def board_org(engine: Engine) -> None:
    """The small org plus a designer on Payments and an engineer on another team."""
    load_org(
        engine,
        [
            *small_org(),
            person("des1", "gm", "design", 5, team="Payments"),
            person("dev9", "cto", "engineering", 4, team="Search"),
        ],
        [*small_teams(), {"team": "Search", "product_lead": "cpo", "engineering_lead": "cto"}],
    )


def payments(session: Session) -> Team:
    return session.scalars(select(Team).where(Team.name == "Payments")).one()


def post(
    engine: Engine, actor: Actor = DEV, *, kind: ConstraintKind = ConstraintKind.BLOCKED, now: datetime = MONDAY
) -> int:
    with transaction(engine) as session:
        return service.post(
            session,
            team=payments(session),
            actor=actor,
            kind=kind,
            text="Waiting on the payments sandbox",
            help="A sandbox account by Thursday",
            now=now,
        ).id


def step(engine: Engine, constraint_id: int, action: str, actor: Actor, **extra: object) -> None:
    def work(session: Session) -> None:
        constraint = service.get(session, constraint_id)
        assert constraint is not None
        getattr(service, action)(session, constraint=constraint, actor=actor, **extra)

    retrying(engine, work)


def load(engine: Engine, constraint_id: int) -> Constraint:
    with transaction(engine) as session:
        constraint = service.get(session, constraint_id)
        assert constraint is not None
        session.expunge_all()
        return constraint


def notes(engine: Engine) -> list[tuple[str, list[str]]]:
    with transaction(engine) as session:
        return [
            (n.topic, sorted(n.recipients)) for n in session.scalars(select(Notification).order_by(Notification.id))
        ]


def test_a_member_posts_their_own_constraint(engine: Engine, board_org: None) -> None:
    constraint = load(engine, post(engine))
    assert (constraint.state, constraint.posted_by, constraint.function) == (S.OPEN, "dev1", "engineering")
    assert (constraint.text, constraint.help, constraint.created_by) == (
        "Waiting on the payments sandbox",
        "A sandbox account by Thursday",
        "user:dev1",
    )
    assert [(e.kind, e.state, e.actor) for e in constraint.events] == [("posted", S.OPEN, "user:dev1")]


def test_an_engineers_constraint_notifies_the_product_lead(engine: Engine, board_org: None) -> None:
    post(engine, DEV)
    assert notes(engine) == [("constraint.posted", ["pm1"])]


def test_a_product_leads_constraint_notifies_the_engineering_lead(engine: Engine, board_org: None) -> None:
    constraint = load(engine, post(engine, PM))
    assert constraint.function == "product"
    assert notes(engine) == [("constraint.posted", ["em1"])]


def test_a_designers_constraint_notifies_both_leads_and_either_acknowledges(engine: Engine, board_org: None) -> None:
    first, second = post(engine, DESIGN), post(engine, DESIGN)
    assert notes(engine) == [("constraint.posted", ["em1", "pm1"])] * 2
    step(engine, first, "acknowledge", PM)
    step(engine, second, "acknowledge", EM)
    assert [load(engine, c).acknowledged_by for c in (first, second)] == ["pm1", "em1"]


def test_the_notification_says_what_would_help(engine: Engine, board_org: None) -> None:
    post(engine, DEV)
    with transaction(engine) as session:
        note = session.scalars(select(Notification)).one()
        assert note.title == "Person DEV1 is blocked"
        assert "What would help: A sandbox account by Thursday" in note.body
        assert note.subject is not None and note.subject.startswith("constraint:")


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        (Actor("user:dev9", "dev9"), "only the people of team Payments"),
        (Actor("user:admin", None, admin=True), "only a person in the org posts one"),
        (GM, "only the people of team Payments"),
    ],
)
def test_only_people_on_the_team_post_on_its_board(engine: Engine, board_org: None, actor: Actor, message: str) -> None:
    with pytest.raises(NotAllowedError, match=message):
        post(engine, actor)


def test_a_constraint_needs_its_text(engine: Engine, session: Session, board_org: None) -> None:
    with pytest.raises(ConstraintError, match="needs its text"):
        service.post(session, team=payments(session), actor=DEV, kind=ConstraintKind.BLOCKED, text="  ")
    with pytest.raises(ConstraintError, match="at most 2000 characters"):
        service.post(session, team=payments(session), actor=DEV, kind=ConstraintKind.BLOCKED, text="x" * 2001)
    with pytest.raises(ConstraintError, match="NUL"):
        service.post(session, team=payments(session), actor=DEV, kind=ConstraintKind.BLOCKED, text="a\x00b")


def test_the_counterpart_lead_acknowledges_and_the_poster_is_told(engine: Engine, board_org: None) -> None:
    constraint_id = post(engine, DEV)
    step(engine, constraint_id, "acknowledge", PM, now=MONDAY + timedelta(hours=3))
    constraint = load(engine, constraint_id)
    assert (constraint.state, constraint.acknowledged_by) == (S.ACKNOWLEDGED, "pm1")
    assert constraint.acknowledged_at == MONDAY + timedelta(hours=3)
    assert notes(engine)[-1] == ("constraint.acknowledged", ["dev1"])


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        (EM, "only the poster's counterpart lead"),  # the poster's own side
        (DEV, "your counterpart lead acknowledges your constraint, not you"),
        (GM, "only the poster's counterpart lead"),
        (Actor("user:admin", None, admin=True), "only the poster's counterpart lead"),
    ],
)
def test_nobody_else_acknowledges(engine: Engine, board_org: None, actor: Actor, message: str) -> None:
    constraint_id = post(engine, DEV)
    with pytest.raises(NotAllowedError, match=message):
        step(engine, constraint_id, "acknowledge", actor)


def test_a_lead_whose_role_only_reads_cannot_acknowledge(engine: Engine, board_org: None) -> None:
    constraint_id = post(engine, DEV)
    with pytest.raises(NotAllowedError, match="does not act on it"):
        step(engine, constraint_id, "acknowledge", Actor("user:pm1", "pm1", may_write=False))


def test_acknowledging_twice_is_a_conflict(engine: Engine, board_org: None) -> None:
    constraint_id = post(engine, DEV)
    step(engine, constraint_id, "acknowledge", PM)
    with pytest.raises(StateConflictError, match="already acknowledged"):
        step(engine, constraint_id, "acknowledge", PM)


def test_resolved_after_acknowledgement_is_joint(engine: Engine, board_org: None) -> None:
    constraint_id = post(engine, DEV)
    step(engine, constraint_id, "acknowledge", PM)
    step(engine, constraint_id, "resolve", DEV, note="Sandbox arrived")
    constraint = load(engine, constraint_id)
    assert (constraint.state, constraint.resolved_jointly, constraint.resolved_by, constraint.resolution) == (
        S.RESOLVED,
        True,
        "dev1",
        "Sandbox arrived",
    )
    assert [e.kind for e in constraint.events] == ["posted", "acknowledged", "resolved"]
    assert notes(engine)[-1] == ("constraint.resolved", ["pm1"])


def test_the_poster_resolving_alone_is_not_joint(engine: Engine, board_org: None) -> None:
    constraint_id = post(engine, DEV)
    step(engine, constraint_id, "resolve", DEV)
    constraint = load(engine, constraint_id)
    assert (constraint.state, constraint.resolved_jointly, constraint.acknowledged_at) == (S.RESOLVED, False, None)


def test_the_counterpart_resolving_acknowledges_too(engine: Engine, board_org: None) -> None:
    constraint_id = post(engine, DEV)
    step(engine, constraint_id, "resolve", PM)
    constraint = load(engine, constraint_id)
    assert (constraint.acknowledged_by, constraint.resolved_jointly) == ("pm1", True)
    assert [(e.kind, e.state) for e in constraint.events] == [
        ("posted", S.OPEN),
        ("acknowledged", S.ACKNOWLEDGED),
        ("resolved", S.RESOLVED),
    ]
    assert notes(engine)[-1] == ("constraint.resolved", ["dev1"])


def test_an_admin_may_resolve_but_others_may_not(engine: Engine, board_org: None) -> None:
    constraint_id = post(engine, DEV)
    with pytest.raises(NotAllowedError):
        step(engine, constraint_id, "resolve", EM)
    step(engine, constraint_id, "resolve", Actor("user:admin", None, admin=True))
    assert load(engine, constraint_id).resolved_jointly is False
    with pytest.raises(StateConflictError, match="already resolved"):
        step(engine, constraint_id, "resolve", DEV)


def test_the_counterpart_follows_the_seat_when_leads_change(engine: Engine, board_org: None) -> None:
    constraint_id = post(engine, DEV)
    with transaction(engine) as session:
        payments(session).product_lead_id = "cpo"
    with pytest.raises(NotAllowedError):
        step(engine, constraint_id, "acknowledge", PM)
    step(engine, constraint_id, "acknowledge", Actor("user:cpo", "cpo"))


def test_an_empty_counterpart_seat_falls_to_the_accountable_manager(engine: Engine, board_org: None) -> None:
    with transaction(engine) as session:
        payments(session).product_lead_id = None
        payments(session).accountable_manager_id = "gm"
    constraint_id = post(engine, DEV)
    assert notes(engine) == [("constraint.posted", ["gm"])]
    step(engine, constraint_id, "acknowledge", GM)


def test_the_history_is_append_only(engine: Engine, board_org: None) -> None:
    post(engine)
    for statement in ("UPDATE constraint_events SET actor = 'x'", "DELETE FROM constraint_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))


def test_two_leads_acknowledging_at_once_count_once(engine: Engine, board_org: None) -> None:
    constraint_id = post(engine, DESIGN)
    both_loaded = threading.Barrier(2, timeout=10)

    def acknowledge(actor: Actor) -> str:
        first = [True]

        def work(session: Session) -> None:
            constraint = service.get(session, constraint_id)
            assert constraint is not None
            if first[0]:  # both transactions read the open constraint before either writes
                first[0] = False
                both_loaded.wait()
            service.acknowledge(session, constraint=constraint, actor=actor)

        try:
            retrying(engine, work)
        except StateConflictError:
            return "refused"
        return "acknowledged"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(acknowledge, [PM, EM]))
    assert outcomes == ["acknowledged", "refused"]
    constraint = load(engine, constraint_id)
    assert [e.kind for e in constraint.events] == ["posted", "acknowledged"]
    assert constraint.version == 2


def test_the_walk_reads_constraints_people_and_leads(engine: Engine, board_org: None) -> None:
    post(engine, DEV)
    post(engine, DESIGN)
    with transaction(engine) as session:
        facts = service.load_board_facts(session, now=MONDAY + timedelta(days=1))
    assert [(c.team, c.function, c.state) for c in facts.constraints] == [
        ("Payments", "engineering", S.OPEN),
        ("Payments", "design", S.OPEN),
    ]
    assert facts.members["Payments"] == {"design": 1, "engineering": 2, "product": 1}
    assert facts.members["Search"] == {"engineering": 2, "product": 1}
    assert facts.leads["Payments"] == {"product": "pm1", "engineering": "em1"}


def test_the_list_is_newest_first_and_filters_by_state(engine: Engine, board_org: None) -> None:
    first = post(engine, DEV, now=MONDAY)
    second = post(engine, PM, now=MONDAY + timedelta(hours=1))
    step(engine, first, "acknowledge", PM)
    with transaction(engine) as session:
        rows, total = service.listing(session, team=payments(session))
        assert ([c.id for c in rows], total) == ([second, first], 2)
        rows, total = service.listing(session, states=[S.ACKNOWLEDGED])
        assert ([c.id for c in rows], total) == ([first], 1)


def test_one_teams_facts_for_its_board(engine: Engine, board_org: None) -> None:
    post(engine, DEV)
    with transaction(engine) as session:
        facts = service.load_board_facts(session, team=payments(session))
    assert list(facts.members) == ["Payments"] and len(facts.constraints) == 1


def test_an_inactive_teams_board_takes_no_posts_and_leaves_the_walk(engine: Engine, board_org: None) -> None:
    post(engine, DEV)
    with transaction(engine) as session:
        payments(session).active = False
    with pytest.raises(ConstraintError, match="team Payments is inactive"):
        post(engine, DEV)
    with transaction(engine) as session:
        assert service.load_board_facts(session).constraints == []
        assert len(service.load_board_facts(session, team=payments(session)).constraints) == 1


def test_with_no_counterpart_and_no_common_manager_the_posters_manager_hears_it(engine: Engine, org: None) -> None:
    with transaction(engine) as session:
        payments(session).product_lead_id = None
    constraint_id = post(engine)
    with transaction(engine) as session:
        constraint = service.get(session, constraint_id)
        assert constraint is not None
        assert service.counterparts(session, constraint) == ("em1",)
