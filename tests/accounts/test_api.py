"""Signing in and out, lock-out, passwords and set-password links, through the real app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tandem.accounts.models import Role
from tandem.accounts.service import create_password_link, user_by_email
from tandem.db import transaction
from tandem.web.deps import SESSION_COOKIE
from tandem.web.security import RedactSecretsInAccessLog
from webfixtures import EMAILS, PASSWORD, csrf, sign_in


def test_signing_in_sets_an_httponly_lax_session_cookie(anonymous: TestClient) -> None:
    response = anonymous.post(
        "/sign-in",
        data={"email": EMAILS[Role.ADMIN], "password": PASSWORD, "next": "/org", "csrf_token": csrf(anonymous)},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/org")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here; over https the cookie is Secure


def test_the_session_cookie_is_secure_over_https(app: object, web_org: None) -> None:
    with TestClient(app, base_url="https://tandem.test") as client:  # type: ignore[arg-type]
        response = client.post(
            "/sign-in",
            data={"email": EMAILS[Role.ADMIN], "password": PASSWORD, "csrf_token": csrf(client)},
            follow_redirects=False,
        )
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "Secure" in cookie


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(anonymous: TestClient) -> None:
    assert sign_in(anonymous, EMAILS[Role.ADMIN], "not-the-password") == 401
    assert sign_in(anonymous, "nobody@example.com", PASSWORD) == 401


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(anonymous: TestClient) -> None:
    statuses = [sign_in(anonymous, EMAILS[Role.LEAD], "wrong-password-1") for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert sign_in(anonymous, EMAILS[Role.LEAD], PASSWORD) == 429


def test_a_successful_sign_in_resets_the_failure_count(anonymous: TestClient) -> None:
    for _ in range(4):
        sign_in(anonymous, EMAILS[Role.LEAD], "wrong-password-1")
    assert sign_in(anonymous, EMAILS[Role.LEAD], PASSWORD) == 303
    assert [sign_in(anonymous, EMAILS[Role.LEAD], "wrong-password-1") for _ in range(4)] == [401] * 4


def test_an_open_redirect_after_sign_in_is_refused(anonymous: TestClient) -> None:
    response = anonymous.post(
        "/sign-in",
        data={
            "email": EMAILS[Role.ADMIN],
            "password": PASSWORD,
            "next": "//evil.example",
            "csrf_token": csrf(anonymous),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_signing_out_ends_the_session_on_the_server(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.ADMIN)
    stolen = client.cookies[SESSION_COOKIE]
    client.post("/sign-out", data={"csrf_token": csrf(client)}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, stolen)
    assert client.get("/org", follow_redirects=False).status_code == 303


def test_changing_the_password_needs_the_current_one(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.EXECUTIVE)
    wrong = client.post(
        "/account/password", data={"current": "nope", "new": "a-new-password-1", "csrf_token": csrf(client)}
    )
    assert wrong.status_code == 400
    right = client.post(
        "/account/password", data={"current": PASSWORD, "new": "a-new-password-1", "csrf_token": csrf(client)}
    )
    assert right.status_code == 200
    fresh = TestClient(client.app)
    assert sign_in(fresh, EMAILS[Role.EXECUTIVE], "a-new-password-1") == 303


def test_a_short_password_is_refused(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.EXECUTIVE)
    response = client.post("/account/password", data={"current": PASSWORD, "new": "short", "csrf_token": csrf(client)})
    assert response.status_code == 400
    assert "at least 10 characters" in response.text


def test_a_set_password_link_works_once(anonymous: TestClient, engine: Engine) -> None:
    with transaction(engine) as session:
        user = user_by_email(session, EMAILS[Role.MEMBER])
        assert user is not None
        raw = create_password_link(session, user=user, lifetime=timedelta(hours=1), actor="test")
    assert anonymous.get(f"/set-password/{raw}").status_code == 200
    first = anonymous.post(
        f"/set-password/{raw}",
        data={"password": "brand-new-password", "csrf_token": csrf(anonymous)},
        follow_redirects=False,
    )
    assert first.status_code == 303
    assert anonymous.get(f"/set-password/{raw}").status_code == 404
    assert sign_in(TestClient(anonymous.app), EMAILS[Role.MEMBER], "brand-new-password") == 303


def test_an_admin_creates_a_user_and_sees_their_link_once(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.ADMIN)
    response = client.post(
        "/admin/users", data={"email": "New@Example.com", "role": "lead", "csrf_token": csrf(client)}
    )
    assert response.status_code == 200
    assert "new@example.com" in response.text
    assert "/set-password/" in response.text
    assert "/set-password/" not in client.get("/admin/users").text


def test_an_admin_cannot_demote_themselves(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    client = signed_in(Role.ADMIN)
    with transaction(engine) as session:
        admin = user_by_email(session, EMAILS[Role.ADMIN])
        assert admin is not None
        admin_id = admin.id
    response = client.post(f"/admin/users/{admin_id}/role", data={"role": "member", "csrf_token": csrf(client)})
    assert response.status_code == 400


def test_a_deactivated_user_is_signed_out_everywhere(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    member = signed_in(Role.MEMBER)
    admin = signed_in(Role.ADMIN)
    with transaction(engine) as session:
        user = user_by_email(session, EMAILS[Role.MEMBER])
        assert user is not None
        member_id = user.id
    admin.post(f"/admin/users/{member_id}/active", data={"active": "false", "csrf_token": csrf(admin)})
    assert member.get("/teams/Payments", follow_redirects=False).status_code == 303
    assert sign_in(TestClient(member.app), EMAILS[Role.MEMBER]) == 401


def test_changing_the_password_keeps_this_browser_signed_in_with_a_new_session(
    signed_in: Callable[[Role], TestClient],
) -> None:
    client = signed_in(Role.EXECUTIVE)
    old = client.cookies[SESSION_COOKIE]
    client.post("/account/password", data={"current": PASSWORD, "new": "a-new-password-1", "csrf_token": csrf(client)})
    assert client.cookies[SESSION_COOKIE] != old
    assert client.get("/org", follow_redirects=False).status_code == 200


def test_an_unknown_email_is_locked_out_like_a_real_one(anonymous: TestClient) -> None:
    real = [sign_in(anonymous, EMAILS[Role.LEAD], "wrong-password-1") for _ in range(5)]
    unknown = [sign_in(anonymous, "nobody@example.com", "wrong-password-1") for _ in range(5)]
    assert real == unknown == [401, 401, 401, 401, 429]


def test_odd_sign_in_input_is_a_plain_refusal(anonymous: TestClient) -> None:
    assert sign_in(anonymous, "nul\x00@example.com", PASSWORD) == 401
    assert sign_in(anonymous, "x" * 1000 + "@example.com", PASSWORD) == 401


def test_out_of_range_ids_are_422_not_500(signed_in: Callable[[Role], TestClient]) -> None:
    admin = signed_in(Role.ADMIN)
    huge = "99999999999999999999999"
    assert admin.post(f"/admin/users/{huge}/role", data={"role": "lead", "csrf_token": csrf(admin)}).status_code == 422
    assert admin.get(f"/admin/audit?offset={huge}").status_code == 422
    assert admin.get(f"/api/v1/people?offset={huge}").status_code == 422


def test_pages_are_not_cached(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.ADMIN)
    assert client.get("/admin/users").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/tandem.css").headers.get("cache-control", "")


def test_a_forbidden_page_keeps_the_navigation(signed_in: Callable[[Role], TestClient]) -> None:
    page = signed_in(Role.MEMBER).get("/admin/users").text
    assert "dev1@example.com" in page
    assert "Sign out" in page


def test_the_access_log_never_shows_a_set_password_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/set-password/SECRET-TOKEN", "1.1", 200),
        None,
    )
    RedactSecretsInAccessLog().filter(record)
    assert "SECRET-TOKEN" not in record.getMessage()
    assert "/set-password/[redacted]" in record.getMessage()
