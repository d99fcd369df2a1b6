"""Optional single sign-on with an OpenID Connect provider (authorization code flow with PKCE).

Authlib drives the OAuth 2 exchange; joserfc checks the ID token's signature (the provider's JWKS), issuer,
audience, expiry and nonce. A user is matched by *verified* e-mail: an existing user signs in; someone who is
an active person in the org but has no account yet gets one (``lead`` if they lead a team, else ``member``);
anyone else is refused.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tandem.accounts.models import Role, User
from tandem.accounts.service import create_user, user_by_email
from tandem.audit.service import record
from tandem.config import OidcSettings
from tandem.org.models import Person, Team

STATE_COOKIE = "tandem_oidc"
CALLBACK_PATH = "/sign-in/oidc/callback"
_DISCOVERY_TTL = 3600.0
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


class SingleSignOnError(Exception):
    """Single sign-on did not establish who this is; the message is safe to show."""


@dataclass(frozen=True)
class PendingSignIn:
    """What the browser carries (in an HttpOnly cookie) between leaving for the provider and coming back."""

    state: str
    nonce: str
    code_verifier: str
    next: str

    def encode(self) -> str:
        return base64.urlsafe_b64encode(json.dumps(self.__dict__).encode()).decode()

    @classmethod
    def decode(cls, value: str) -> PendingSignIn:
        try:
            return cls(**json.loads(base64.urlsafe_b64decode(value.encode())))
        except (ValueError, TypeError) as error:
            raise SingleSignOnError("the sign-in took a wrong turn; start again") from error


def provider_metadata(settings: OidcSettings) -> dict[str, Any]:
    """The provider's discovery document, cached for an hour."""
    cached = _discovered.get(settings.discovery_url)
    if cached is not None and time.monotonic() - cached[0] < _DISCOVERY_TTL:
        return cached[1]
    try:
        response = httpx.get(settings.discovery_url, timeout=10)
        response.raise_for_status()
        metadata: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise SingleSignOnError("the single sign-on provider cannot be reached right now") from error
    _discovered[settings.discovery_url] = (time.monotonic(), metadata)
    return metadata


def _client(settings: OidcSettings, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        scope=settings.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=10,
    )


def start(settings: OidcSettings, redirect_uri: str, next_path: str) -> tuple[str, PendingSignIn]:
    """The provider URL to send the browser to, and what to remember until it comes back."""
    pending = PendingSignIn(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        code_verifier=secrets.token_urlsafe(48),
        next=next_path,
    )
    with _client(settings, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            provider_metadata(settings)["authorization_endpoint"],
            state=pending.state,
            code_verifier=pending.code_verifier,
            nonce=pending.nonce,
        )
    return str(url), pending


def verified_email(settings: OidcSettings, redirect_uri: str, pending: PendingSignIn, code: str, state: str) -> str:
    """Exchange the code, check the ID token, and return its verified e-mail."""
    if not secrets.compare_digest(pending.state, state):
        raise SingleSignOnError("the sign-in took a wrong turn (state mismatch); start again")
    metadata = provider_metadata(settings)
    try:
        with _client(settings, redirect_uri) as client:
            token = client.fetch_token(
                metadata["token_endpoint"],
                code=code,
                code_verifier=pending.code_verifier,
                grant_type="authorization_code",
            )
        keys = KeySet.import_key_set(httpx.get(metadata["jwks_uri"], timeout=10).json())
        id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256", "ES256", "PS256"])
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": settings.client_id},
            nonce={"essential": True, "value": pending.nonce},
            exp={"essential": True},
        ).validate(id_token.claims)
    except (httpx.HTTPError, KeyError, ValueError, JoseError) as error:
        raise SingleSignOnError(f"the provider's answer could not be trusted ({error})") from error
    claims = id_token.claims
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        raise SingleSignOnError("the provider did not vouch for your e-mail address (it is not verified)")
    return email


def user_for_email(session: Session, email: str, issuer: str) -> User:
    """The user this verified e-mail belongs to, created from the org if need be."""
    user = user_by_email(session, email)
    if user is not None:
        if not user.active:
            raise SingleSignOnError("this account is deactivated; ask an admin")
        return user
    person = session.scalars(select(Person).where(Person.email == email.strip().lower(), Person.active)).first()
    if person is None:
        raise SingleSignOnError(f"{email} is not in the org; ask an admin for an account")
    leads = session.scalars(
        select(Team.id).where(
            Team.active, or_(Team.product_lead_id == person.id, Team.engineering_lead_id == person.id)
        )
    ).first()
    role = Role.LEAD if leads is not None else Role.MEMBER
    user = create_user(session, email=email, role=role, actor=f"oidc:{issuer}")
    record(
        session,
        actor=f"oidc:{issuer}",
        action="user.sso_match",
        entity="user",
        entity_id=user.email,
        after={"person": person.id, "role": role.value},
    )
    return user
