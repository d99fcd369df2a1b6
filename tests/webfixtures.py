"""Web fixtures (a pytest plugin): a real app on a real database, an imported org, a signed-in user per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from factories import import_small_org, person, small_org, small_teams
from tandem.accounts.models import Role
from tandem.accounts.service import create_api_token, create_user, set_password
from tandem.config import Settings
from tandem.db import transaction
from tandem.walk.findings import finding_id
from tandem.web.app import create_app
from tandem.web.security import CSRF_COOKIE

PASSWORD = "correct-horse-battery"
EMAILS = {
    Role.ADMIN: "admin@example.com",
    Role.EXECUTIVE: "exec@example.com",
    Role.LEAD: "pm1@example.com",  # product lead of Payments
    Role.MEMBER: "dev1@example.com",  # engineer on Payments
}
SEARCH_GAP = finding_id("power_gap", "team:Search")

Headers = dict[str, dict[str, str]]  # who -> the Authorization header of their API token


def web_org_people() -> list[dict[str, str]]:
    """The small org plus Search, whose product lead is three levels below its engineering lead."""
    return [
        *small_org(),
        person("pm2", "gm", "product", 4, team="Search"),
        person("em2", "gm", "engineering", 7, team="Search"),
    ]


def web_org_teams() -> list[dict[str, str]]:
    return [*small_teams(), {"team": "Search", "product_lead": "pm2", "engineering_lead": "em2"}]


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "tandem.toml"))
    return Settings(database_url=database_url)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def web_org(engine: Engine) -> None:
    with transaction(engine) as session:
        import_small_org(session, web_org_people(), web_org_teams())
        for role, email in EMAILS.items():
            user = create_user(session, email=email, role=role, actor="test")
            set_password(session, user=user, password=PASSWORD, actor="test")


@pytest.fixture
def tokens(engine: Engine, web_org: None) -> dict[Role, str]:
    """A personal API token per role."""
    from tandem.accounts.service import user_by_email

    with transaction(engine) as session:
        return {
            role: create_api_token(session, user=user, name="test", actor="test")
            for role, email in EMAILS.items()
            if (user := user_by_email(session, email)) is not None
        }


@pytest.fixture
def anonymous(app: FastAPI, web_org: None) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def csrf(client: TestClient) -> str:
    if CSRF_COOKIE not in client.cookies:
        client.get("/healthz")
    return client.cookies[CSRF_COOKIE]


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> int:
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "next": "/", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    return response.status_code


@contextmanager
def signed_in_clients(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """A factory: a client signed in with the given e-mail's account; every client it made is closed on exit."""
    clients: list[TestClient] = []

    def make(email: str) -> TestClient:
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        assert sign_in(client, email) == 303
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def signed_in(app: FastAPI, web_org: None) -> Iterator[Callable[[Role], TestClient]]:
    """A factory: a client signed in with the given role."""
    with signed_in_clients(app) as make:
        yield lambda role: make(EMAILS[role])


@pytest.fixture
def em1(engine: Engine, web_org: None) -> str:
    """The Payments engineering lead gets an account (a lead, like pm1); its API token."""
    with transaction(engine) as session:
        user = create_user(session, email="em1@example.com", role=Role.LEAD, actor="test")
        set_password(session, user=user, password=PASSWORD, actor="test")
        return create_api_token(session, user=user, name="test", actor="test")


@pytest.fixture
def api(em1: str, tokens: dict[Role, str]) -> Headers:
    """Authorization headers: pm1 (product lead), em1 (engineering lead), dev1 (member), an executive, an admin."""
    raw = {
        "pm1": tokens[Role.LEAD],
        "em1": em1,
        "member": tokens[Role.MEMBER],
        "executive": tokens[Role.EXECUTIVE],
        "admin": tokens[Role.ADMIN],
    }
    return {who: {"Authorization": f"Bearer {token}"} for who, token in raw.items()}


@pytest.fixture
def browser_of(app: FastAPI, em1: str) -> Iterator[Callable[[str], TestClient]]:
    """A factory: a client signed in with the given e-mail's account (em1's included)."""
    with signed_in_clients(app) as make:
        yield make
