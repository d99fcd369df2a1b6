"""Every role against every route family: the server answers 200, 303, 401 or 403 as the roles promise."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tandem.accounts.models import Role
from tandem.walk.findings import finding_id

SEARCH_GAP = finding_id("power_gap", "team:Search")

A, X, L, M = Role.ADMIN, Role.EXECUTIVE, Role.LEAD, Role.MEMBER

PAGES: dict[str, dict[Role, int]] = {
    "/": {A: 200, X: 200, L: 200, M: 303},  # a member's home is their own team
    f"/findings/{SEARCH_GAP}": {A: 200, X: 200, L: 200, M: 403},
    "/org": {A: 200, X: 200, L: 200, M: 403},
    "/teams/Payments": {A: 200, X: 200, L: 200, M: 200},
    "/teams/Search": {A: 200, X: 200, L: 200, M: 403},
    "/people/em1": {A: 200, X: 200, L: 200, M: 200},
    "/people/pm2": {A: 200, X: 200, L: 200, M: 403},
    "/admin/import": {A: 200, X: 403, L: 403, M: 403},
    "/admin/users": {A: 200, X: 403, L: 403, M: 403},
    "/admin/audit": {A: 200, X: 403, L: 403, M: 403},
    "/account": {A: 200, X: 200, L: 200, M: 200},
}
API: dict[str, dict[Role, int]] = {
    "/api/v1/walk": {A: 200, X: 200, L: 200, M: 403},
    "/api/v1/org": {A: 200, X: 200, L: 200, M: 403},
    "/api/v1/people": {A: 200, X: 200, L: 200, M: 403},
    "/api/v1/people/em1": {A: 200, X: 200, L: 200, M: 200},
    "/api/v1/people/pm2": {A: 200, X: 200, L: 200, M: 403},
    "/api/v1/teams": {A: 200, X: 200, L: 200, M: 403},
    "/api/v1/teams/Payments": {A: 200, X: 200, L: 200, M: 200},
    "/api/v1/teams/Search": {A: 200, X: 200, L: 200, M: 403},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_what_it_may_read_of_every_page(role: Role, signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(role)
    answers = {path: client.get(path, follow_redirects=False).status_code for path in PAGES}
    assert answers == {path: expected[role] for path, expected in PAGES.items()}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_what_it_may_read_of_the_api(role: Role, anonymous: TestClient, tokens: dict[Role, str]) -> None:
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    answers = {path: anonymous.get(path, headers=headers).status_code for path in API}
    assert answers == {path: expected[role] for path, expected in API.items()}


def test_anonymous_pages_redirect_to_sign_in(anonymous: TestClient) -> None:
    for path in PAGES:
        response = anonymous.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"].split("?")[0]) == (303, "/sign-in"), path


def test_anonymous_api_calls_are_401(anonymous: TestClient) -> None:
    for path in API:
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_is_401(anonymous: TestClient, tokens: dict[Role, str]) -> None:
    response = anonymous.get("/api/v1/walk", headers={"Authorization": "Bearer tdm_not-a-real-token"})
    assert response.status_code == 401


def test_a_forbidden_page_says_so(signed_in: Callable[[Role], TestClient]) -> None:
    response = signed_in(Role.MEMBER).get("/admin/users")
    assert response.status_code == 403
    assert "Your role does not allow this page." in response.text


def test_a_member_lands_on_their_own_team(signed_in: Callable[[Role], TestClient]) -> None:
    response = signed_in(Role.MEMBER).get("/", follow_redirects=False)
    assert response.headers["location"] == "/teams/Payments"
