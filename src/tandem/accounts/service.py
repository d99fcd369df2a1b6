"""Accounts: users, passwords (argon2), lock-out, sessions, API tokens and one-time set-password links.

Raw secrets (session cookies, API tokens, set-password links) exist only in the caller's hands; the database
keeps their SHA-256. Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tandem.accounts.models import ApiToken, PasswordLink, Role, User, WebSession
from tandem.audit.service import record
from tandem.db import utcnow

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "tdm_"
_hasher = PasswordHasher()  # argon2id with the library's recommended cost
# Verifying against this when no user matches keeps a wrong e-mail as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("tandem-no-such-user")


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Swap the argon2 cost (the test suite uses a cheap one; production keeps the default)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("tandem-no-such-user")


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; the message is safe to show to the user."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


def create_user(session: Session, *, email: str, role: Role, actor: str) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"'{email}' is not an e-mail address")
    if user_by_email(session, email) is not None:
        raise AccountError(f"a user with the e-mail {email} already exists")
    user = User(email=email, role=role, active=True, failed_sign_ins=0, created_at=utcnow())
    session.add(user)
    session.flush()
    record(session, actor=actor, action="user.create", entity="user", entity_id=email, after={"role": role.value})
    return user


def set_role(session: Session, *, user: User, role: Role, actor: str) -> None:
    before = user.role
    user.role = role
    record(
        session,
        actor=actor,
        action="user.role",
        entity="user",
        entity_id=user.email,
        before={"role": before.value},
        after={"role": role.value},
    )


def set_active(session: Session, *, user: User, active: bool, actor: str) -> None:
    before = user.active
    user.active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    record(
        session,
        actor=actor,
        action="user.active",
        entity="user",
        entity_id=user.email,
        before={"active": before},
        after={"active": active},
    )


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def set_password(session: Session, *, user: User, password: str, actor: str) -> None:
    """Set a password and sign the user out everywhere else (the audit log records that it changed, not what)."""
    check_password_strength(password)
    user.password_hash = _hasher.hash(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    record(session, actor=actor, action="user.password", entity="user", entity_id=user.email)


def verify_password(user: User, password: str) -> bool:
    if user.password_hash is None:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class SignIn(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignIn
    user: User | None = None


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    max_failures: int,
    lockout: timedelta,
    now: datetime | None = None,
) -> SignInResult:
    """Check a password; ``max_failures`` wrong ones in a row lock the account for ``lockout``."""
    now = now or utcnow()
    user = user_by_email(session, email)
    if user is None or not user.active:
        _hasher.verify(_DUMMY_HASH, "tandem-no-such-user")
        record(
            session,
            actor=f"anonymous:{normalise_email(email)}",
            action="user.sign_in_failed",
            entity="user",
            entity_id=normalise_email(email),
            after={"reason": "unknown or inactive user"},
        )
        return SignInResult(SignIn.WRONG)
    if user.locked_until is not None and user.locked_until > now:
        record(
            session,
            actor=f"user:{user.email}",
            action="user.sign_in_refused",
            entity="user",
            entity_id=user.email,
            after={"reason": "locked", "locked_until": user.locked_until.isoformat()},
        )
        return SignInResult(SignIn.LOCKED, user)
    if not verify_password(user, password):
        user.failed_sign_ins += 1
        after: dict[str, object] = {"failed_sign_ins": user.failed_sign_ins}
        if user.failed_sign_ins >= max_failures:
            user.locked_until = now + lockout
            user.failed_sign_ins = 0
            after["locked_until"] = user.locked_until.isoformat()
        record(
            session,
            actor=f"user:{user.email}",
            action="user.sign_in_failed",
            entity="user",
            entity_id=user.email,
            after=after,
        )
        return SignInResult(SignIn.LOCKED if "locked_until" in after else SignIn.WRONG, user)
    if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    record(session, actor=f"user:{user.email}", action="user.sign_in", entity="user", entity_id=user.email)
    return SignInResult(SignIn.OK, user)


def start_session(session: Session, *, user: User, lifetime: timedelta) -> str:
    """A new signed-in session; returns the raw token for the cookie."""
    raw = secrets.token_urlsafe(32)
    session.add(
        WebSession(token_hash=token_hash(raw), user_id=user.id, created_at=utcnow(), expires_at=utcnow() + lifetime)
    )
    session.flush()
    return raw


def end_session(session: Session, *, raw: str, actor: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(raw)))
    record(session, actor=actor, action="user.sign_out", entity="user", entity_id=actor.removeprefix("user:"))


def user_for_session(session: Session, raw: str, now: datetime | None = None) -> User | None:
    web_session = session.get(WebSession, token_hash(raw))
    if web_session is None or web_session.expires_at <= (now or utcnow()) or not web_session.user.active:
        return None
    return web_session.user


def create_api_token(session: Session, *, user: User, name: str, actor: str) -> str:
    """A personal API token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(raw), prefix=raw[:12], created_at=utcnow())
    session.add(token)
    session.flush()
    record(
        session,
        actor=actor,
        action="token.create",
        entity="api_token",
        entity_id=token.prefix,
        after={"user": user.email, "name": name},
    )
    return raw


def revoke_api_token(session: Session, *, token: ApiToken, actor: str) -> None:
    token.revoked_at = utcnow()
    record(session, actor=actor, action="token.revoke", entity="api_token", entity_id=token.prefix)


def user_for_api_token(session: Session, raw: str) -> User | None:
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(raw))).first()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    return token.user


def create_password_link(session: Session, *, user: User, lifetime: timedelta, actor: str) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(PasswordLink(token_hash=token_hash(raw), user_id=user.id, expires_at=utcnow() + lifetime))
    session.flush()
    record(session, actor=actor, action="user.password_link", entity="user", entity_id=user.email)
    return raw


def password_link_user(session: Session, raw: str) -> User | None:
    link = session.get(PasswordLink, token_hash(raw))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link.user


def use_password_link(session: Session, *, raw: str, password: str) -> User:
    link = session.get(PasswordLink, token_hash(raw))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise AccountError("this link has expired or has been used; ask an admin for a new one")
    set_password(session, user=link.user, password=password, actor=f"user:{link.user.email}")
    link.used_at = utcnow()
    return link.user
