"""The audit log: every write leaves an entry, and nobody can change or remove one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from factories import TEAMS_HEADER, to_csv
from tandem.accounts.models import Role
from tandem.accounts.service import create_password_link, user_by_email
from tandem.audit.models import AuditEvent
from tandem.db import transaction
from webfixtures import EMAILS, PASSWORD, csrf, sign_in, web_org_people, web_org_teams


def latest(engine: Engine) -> AuditEvent:
    with transaction(engine) as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        session.expunge(event)
        return event


def user_id(engine: Engine, role: Role) -> int:
    with transaction(engine) as session:
        user = user_by_email(session, EMAILS[role])
        assert user is not None
        return user.id


def test_creating_a_user_is_audited(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    admin = signed_in(Role.ADMIN)
    admin.post("/admin/users", data={"email": "new@example.com", "role": "lead", "csrf_token": csrf(admin)})
    event = latest(engine)
    assert (event.actor, event.action, event.entity_id) == (
        "user:admin@example.com",
        "user.password_link",
        "new@example.com",
    )
    with transaction(engine) as session:
        actions = [
            e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_id == "new@example.com"))
        ]
    assert actions == ["user.create", "user.password_link"]


def test_a_role_change_is_audited_with_before_and_after(
    signed_in: Callable[[Role], TestClient], engine: Engine
) -> None:
    admin = signed_in(Role.ADMIN)
    admin.post(f"/admin/users/{user_id(engine, Role.MEMBER)}/role", data={"role": "lead", "csrf_token": csrf(admin)})
    event = latest(engine)
    assert (event.action, event.before, event.after) == ("user.role", {"role": "member"}, {"role": "lead"})


def test_deactivating_a_user_is_audited(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    admin = signed_in(Role.ADMIN)
    admin.post(
        f"/admin/users/{user_id(engine, Role.MEMBER)}/active", data={"active": "false", "csrf_token": csrf(admin)}
    )
    event = latest(engine)
    assert (event.action, event.before, event.after) == ("user.active", {"active": True}, {"active": False})


def test_a_password_change_is_audited_without_the_password(
    signed_in: Callable[[Role], TestClient], engine: Engine
) -> None:
    client = signed_in(Role.LEAD)
    client.post(
        "/account/password", data={"current": PASSWORD, "new": "another-password-9", "csrf_token": csrf(client)}
    )
    event = latest(engine)
    assert (event.actor, event.action, event.before, event.after) == (
        "user:pm1@example.com",
        "user.password",
        None,
        None,
    )


def test_sign_in_and_sign_out_are_audited(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    client = signed_in(Role.EXECUTIVE)
    assert latest(engine).action == "user.sign_in"
    client.post("/sign-out", data={"csrf_token": csrf(client)})
    assert (latest(engine).action, latest(engine).actor) == ("user.sign_out", "user:exec@example.com")


def test_a_web_import_is_audited_with_its_counts(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    admin = signed_in(Role.ADMIN)
    people = [*web_org_people(), {**web_org_people()[-1], "id": "em3", "email": "em3@example.com"}]
    admin.post(
        "/admin/import",
        data={"csrf_token": csrf(admin)},
        files={"people": ("people.csv", to_csv(people)), "teams": ("teams.csv", to_csv(web_org_teams(), TEAMS_HEADER))},
    )
    event = latest(engine)
    assert (event.actor, event.action) == ("user:admin@example.com", "org.import")
    assert event.after is not None and event.after["people_created"] == 1


def test_the_database_refuses_to_change_an_audit_entry(engine: Engine, web_org: None) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'someone else'"))


def test_the_database_refuses_to_delete_an_audit_entry(engine: Engine, web_org: None) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))


def test_admins_read_the_log_newest_first(signed_in: Callable[[Role], TestClient]) -> None:
    page = signed_in(Role.ADMIN).get("/admin/audit").text
    assert page.index("user.sign_in") < page.index("org.import")


def test_a_failed_sign_in_is_recorded_as_anonymous_without_what_was_typed(
    anonymous: TestClient, engine: Engine
) -> None:
    sign_in(anonymous, EMAILS[Role.LEAD], "typed-secret-1")
    sign_in(anonymous, "typed-secret-2@example.com", "typed-secret-3")
    with transaction(engine) as session:
        failures = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed")))
        everything = repr([(e.actor, e.entity_id, e.before, e.after) for e in session.scalars(select(AuditEvent))])
    assert [(e.actor, e.entity_id) for e in failures] == [("anonymous", EMAILS[Role.LEAD])]
    assert "typed-secret" not in everything


def test_signing_in_through_a_password_link_is_audited(anonymous: TestClient, engine: Engine) -> None:
    with transaction(engine) as session:
        user = user_by_email(session, EMAILS[Role.MEMBER])
        assert user is not None
        raw = create_password_link(session, user=user, lifetime=timedelta(hours=1), actor="test")
    anonymous.post(f"/set-password/{raw}", data={"password": "brand-new-password", "csrf_token": csrf(anonymous)})
    event = latest(engine)
    assert (event.action, event.entity_id, event.after) == (
        "user.sign_in",
        EMAILS[Role.MEMBER],
        {"method": "password link"},
    )
