"""Single sign-on against a real (local) OpenID Connect provider: who gets in, who is refused."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, provider_app
from tandem.accounts.models import Role, User
from tandem.config import OidcSettings, Settings
from tandem.db import session_factory
from tandem.web.app import create_app
from tandem.web.deps import SESSION_COOKIE


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = Provider(issuer=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(provider_app(state), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield state
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def sso_client(settings: Settings, provider: Provider, web_org: None) -> Iterator[TestClient]:
    provider.who = {"email": "pm1@example.com", "email_verified": True}
    provider.nonce_override = None
    settings.oidc = OidcSettings(
        discovery_url=f"{provider.issuer}/.well-known/openid-configuration",
        client_id=CLIENT_ID,
        client_secret=SecretStr(CLIENT_SECRET),
        display_name="Test SSO",
    )
    settings.web.public_url = "http://testserver"
    with TestClient(create_app(settings)) as client:
        yield client


def round_trip(client: TestClient, state: str | None = None) -> httpx.Response:
    """Leave for the provider, let it approve, and come back to the callback as a browser would."""
    leaving = client.get("/sign-in/oidc?next=/org", follow_redirects=False)
    assert leaving.status_code == 303, leaving.text
    approved = httpx.get(leaving.headers["location"], follow_redirects=False)
    callback = urlsplit(approved.headers["location"])
    query = callback.query if state is None else callback.query.rsplit("state=", 1)[0] + f"state={state}"
    return client.get(f"{callback.path}?{query}", follow_redirects=False)


def test_the_sign_in_page_offers_single_sign_on(sso_client: TestClient) -> None:
    assert "Sign in with Test SSO" in sso_client.get("/sign-in").text


def test_an_existing_user_signs_in_by_verified_email(sso_client: TestClient, engine: object) -> None:
    back = round_trip(sso_client)
    assert (back.status_code, back.headers["location"]) == (303, "/org")
    assert SESSION_COOKIE in back.cookies
    assert sso_client.get("/org").status_code == 200


def test_a_person_in_the_org_without_an_account_gets_one(
    sso_client: TestClient, provider: Provider, settings: Settings
) -> None:
    provider.who = {"email": "em1@example.com", "email_verified": True}  # leads Payments, has no user yet
    assert round_trip(sso_client).status_code == 303
    with session_factory(sso_client.app.state.engine)() as session:  # type: ignore[attr-defined]
        user = session.scalars(select(User).where(User.email == "em1@example.com")).one()
    assert user.role is Role.LEAD


def test_an_unverified_email_is_refused(sso_client: TestClient, provider: Provider) -> None:
    provider.who = {"email": "pm1@example.com", "email_verified": False}
    back = round_trip(sso_client)
    assert back.status_code == 403
    assert "not verified" in back.text


def test_someone_outside_the_org_is_refused(sso_client: TestClient, provider: Provider) -> None:
    provider.who = {"email": "stranger@example.com", "email_verified": True}
    back = round_trip(sso_client)
    assert back.status_code == 403
    assert "is not in the org" in back.text


def test_a_forged_state_is_refused(sso_client: TestClient) -> None:
    back = round_trip(sso_client, state="forged")
    assert back.status_code == 403
    assert "state mismatch" in back.text


def test_a_replayed_nonce_is_refused(sso_client: TestClient, provider: Provider) -> None:
    provider.nonce_override = "some-other-sign-in"
    back = round_trip(sso_client)
    assert back.status_code == 403
    assert "could not be trusted" in back.text


def test_without_settings_single_sign_on_is_404(anonymous: TestClient) -> None:
    assert anonymous.get("/sign-in/oidc").status_code == 404
    assert "Sign in with" not in anonymous.get("/sign-in").text


def test_a_placeholder_client_secret_is_refused_in_settings() -> None:
    with pytest.raises(ValueError, match="placeholder"):
        OidcSettings(
            discovery_url="https://idp.example/.well-known/openid-configuration",
            client_id="x",
            client_secret=SecretStr("changeme"),
        )
