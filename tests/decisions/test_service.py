"""The decision workflow on real databases: steps, who may take them, events, notifications and races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tandem.config import DecisionSettings
from tandem.db import retrying, transaction
from tandem.decisions import service
from tandem.decisions.facts import DecisionState, Factor, Stance
from tandem.decisions.lifecycle import IllegalTransitionError
from tandem.decisions.models import Decision
from tandem.decisions.service import Actor, DecisionError, NotAllowedError
from tandem.notifications.models import Notification
from tandem.org.models import Team

S = DecisionState
PM, EM, GM, DEV = Actor("user:pm1", "pm1"), Actor("user:em1", "em1"), Actor("user:gm", "gm"), Actor("user:dev1", "dev1")
SETTINGS = DecisionSettings()
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


def payments(session: Session) -> Team:
    return session.scalars(select(Team).where(Team.name == "Payments")).one()


def new_decision(engine: Engine, *, opened: bool = True, now: datetime = MONDAY) -> int:
    with transaction(engine) as session:
        decision = service.create(
            session,
            team=payments(session),
            title="Offline mode now or after the sync rewrite",
            options=["Now, behind a flag", "After the rewrite"],
            actor=PM,
            settings=SETTINGS,
            now=now,
        )
        if opened:
            service.open_decision(session, decision=decision, actor=PM, now=now)
        return decision.id


def step(engine: Engine, decision_id: int, action: Callable[[Session, Decision], None]) -> None:
    def work(session: Session) -> None:
        decision = service.get(session, decision_id)
        assert decision is not None
        action(session, decision)

    retrying(engine, work)


def load(engine: Engine, decision_id: int) -> Decision:
    with transaction(engine) as session:
        decision = service.get(session, decision_id)
        assert decision is not None
        session.expunge_all()
        return decision


def sign(actor: Actor, option: str, stance: Stance = Stance.AGREE) -> Callable[[Session, Decision], None]:
    return lambda s, d: service.sign(s, decision=d, actor=actor, option=option, stance=stance, now=MONDAY)


A, B = "Now, behind a flag", "After the rewrite"


def test_a_new_decision_is_a_draft_with_a_five_working_day_timebox(engine: Engine, org: None) -> None:
    decision = load(engine, new_decision(engine, opened=False))
    assert decision.state is S.DRAFT
    assert decision.decide_by == MONDAY + timedelta(days=7)
    assert [e.kind for e in decision.events] == ["created"]


def test_only_the_teams_leads_or_an_admin_record_decisions(engine: Engine, session: Session, org: None) -> None:
    with pytest.raises(NotAllowedError):
        service.create(session, team=payments(session), title="x", options=["a", "b"], actor=DEV, settings=SETTINGS)
    admin = Actor("user:admin", None, admin=True)
    assert (
        service.create(
            session, team=payments(session), title="x", options=["a", "b"], actor=admin, settings=SETTINGS
        ).state
        is S.DRAFT
    )


def test_a_decision_needs_two_different_options(engine: Engine, session: Session, org: None) -> None:
    with pytest.raises(DecisionError, match="at least two different options"):
        service.create(session, team=payments(session), title="x", options=["a", " a "], actor=PM, settings=SETTINGS)


def test_opening_asks_both_leads_for_scores_and_sign_off(engine: Engine, session: Session, org: None) -> None:
    new_decision(engine)
    (note,) = session.scalars(select(Notification)).all()
    assert (note.topic, sorted(note.recipients), note.status) == ("decision.requested", ["em1", "pm1"], "pending")


def test_a_lead_scores_and_rescores_an_option(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    for value in (1, -2):
        step(
            engine,
            decision_id,
            lambda s, d, v=value: service.score(
                s, decision=d, actor=EM, option=A, factor=Factor.SYSTEM_ROBUSTNESS, value=v, rationale="sync conflicts"
            ),
        )
    decision = load(engine, decision_id)
    assert [(x.person_id, x.option, x.factor, x.score) for x in decision.scores] == [
        ("em1", A, Factor.SYSTEM_ROBUSTNESS, -2)
    ]
    assert [e.kind for e in decision.events][-2:] == ["scored", "scored"]


@pytest.mark.parametrize(
    ("actor", "option", "value", "error"),
    [
        (DEV, A, 1, NotAllowedError),
        (GM, A, 1, NotAllowedError),
        (PM, "Neither", 1, DecisionError),
        (PM, A, 3, DecisionError),
    ],
)
def test_bad_scores_are_refused(
    engine: Engine, org: None, actor: Actor, option: str, value: int, error: type[Exception]
) -> None:
    decision_id = new_decision(engine)
    with pytest.raises(error):
        step(
            engine,
            decision_id,
            lambda s, d: service.score(
                s, decision=d, actor=actor, option=option, factor=Factor.TEAM_MORALE, value=value
            ),
        )


def test_one_signature_keeps_it_open(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    step(engine, decision_id, sign(PM, A))
    assert load(engine, decision_id).state is S.OPEN


def test_both_leads_signing_one_option_agree(engine: Engine, session: Session, org: None) -> None:
    decision_id = new_decision(engine)
    step(engine, decision_id, sign(PM, A))
    step(engine, decision_id, sign(EM, A))
    decision = load(engine, decision_id)
    assert (decision.state, decision.chosen_option, decision.resolved_at) == (S.AGREED, A, MONDAY)
    assert "decision.made" in [n.topic for n in session.scalars(select(Notification))]


def test_different_signatures_contest_and_disagree_and_commit_agrees(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    step(engine, decision_id, sign(PM, A))
    step(engine, decision_id, sign(EM, B))
    assert (load(engine, decision_id).state, load(engine, decision_id).contested_at) == (S.CONTESTED, MONDAY)
    step(engine, decision_id, sign(EM, A, Stance.DISAGREE_AND_COMMIT))
    decision = load(engine, decision_id)
    assert (decision.state, decision.chosen_option) == (S.AGREED, A)
    assert [s.stance for s in decision.signoffs] == [Stance.AGREE, Stance.DISAGREE_AND_COMMIT]


def test_an_escalation_goes_to_the_accountable_manager_who_decides(engine: Engine, session: Session, org: None) -> None:
    decision_id = new_decision(engine)
    step(engine, decision_id, sign(PM, A))
    step(engine, decision_id, sign(EM, B))
    step(engine, decision_id, lambda s, d: service.escalate(s, decision=d, actor=EM, now=MONDAY))
    escalation = session.scalars(select(Notification).where(Notification.topic == "decision.escalated")).one()
    assert escalation.recipients == ["gm"]
    with pytest.raises(NotAllowedError):
        step(engine, decision_id, lambda s, d: service.decide(s, decision=d, actor=PM, option=A, rationale="mine"))
    with pytest.raises(DecisionError, match="needs a rationale"):
        step(engine, decision_id, lambda s, d: service.decide(s, decision=d, actor=GM, option=B, rationale=" "))
    step(engine, decision_id, lambda s, d: service.decide(s, decision=d, actor=GM, option=B, rationale="Sync first."))
    decision = load(engine, decision_id)
    assert (decision.state, decision.chosen_option, decision.decided_by_id) == (S.DECIDED, B, "gm")
    step(engine, decision_id, lambda s, d: service.close(s, decision=d, actor=PM))
    assert [e.kind for e in load(engine, decision_id).events] == [
        "created",
        "opened",
        "signed",
        "signed",
        "escalated",
        "decided",
        "closed",
    ]


def test_an_illegal_step_is_refused_and_changes_nothing(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine, opened=False)
    with pytest.raises(IllegalTransitionError, match="a draft decision cannot be signed"):
        step(engine, decision_id, sign(PM, A))
    decision = load(engine, decision_id)
    assert (decision.state, decision.signoffs, len(decision.events)) == (S.DRAFT, [], 1)


def test_every_event_records_the_state_after_it(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    step(engine, decision_id, sign(PM, A))
    step(engine, decision_id, sign(EM, B))
    assert [e.state for e in load(engine, decision_id).events] == [S.DRAFT, S.OPEN, S.OPEN, S.CONTESTED]


def test_the_history_is_append_only(engine: Engine, org: None) -> None:
    new_decision(engine)
    for statement in ("UPDATE decision_events SET actor = 'x'", "DELETE FROM decision_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))


def test_the_timebox_escalates_automatically(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    with transaction(engine) as session:
        assert service.escalate_overdue(session, settings=SETTINGS, now=MONDAY + timedelta(days=6)) == []
    with transaction(engine) as session:
        assert service.escalate_overdue(session, settings=SETTINGS, now=MONDAY + timedelta(days=7)) == [decision_id]
    decision = load(engine, decision_id)
    assert (decision.state, decision.escalation_reason, decision.events[-1].actor) == (S.ESCALATED, "timebox", "worker")


def test_a_long_contest_escalates_before_the_timebox(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    step(engine, decision_id, sign(PM, A))
    step(engine, decision_id, sign(EM, B))
    with transaction(engine) as session:
        escalated = service.escalate_overdue(session, settings=SETTINGS, now=MONDAY + timedelta(days=2))
    assert escalated == [decision_id]
    assert load(engine, decision_id).escalation_reason == "contested_grace"


def test_two_leads_signing_at_the_same_moment_lose_nothing(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    both_loaded = threading.Barrier(2, timeout=10)

    def signer(actor: Actor) -> None:
        first = [True]

        def work(session: Session) -> None:
            decision = service.get(session, decision_id)
            assert decision is not None
            if first[0]:  # make both transactions read the same version before either writes
                first[0] = False
                both_loaded.wait()
            service.sign(session, decision=decision, actor=actor, option=A, now=MONDAY)

        retrying(engine, work)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(signer, [PM, EM]))
    decision = load(engine, decision_id)
    assert decision.state is S.AGREED
    assert sorted(s.person_id for s in decision.signoffs) == ["em1", "pm1"]
    assert [e.kind for e in decision.events].count("signed") == 2
    assert decision.version == len(decision.events)


def test_a_sign_off_racing_the_automatic_escalation_leaves_a_possible_state(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    step(engine, decision_id, sign(PM, A))
    late = MONDAY + timedelta(days=8)
    both_loaded = threading.Barrier(2, timeout=10)
    outcomes: dict[str, str] = {}

    def lead() -> None:
        first = [True]

        def work(session: Session) -> None:
            decision = service.get(session, decision_id)
            assert decision is not None
            if first[0]:
                first[0] = False
                both_loaded.wait()
            service.sign(session, decision=decision, actor=EM, option=A, now=late)

        try:
            retrying(engine, work)
            outcomes["sign"] = "signed"
        except IllegalTransitionError:
            outcomes["sign"] = "refused"

    def worker() -> None:
        first = [True]

        def work(session: Session) -> list[int]:
            if first[0]:
                first[0] = False
                session.scalars(select(Decision).where(Decision.id == decision_id)).one()
                both_loaded.wait()
            return service.escalate_overdue(session, settings=SETTINGS, now=late)

        outcomes["escalate"] = "escalated" if retrying(engine, work) else "nothing to do"

    threads = [threading.Thread(target=lead), threading.Thread(target=worker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    decision = load(engine, decision_id)
    assert decision.events[-1].state is decision.state
    if decision.state is S.AGREED:
        assert outcomes == {"sign": "signed", "escalate": "nothing to do"}
        assert decision.escalated_at is None
    else:
        assert decision.state is S.ESCALATED
        assert outcomes == {"sign": "refused", "escalate": "escalated"}
        assert [s.person_id for s in decision.signoffs] == ["pm1"]


def test_one_person_in_both_seats_cannot_open_a_decision(engine: Engine, org: None) -> None:
    with transaction(engine) as session:
        team = payments(session)
        team.engineering_lead_id = "pm1"
    decision_id = new_decision(engine, opened=False)
    with pytest.raises(DecisionError, match="one person holds both lead seats"):
        step(engine, decision_id, lambda s, d: service.open_decision(s, decision=d, actor=PM))


def test_a_lead_named_as_accountable_manager_is_not_the_judge(engine: Engine, org: None) -> None:
    with transaction(engine) as session:
        team = payments(session)
        team.accountable_manager_id = "pm1"
        assert service.team_roles(session, team).accountable_manager == "gm"


def test_a_lead_whose_role_only_reads_cannot_act(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    reader = Actor("user:em1", "em1", may_write=False)
    with pytest.raises(NotAllowedError, match="does not act on them"):
        step(engine, decision_id, sign(reader, A))


def test_the_accountable_manager_decides_whatever_their_role(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine)
    step(engine, decision_id, lambda s, d: service.escalate(s, decision=d, actor=EM, now=MONDAY))
    manager = Actor("user:gm", "gm", may_write=False)
    step(engine, decision_id, lambda s, d: service.decide(s, decision=d, actor=manager, option=B, rationale="Go."))
    assert load(engine, decision_id).state is S.DECIDED


def test_a_draft_past_its_decide_by_gets_a_fresh_timebox_when_opened(engine: Engine, org: None) -> None:
    decision_id = new_decision(engine, opened=False)
    later = MONDAY + timedelta(days=30)
    step(engine, decision_id, lambda s, d: service.open_decision(s, decision=d, actor=PM, now=later))
    assert load(engine, decision_id).decide_by == later + timedelta(days=7)


@pytest.mark.parametrize(
    ("title", "decide_by", "message"),
    [
        ("Nul\x00title", None, "contains a NUL character"),
        ("Surrogate \ud800", None, "not valid Unicode"),
        ("Fine", datetime(2026, 12, 1, 9), "needs a time zone"),
        ("Fine", datetime(2020, 1, 1, 9, tzinfo=UTC), "must be in the future"),
    ],
)
def test_bad_decision_input_is_a_clear_error(
    engine: Engine, session: Session, org: None, title: str, decide_by: datetime | None, message: str
) -> None:
    with pytest.raises(DecisionError, match=message):
        service.create(
            session,
            team=payments(session),
            title=title,
            options=["a", "b"],
            actor=PM,
            settings=SETTINGS,
            decide_by=decide_by,
            now=MONDAY,
        )


def test_options_are_offered_as_the_page_shows_them(engine: Engine, session: Session, org: None) -> None:
    decision = service.create(
        session, team=payments(session), title="x", options=["A  B", " c "], actor=PM, settings=SETTINGS, now=MONDAY
    )
    assert decision.options == ["A B", "c"]
