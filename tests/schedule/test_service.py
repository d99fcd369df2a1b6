"""Plans and commitments on real databases: who may do what, what is recorded, and races between the leads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tandem.db import retrying, transaction
from tandem.decisions.service import Actor
from tandem.notifications.models import Notification
from tandem.org.models import Team
from tandem.schedule import service
from tandem.schedule.models import Commitment, CommitmentSignature, PlanEvent, PlanItem, TrackerItem
from tandem.schedule.service import NotAllowedError, ScheduleError

PM, EM, DEV = Actor("user:pm1", "pm1"), Actor("user:em1", "em1"), Actor("user:dev1", "dev1")
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


def payments(session: Session) -> Team:
    return session.scalars(select(Team).where(Team.name == "Payments")).one()


def plan_of(engine: Engine, *estimates: tuple[float, float, float] | None) -> list[int]:
    """A Payments plan with one item per estimate (None = unestimated), in rank order; their ids."""
    with transaction(engine) as session:
        team = payments(session)
        ids = []
        for number, estimate in enumerate(estimates, start=1):
            item = service.add_item(session, team, PM, title=f"Item {number}", now=MONDAY)
            if estimate is not None:
                service.estimate(session, item, EM, optimistic=estimate[0], likely=estimate[1], pessimistic=estimate[2])
            ids.append(item.id)
        return ids


def test_items_are_added_at_the_bottom_and_record_who_ranked_them(engine: Engine, org: None) -> None:
    ids = plan_of(engine, None, None)
    with transaction(engine) as session:
        items = service.open_items(session, payments(session))
        assert [(i.id, i.rank, i.ranked_by) for i in items] == [(ids[0], 1, "user:pm1"), (ids[1], 2, "user:pm1")]


def test_product_ranks_and_each_moved_item_records_it(engine: Engine, org: None) -> None:
    first, second, third = plan_of(engine, None, None, None)
    later = MONDAY + timedelta(hours=2)
    with transaction(engine) as session:
        service.rank(session, payments(session), PM, [third, first, second], now=later)
    with transaction(engine) as session:
        items = service.open_items(session, payments(session))
        assert [i.id for i in items] == [third, first, second]
        assert all(i.ranked_at == later for i in items)
        events = session.scalars(select(PlanEvent).where(PlanEvent.kind == "ranked").order_by(PlanEvent.id)).all()
        assert sorted((e.item_id, e.data["rank_from"], e.data["rank_to"], e.actor_function) for e in events) == [
            (first, 1, 2, "product"),
            (second, 2, 3, "product"),
            (third, 3, 1, "product"),
        ]


def test_engineering_cannot_rank(engine: Engine, org: None) -> None:
    first, second = plan_of(engine, None, None)
    with transaction(engine) as session, pytest.raises(NotAllowedError, match="product lead's call"):
        service.rank(session, payments(session), EM, [second, first])


def test_a_ranking_that_misses_an_item_is_refused(engine: Engine, org: None) -> None:
    first, _second = plan_of(engine, None, None)
    with transaction(engine) as session, pytest.raises(ScheduleError, match="every open item"):
        service.rank(session, payments(session), PM, [first])


def test_engineering_estimates_and_product_cannot(engine: Engine, org: None) -> None:
    [item_id] = plan_of(engine, (1, 2, 5))
    with transaction(engine) as session:
        item = session.get_one(PlanItem, item_id)
        assert (item.optimistic, item.likely, item.pessimistic, item.estimated_by) == (1, 2, 5, "user:em1")
        with pytest.raises(NotAllowedError, match="engineering lead's call"):
            service.estimate(session, item, PM, optimistic=1, likely=1, pessimistic=1)


def test_an_engineer_who_is_not_the_lead_cannot_estimate(engine: Engine, org: None) -> None:
    [item_id] = plan_of(engine, None)
    with transaction(engine) as session, pytest.raises(NotAllowedError):
        service.estimate(session, session.get_one(PlanItem, item_id), DEV, optimistic=1, likely=1, pessimistic=1)


def test_disordered_estimates_are_refused(engine: Engine, org: None) -> None:
    [item_id] = plan_of(engine, None)
    with transaction(engine) as session, pytest.raises(ScheduleError, match="optimistic <= most likely"):
        service.estimate(session, session.get_one(PlanItem, item_id), EM, optimistic=3, likely=2, pessimistic=5)


def test_a_dependency_cycle_is_refused(engine: Engine, org: None) -> None:
    first, second = plan_of(engine, None, None)
    with transaction(engine) as session:
        service.set_dependencies(session, session.get_one(PlanItem, first), PM, [second])
    with transaction(engine) as session, pytest.raises(ScheduleError, match="depend on each other"):
        service.set_dependencies(session, session.get_one(PlanItem, second), EM, [first])


def test_closing_an_item_closes_the_ranks_up(engine: Engine, org: None) -> None:
    first, second, third = plan_of(engine, None, None, None)
    with transaction(engine) as session:
        service.close_item(session, session.get_one(PlanItem, first), EM, "done")
    with transaction(engine) as session:
        assert [(i.id, i.rank) for i in service.open_items(session, payments(session))] == [(second, 1), (third, 2)]


def propose(engine: Engine, scope: list[int], *, by: Actor = PM, target: date = date(2027, 3, 1)) -> int:
    with transaction(engine) as session:
        commitment = service.propose(
            session, payments(session), by, title="Checkout v2", target_date=target, scope=scope, now=MONDAY
        )
        return commitment.id


def test_a_proposal_is_not_in_force_until_the_counterpart_signs(engine: Engine, org: None) -> None:
    ids = plan_of(engine, (2, 3, 5), (1, 2, 4))
    commitment_id = propose(engine, ids)
    with transaction(engine) as session:
        commitment = session.get_one(Commitment, commitment_id)
        assert (commitment.state, commitment.in_force_revision) == ("proposed", None)
        assert session.scalar(select(Notification.recipients).where(Notification.topic.like("commitment.%"))) == ["em1"]
        service.sign(session, commitment, EM, revision_number=1, now=MONDAY + timedelta(hours=1))
    with transaction(engine) as session:
        commitment = session.get_one(Commitment, commitment_id)
        assert (commitment.state, commitment.in_force_revision) == ("in_force", 1)
        signed = service.signatures(service.latest(commitment))
        assert set(signed) == {"product", "engineering"}
        assert signed["engineering"].forecast_method == "estimates"
        assert signed["engineering"].forecast_p50 is not None


def test_a_lead_cannot_sign_twice_for_their_side(engine: Engine, org: None) -> None:
    commitment_id = propose(engine, plan_of(engine, (1, 2, 3)))
    with transaction(engine) as session, pytest.raises(ScheduleError, match="product side has already signed"):
        service.sign(session, session.get_one(Commitment, commitment_id), PM, revision_number=1)


def test_someone_who_is_not_a_lead_cannot_sign(engine: Engine, org: None) -> None:
    commitment_id = propose(engine, plan_of(engine, (1, 2, 3)))
    with transaction(engine) as session, pytest.raises(NotAllowedError):
        service.sign(session, session.get_one(Commitment, commitment_id), DEV, revision_number=1)


def test_a_revision_leaves_the_signed_one_in_force_until_both_sign_it(engine: Engine, org: None) -> None:
    commitment_id = propose(engine, plan_of(engine, (1, 2, 3)))
    with transaction(engine) as session:
        service.sign(session, session.get_one(Commitment, commitment_id), EM, revision_number=1)
    with transaction(engine) as session:
        rev = service.revise(
            session, session.get_one(Commitment, commitment_id), EM, target_date=date(2027, 4, 1), reason="Auth slip"
        )
        assert rev.number == 2 and rev.initiated_function == "engineering"
    with transaction(engine) as session:
        commitment = session.get_one(Commitment, commitment_id)
        assert (commitment.state, commitment.in_force_revision, commitment.latest_revision) == ("revising", 1, 2)
        assert service.in_force(commitment) is not None
        assert service.in_force(commitment).target_date == date(2027, 3, 1)  # type: ignore[union-attr]
        service.sign(session, commitment, PM, revision_number=2)
    with transaction(engine) as session:
        commitment = session.get_one(Commitment, commitment_id)
        assert (commitment.state, commitment.in_force_revision) == ("in_force", 2)


def test_a_revision_needs_a_reason_and_a_change(engine: Engine, org: None) -> None:
    commitment_id = propose(engine, plan_of(engine, (1, 2, 3)))
    with transaction(engine) as session:
        commitment = session.get_one(Commitment, commitment_id)
        with pytest.raises(ScheduleError, match="must change"):
            service.revise(session, commitment, EM, target_date=date(2027, 3, 1), reason="same")
        with pytest.raises(ScheduleError, match="say why"):
            service.revise(session, commitment, EM, target_date=date(2027, 3, 8))


def test_signing_a_revision_that_is_no_longer_the_latest_is_refused(engine: Engine, org: None) -> None:
    commitment_id = propose(engine, plan_of(engine, (1, 2, 3)))
    with transaction(engine) as session:
        service.revise(
            session, session.get_one(Commitment, commitment_id), PM, target_date=date(2027, 2, 1), reason="Sooner"
        )
    with transaction(engine) as session, pytest.raises(ScheduleError, match="not the latest"):
        service.sign(session, session.get_one(Commitment, commitment_id), EM, revision_number=1)


def test_a_commitment_in_force_cannot_be_withdrawn_by_one_lead(engine: Engine, org: None) -> None:
    commitment_id = propose(engine, plan_of(engine, (1, 2, 3)))
    with transaction(engine) as session:
        service.sign(session, session.get_one(Commitment, commitment_id), EM, revision_number=1)
    with transaction(engine) as session, pytest.raises(ScheduleError, match="cannot be withdrawn"):
        service.withdraw(session, session.get_one(Commitment, commitment_id), PM)


def test_the_p50_falls_back_to_the_teams_throughput(engine: Engine, org: None) -> None:
    ids = plan_of(engine, None, None)
    with transaction(engine) as session:
        team = payments(session)
        today = datetime.now(UTC)
        for n in range(30):
            completed = today - timedelta(days=n + 1)
            session.add(
                TrackerItem(source="jira", key=f"PAY-{n}", project="PAY", team_id=team.id, completed_at=completed)
            )
    with transaction(engine) as session:
        forecast = service.forecast_scope(session, payments(session), ids, today=datetime.now(UTC).date())
        assert forecast is not None and forecast.method == "throughput"


def test_signatures_are_append_only(engine: Engine, org: None) -> None:
    commitment_id = propose(engine, plan_of(engine, (1, 2, 3)))
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(text("UPDATE commitment_signatures SET person_id = 'em1'"))
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(text("DELETE FROM commitment_revisions"))
    with transaction(engine) as session:
        assert session.get_one(Commitment, commitment_id).revisions[0].signatures[0].person_id == "pm1"


def test_two_signatures_racing_for_one_side_count_once(engine: Engine, org: None) -> None:
    commitment_id = propose(engine, plan_of(engine, (1, 2, 3)))
    both_loaded = threading.Barrier(2, timeout=10)

    def sign_once() -> str:
        first = [True]

        def work(session: Session) -> str:
            commitment = session.get_one(Commitment, commitment_id)
            service.latest(commitment)
            if first[0]:  # both transactions read the unsigned revision before either writes
                first[0] = False
                both_loaded.wait()
            service.sign(session, commitment, EM, revision_number=1)
            return "signed"

        try:
            return retrying(engine, work)
        except ScheduleError as error:
            return str(error)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(lambda _: sign_once(), range(2)))
    assert outcomes[0] == "signed" and "already signed" in outcomes[1]
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(CommitmentSignature)) == 2


def test_a_signature_racing_a_revision_never_signs_what_the_signer_did_not_read(engine: Engine, org: None) -> None:
    commitment_id = propose(engine, plan_of(engine, (1, 2, 3)))
    both_loaded = threading.Barrier(2, timeout=10)

    def step(actor: Actor) -> str:
        first = [True]

        def work(session: Session) -> str:
            commitment = session.get_one(Commitment, commitment_id)
            service.latest(commitment)
            if first[0]:
                first[0] = False
                both_loaded.wait()
            if actor is EM:
                service.sign(session, commitment, EM, revision_number=1)
                return "signed 1"
            service.revise(session, commitment, PM, target_date=date(2027, 2, 1), reason="Sooner")
            return "revised"

        try:
            return retrying(engine, work)
        except ScheduleError as error:
            return str(error)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(zip(("em", "pm"), pool.map(step, [EM, PM]), strict=True))
    assert outcomes["pm"] == "revised"
    with transaction(engine) as session:
        commitment = session.get_one(Commitment, commitment_id)
        assert commitment.latest_revision == 2
        if outcomes["em"] == "signed 1":  # the signature won: revision 1 is in force, 2 awaits engineering
            assert (commitment.in_force_revision, commitment.state) == (1, "revising")
        else:  # the revision won: the stale signature was refused, nothing is in force
            assert "not the latest" in outcomes["em"]
            assert (commitment.in_force_revision, commitment.state) == (None, "proposed")
