"""CSRF on every state-changing route, security headers on every response, and the health check."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tandem.accounts.models import Role
from tandem.config import Settings
from tandem.web.app import ROUTERS, create_app
from webfixtures import csrf


def state_changing_paths(app: FastAPI) -> list[str]:
    paths = []
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.methods & {"POST", "PUT", "PATCH", "DELETE"}:
                paths.append(re.sub(r"\{(user_id|decision_id)\}", "1", route.path).replace("{token}", "x"))
    return paths


def test_the_app_has_state_changing_routes_to_protect(app: FastAPI) -> None:
    assert len(state_changing_paths(app)) >= 8


@pytest.mark.parametrize("token", [None, "wrong"])
def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(
    token: str | None, app: FastAPI, signed_in: Callable[[Role], TestClient]
) -> None:
    client = signed_in(Role.ADMIN)
    data = {"csrf_token": token} if token else {}
    for path in state_changing_paths(app):
        response = client.post(path, data=data)
        assert response.status_code == 403, path
        assert "Request refused" in response.text or "missing or wrong CSRF token" in response.text, path


def test_the_csrf_header_works_as_well_as_the_form_field(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.ADMIN)
    response = client.post("/sign-out", headers={"X-CSRF-Token": csrf(client)}, follow_redirects=False)
    assert response.status_code == 303


def test_pages_carry_the_security_headers(signed_in: Callable[[Role], TestClient]) -> None:
    headers = signed_in(Role.ADMIN).get("/").headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


def test_the_csrf_cookie_is_httponly_and_strict(anonymous: TestClient) -> None:
    cookie = anonymous.get("/sign-in").headers["set-cookie"]
    assert cookie.startswith("tandem_csrf=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie


def test_healthz_is_200_with_the_database_up(anonymous: TestClient) -> None:
    response = anonymous.get("/healthz")
    assert (response.status_code, response.json()["database"]) == (200, "reachable")


def test_healthz_is_503_with_the_database_down(tmp_path: object) -> None:
    app = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"))
    response = TestClient(app).get("/healthz")  # no lifespan: the server is up, its database is not
    assert (response.status_code, response.json()["database"]) == (503, "unreachable")


def test_static_files_are_served_from_the_package(anonymous: TestClient) -> None:
    response = anonymous.get("/static/tandem.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
