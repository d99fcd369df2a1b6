"""Accounts: users, passwords (argon2), lock-out, sessions, API tokens and one-time set-password links.

Raw secrets (session cookies, API tokens, set-password links) exist only in the caller's hands; the database
keeps their SHA-256. Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tandem.accounts.models import ApiToken, PasswordLink, Role, SignInThrottle, User, WebSession
from tandem.audit.service import record
from tandem.config import WebSettings
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
    try:
        email = normalise_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise AccountError(f"'{email[:80]}' is not an e-mail address") from error
    if user_by_email(session, email) is not None:
        raise AccountError(f"a user with the e-mail {email} already exists")
    user = User(email=email, role=role, active=True, created_at=utcnow())
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
    """Set a password; end every session and cancel every open set-password link of the user.

    The audit log records that it changed, never what to.
    """
    check_password_strength(password)
    user.password_hash = _hasher.hash(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.email_hash == token_hash(user.email))
        .values(attempts=0, locked_until=None)
    )
    record(session, actor=actor, action="user.password", entity="user", entity_id=user.email)


def verify_password(user: User, password: str) -> bool:
    if user.password_hash is None:
        return _dummy_verify()  # as slow as a real check: no account is told apart by timing
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


def _throttle_row(session: Session, key: str) -> None:
    """Make sure the e-mail's counter exists (one row per e-mail hash, created race-free)."""
    dialect = session.get_bind().dialect.name
    insert_ = sqlite_insert if dialect == "sqlite" else postgresql_insert
    session.execute(
        insert_(SignInThrottle).values(email_hash=key, attempts=0).on_conflict_do_nothing(index_elements=["email_hash"])
    )


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    max_failures: int,
    lockout: timedelta,
    now: datetime | None = None,
) -> SignInResult:
    """Check a password; ``max_failures`` wrong ones in a row lock the e-mail for ``lockout``.

    Every attempt is counted atomically *before* the password is checked, so parallel guesses cannot slip past
    the limit; every path verifies one argon2 hash, and unknown e-mails are throttled like real ones, so neither
    timing nor status codes tell which e-mails have accounts.
    """
    now = now or utcnow()
    email = normalise_email(email)
    usable = 0 < len(email) <= 320 and "\x00" not in email
    key = token_hash(email if usable else "~unusable~")
    _throttle_row(session, key)
    attempts, locked_until = session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.email_hash == key)
        .values(attempts=SignInThrottle.attempts + 1)
        .returning(SignInThrottle.attempts, SignInThrottle.locked_until)
    ).one()
    user = user_by_email(session, email) if usable else None
    if user is not None and not user.active:
        user = None
    if locked_until is not None and locked_until > now:
        _dummy_verify()
        if user is not None:
            _audit_sign_in_failure(session, user, "locked")
        return SignInResult(SignIn.LOCKED, user)
    ok = verify_password(user, password) if user is not None else _dummy_verify()
    if ok and user is not None:
        session.execute(
            update(SignInThrottle).where(SignInThrottle.email_hash == key).values(attempts=0, locked_until=None)
        )
        if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_sign_in_at = now
        record(session, actor=f"user:{user.email}", action="user.sign_in", entity="user", entity_id=user.email)
        return SignInResult(SignIn.OK, user)
    if attempts >= max_failures:
        session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.email_hash == key)
            .values(attempts=0, locked_until=now + lockout)
        )
        if user is not None:
            _audit_sign_in_failure(session, user, "wrong password; locked")
        return SignInResult(SignIn.LOCKED, user)
    if user is not None:
        _audit_sign_in_failure(session, user, "wrong password")
    return SignInResult(SignIn.WRONG, user)


def _dummy_verify() -> bool:
    """Spend the time of one password check, and fail."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, "not-the-dummy-password")
    return False


def _audit_sign_in_failure(session: Session, user: User, reason: str) -> None:
    # Only attempts on real accounts are recorded, never what was typed: a password pasted into the e-mail box
    # must not live forever in an append-only log.
    record(
        session,
        actor="anonymous",
        action="user.sign_in_failed",
        entity="user",
        entity_id=user.email,
        after={"reason": reason},
    )


def locked_emails(session: Session, users: list[User], now: datetime | None = None) -> dict[str, datetime]:
    """Which of these users' e-mails are locked, and until when (for the admin's users page)."""
    by_key = {token_hash(user.email): user.email for user in users}
    rows = session.execute(
        select(SignInThrottle.email_hash, SignInThrottle.locked_until).where(
            SignInThrottle.email_hash.in_(list(by_key)), SignInThrottle.locked_until > (now or utcnow())
        )
    ).all()
    return {by_key[key]: until for key, until in rows if until is not None}


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


def api_token(session: Session, raw: str) -> ApiToken | None:
    """The live token behind a raw value (None when unknown, revoked, or its user is deactivated)."""
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(raw))).first()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def record_token_use(engine: Engine, token_id: int) -> None:
    """Note when a token was last used, in a transaction of its own: a read-only API call must not hold a write
    lock for its whole duration (SQLite has one writer at a time)."""
    with engine.begin() as connection:
        connection.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def create_password_link(session: Session, *, user: User, lifetime: timedelta, actor: str) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(PasswordLink(token_hash=token_hash(raw), user_id=user.id, expires_at=utcnow() + lifetime))
    session.flush()
    record(session, actor=actor, action="user.password_link", entity="user", entity_id=user.email)
    return raw


def _open_link(session: Session, raw: str) -> PasswordLink | None:
    link = session.get(PasswordLink, token_hash(raw))
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        return None
    return link


def password_link_url(session: Session, *, user: User, web: WebSettings, actor: str) -> str:
    """A new one-time set-password link, as the full URL to send to the user."""
    raw = create_password_link(session, user=user, lifetime=timedelta(hours=web.password_link_hours), actor=actor)
    return f"{web.public_url.rstrip('/')}/set-password/{raw}"


def password_link_user(session: Session, raw: str) -> User | None:
    link = _open_link(session, raw)
    return link.user if link is not None else None


def use_password_link(session: Session, *, raw: str, password: str) -> User:
    """Set the password through a one-time link; this and every other open link of the user stop working."""
    link = _open_link(session, raw)
    if link is None:
        raise AccountError("this link has expired or has been used; ask an admin for a new one")
    set_password(session, user=link.user, password=password, actor=f"user:{link.user.email}")
    return link.user
