"""Account rules that hold whatever the route: hashing, lock-out timing, sessions and links expiring."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import argon2
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tandem.accounts import service
from tandem.accounts.models import Role
from tandem.accounts.service import (
    AccountError,
    SignIn,
    create_password_link,
    create_user,
    password_link_user,
    set_active,
    set_password,
    sign_in,
    start_session,
    use_password_link,
    user_for_session,
)
from tandem.db import transaction, utcnow


def test_production_hashes_are_argon2id_at_the_librarys_recommended_cost() -> None:
    params = argon2.extract_parameters(argon2.PasswordHasher().hash("x"))
    assert params.type is argon2.Type.ID
    assert params.time_cost >= 3
    assert params.memory_cost >= 64 * 1024


def test_a_password_is_stored_only_as_an_argon2_hash(session: Session) -> None:
    user = create_user(session, email="a@example.com", role=Role.MEMBER, actor="t")
    set_password(session, user=user, password="a-long-password", actor="t")
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert "a-long-password" not in user.password_hash


def test_a_lock_expires_after_its_time(session: Session) -> None:
    user = create_user(session, email="a@example.com", role=Role.MEMBER, actor="t")
    set_password(session, user=user, password="a-long-password", actor="t")
    now = utcnow()
    for _ in range(3):
        sign_in(
            session, email="a@example.com", password="wrong", max_failures=3, lockout=timedelta(minutes=15), now=now
        )
    locked = sign_in(
        session,
        email="a@example.com",
        password="a-long-password",
        max_failures=3,
        lockout=timedelta(minutes=15),
        now=now + timedelta(minutes=14),
    )
    later = sign_in(
        session,
        email="a@example.com",
        password="a-long-password",
        max_failures=3,
        lockout=timedelta(minutes=15),
        now=now + timedelta(minutes=16),
    )
    assert (locked.outcome, later.outcome) == (SignIn.LOCKED, SignIn.OK)


def test_an_email_in_another_case_is_the_same_account(session: Session) -> None:
    user = create_user(session, email="Mixed@Example.com", role=Role.MEMBER, actor="t")
    set_password(session, user=user, password="a-long-password", actor="t")
    result = sign_in(
        session, email=" MIXED@example.COM ", password="a-long-password", max_failures=5, lockout=timedelta(minutes=1)
    )
    assert result.outcome is SignIn.OK


def test_a_session_ends_when_it_expires(session: Session) -> None:
    user = create_user(session, email="a@example.com", role=Role.MEMBER, actor="t")
    raw = start_session(session, user=user, lifetime=timedelta(hours=1))
    assert user_for_session(session, raw) is user
    assert user_for_session(session, raw, now=utcnow() + timedelta(hours=2)) is None


def test_a_new_password_ends_every_session(session: Session) -> None:
    user = create_user(session, email="a@example.com", role=Role.MEMBER, actor="t")
    raw = start_session(session, user=user, lifetime=timedelta(hours=1))
    set_password(session, user=user, password="a-long-password", actor="t")
    assert user_for_session(session, raw) is None


def test_an_expired_password_link_is_refused(session: Session) -> None:
    user = create_user(session, email="a@example.com", role=Role.MEMBER, actor="t")
    raw = create_password_link(session, user=user, lifetime=timedelta(seconds=-1), actor="t")
    assert password_link_user(session, raw) is None


def test_the_suite_uses_a_cheap_hasher_of_the_same_algorithm() -> None:
    assert service._hasher.type is argon2.Type.ID


def test_parallel_wrong_passwords_cannot_outrun_the_lock(engine: Engine) -> None:
    with transaction(engine) as session:
        user = create_user(session, email="race@example.com", role=Role.MEMBER, actor="t")
        set_password(session, user=user, password="the-right-password", actor="t")

    def attempt(password: str) -> SignIn:
        with transaction(engine) as session:
            return sign_in(
                session, email="race@example.com", password=password, max_failures=5, lockout=timedelta(minutes=15)
            ).outcome

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, ["wrong-password"] * 24))
    assert outcomes.count(SignIn.WRONG) == 4  # the fifth attempt locks; every later one is refused unchecked
    assert attempt("the-right-password") is SignIn.LOCKED


def test_an_unknown_email_locks_like_a_real_one(session: Session) -> None:
    outcomes = [
        sign_in(session, email="nobody@example.com", password="x", max_failures=3, lockout=timedelta(minutes=1)).outcome
        for _ in range(3)
    ]
    assert outcomes == [SignIn.WRONG, SignIn.WRONG, SignIn.LOCKED]


def test_an_unusable_email_is_just_a_wrong_one(session: Session) -> None:
    for email in ("nul\x00@example.com", "x" * 400 + "@example.com", ""):
        result = sign_in(session, email=email, password="x", max_failures=5, lockout=timedelta(minutes=1))
        assert result.outcome is SignIn.WRONG


def test_using_one_link_cancels_the_others(session: Session) -> None:
    user = create_user(session, email="a@example.com", role=Role.MEMBER, actor="t")
    first = create_password_link(session, user=user, lifetime=timedelta(hours=1), actor="t")
    second = create_password_link(session, user=user, lifetime=timedelta(hours=1), actor="t")
    use_password_link(session, raw=second, password="a-long-password")
    assert password_link_user(session, first) is None


def test_a_link_does_not_work_for_a_deactivated_user(session: Session) -> None:
    user = create_user(session, email="a@example.com", role=Role.MEMBER, actor="t")
    raw = create_password_link(session, user=user, lifetime=timedelta(hours=1), actor="t")
    set_active(session, user=user, active=False, actor="t")
    assert password_link_user(session, raw) is None


def test_a_user_needs_a_real_email(session: Session) -> None:
    for email in ("not-an-address", "nul\x00@example.com", "x" * 330 + "@example.com"):
        with pytest.raises(AccountError, match="is not an e-mail address"):
            create_user(session, email=email, role=Role.MEMBER, actor="t")
