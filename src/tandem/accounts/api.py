"""Signing in and out, passwords, set-password links, and the admin's users page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi import Path as FastApiPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from tandem.accounts import oidc
from tandem.accounts.models import Role, User
from tandem.accounts.permissions import can_administer
from tandem.accounts.service import (
    AccountError,
    SignIn,
    create_user,
    end_session,
    locked_emails,
    password_link_url,
    password_link_user,
    set_active,
    set_password,
    set_role,
    sign_in,
    start_session,
    use_password_link,
    verify_password,
)
from tandem.audit.service import record
from tandem.config import Settings
from tandem.db import utcnow
from tandem.web.deps import SESSION_COOKIE, CurrentViewer, OptionalViewer, SessionDep, SettingsDep, ensure
from tandem.web.render import page
from tandem.web.security import is_https

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def set_session_cookie(request: Request, response: Response, raw_session: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        raw_session,
        max_age=settings.web.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def signed_in_response(request: Request, raw_session: str, target: str, settings: Settings) -> Response:
    response = RedirectResponse(safe_next(target), status_code=303)
    set_session_cookie(request, response, raw_session, settings)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, viewer: OptionalViewer, settings: SettingsDep, next: str = "/") -> Response:
    if viewer is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, "sign_in.html", next=safe_next(next), oidc=settings.oidc)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    result = sign_in(
        session,
        email=email,
        password=password,
        max_failures=settings.web.sign_in_attempts,
        lockout=timedelta(minutes=settings.web.lockout_minutes),
    )
    if result.outcome is SignIn.OK and result.user is not None:
        raw = start_session(session, user=result.user, lifetime=timedelta(hours=settings.web.session_hours))
        return signed_in_response(request, raw, next, settings)
    if result.outcome is SignIn.LOCKED:
        message = (
            f"Too many wrong passwords: this account is locked for {settings.web.lockout_minutes} minutes. "
            "An admin can send you a link to set a new password."
        )
        status = 429
    else:
        message, status = "That e-mail and password do not match an account.", 401
    return page(request, "sign_in.html", status, next=safe_next(next), error=message, email=email, oidc=settings.oidc)


@router.post("/sign-out")
def sign_out(request: Request, viewer: CurrentViewer, session: SessionDep) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        end_session(session, raw=raw, actor=viewer.actor)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, viewer: CurrentViewer) -> HTMLResponse:
    return page(request, "account.html", viewer=viewer)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    viewer: CurrentViewer,
    session: SessionDep,
    settings: SettingsDep,
    current: Annotated[str, Form()],
    new: Annotated[str, Form()],
) -> HTMLResponse:
    user = session.get(User, viewer.user_id)
    assert user is not None
    if not verify_password(user, current):
        return page(request, "account.html", 400, viewer=viewer, error="Your current password is not right.")
    try:
        set_password(session, user=user, password=new, actor=viewer.actor)
    except AccountError as error:
        return page(request, "account.html", 400, viewer=viewer, error=str(error))
    # Every session ended with the old password; this browser gets a fresh one (never the old token again).
    raw = start_session(session, user=user, lifetime=timedelta(hours=settings.web.session_hours))
    response = page(request, "account.html", viewer=viewer, notice="Password changed. Other sessions were signed out.")
    set_session_cookie(request, response, raw, settings)
    return response


@router.get("/set-password/{token}", response_class=HTMLResponse)
def set_password_form(request: Request, token: str, session: SessionDep) -> HTMLResponse:
    user = password_link_user(session, token)
    if user is None:
        raise HTTPException(404, "This link has expired or has been used; ask an admin for a new one.")
    return page(request, "set_password.html", token=token, email=user.email)


@router.post("/set-password/{token}", response_class=HTMLResponse)
def set_password_submit(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, password: Annotated[str, Form()]
) -> Response:
    try:
        user = use_password_link(session, raw=token, password=password)
    except AccountError as error:
        found = password_link_user(session, token)
        return page(
            request, "set_password.html", 400, token=token, email=found.email if found else "", error=str(error)
        )
    record(
        session,
        actor=f"user:{user.email}",
        action="user.sign_in",
        entity="user",
        entity_id=user.email,
        after={"method": "password link"},
    )
    raw = start_session(session, user=user, lifetime=timedelta(hours=settings.web.session_hours))
    return signed_in_response(request, raw, "/", settings)


# --- admin: users and roles ----------------------------------------------------------------------------------


def users_page(
    request: Request, session: SessionDep, viewer: CurrentViewer, status: int = 200, **extra: object
) -> HTMLResponse:
    users = list(session.scalars(select(User).order_by(User.email)))
    locked = locked_emails(session, users)
    return page(request, "users.html", status, viewer=viewer, users=users, roles=list(Role), locked=locked, **extra)


@router.get("/admin/users", response_class=HTMLResponse)
def admin_users(request: Request, viewer: CurrentViewer, session: SessionDep) -> HTMLResponse:
    ensure(can_administer(viewer))
    return users_page(request, session, viewer)


@router.post("/admin/users", response_class=HTMLResponse)
def admin_create_user(
    request: Request,
    viewer: CurrentViewer,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form()],
    role: Annotated[Role, Form()],
) -> HTMLResponse:
    ensure(can_administer(viewer))
    try:
        user = create_user(session, email=email, role=role, actor=viewer.actor)
    except AccountError as error:
        return users_page(request, session, viewer, 400, error=str(error))
    link = password_link_url(session, user=user, web=settings.web, actor=viewer.actor)
    return users_page(request, session, viewer, created=user.email, link=link)


UserId = Annotated[int, FastApiPath(ge=1, le=2**31 - 1)]


def _user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, "No such user.")
    return user


@router.post("/admin/users/{user_id}/role", response_class=HTMLResponse)
def admin_set_role(
    request: Request, user_id: UserId, viewer: CurrentViewer, session: SessionDep, role: Annotated[Role, Form()]
) -> HTMLResponse:
    ensure(can_administer(viewer))
    user = _user(session, user_id)
    if user.id == viewer.user_id and role is not Role.ADMIN:
        return users_page(request, session, viewer, 400, error="You cannot take away your own admin role.")
    set_role(session, user=user, role=role, actor=viewer.actor)
    return users_page(request, session, viewer, notice=f"{user.email} is now {role.value}.")


@router.post("/admin/users/{user_id}/active", response_class=HTMLResponse)
def admin_set_active(
    request: Request, user_id: UserId, viewer: CurrentViewer, session: SessionDep, active: Annotated[bool, Form()]
) -> HTMLResponse:
    ensure(can_administer(viewer))
    user = _user(session, user_id)
    if user.id == viewer.user_id and not active:
        return users_page(request, session, viewer, 400, error="You cannot deactivate yourself.")
    set_active(session, user=user, active=active, actor=viewer.actor)
    return users_page(request, session, viewer, notice=f"{user.email} is {'active' if active else 'deactivated'}.")


@router.post("/admin/users/{user_id}/password-link", response_class=HTMLResponse)
def admin_password_link(
    request: Request, user_id: UserId, viewer: CurrentViewer, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    ensure(can_administer(viewer))
    user = _user(session, user_id)
    link = password_link_url(session, user=user, web=settings.web, actor=viewer.actor)
    return users_page(request, session, viewer, created=user.email, link=link)


# --- single sign-on (OpenID Connect) ---------------------------------------------------------------------------


def _callback_url(settings: Settings) -> str:
    return settings.web.public_url.rstrip("/") + oidc.CALLBACK_PATH


@router.get("/sign-in/oidc")
def oidc_start(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    if settings.oidc is None:
        raise HTTPException(404, "Single sign-on is not configured.")
    try:
        url, pending = oidc.start(settings.oidc, _callback_url(settings), safe_next(next))
    except oidc.SingleSignOnError as error:
        return page(request, "sign_in.html", 502, next=safe_next(next), error=str(error), oidc=settings.oidc)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        oidc.STATE_COOKIE, pending.encode(), max_age=600, httponly=True, samesite="lax", secure=is_https(request)
    )
    return response


@router.get(oidc.CALLBACK_PATH)
def oidc_callback(
    request: Request, session: SessionDep, settings: SettingsDep, code: str = "", state: str = ""
) -> Response:
    if settings.oidc is None:
        raise HTTPException(404, "Single sign-on is not configured.")
    carried = request.cookies.get(oidc.STATE_COOKIE)
    try:
        if not carried or not code:
            raise oidc.SingleSignOnError("the sign-in took a wrong turn; start again")
        pending = oidc.PendingSignIn.decode(carried)
        email = oidc.verified_email(settings.oidc, _callback_url(settings), pending, code, state)
        issuer = oidc.provider_metadata(settings.oidc)["issuer"]
        user = oidc.user_for_email(session, email, issuer)
    except oidc.SingleSignOnError as error:
        response = page(
            request, "sign_in.html", 403, next="/", error=f"Single sign-on failed: {error}", oidc=settings.oidc
        )
        response.delete_cookie(oidc.STATE_COOKIE)
        return response
    user.last_sign_in_at = utcnow()
    record(
        session,
        actor=f"user:{user.email}",
        action="user.sign_in",
        entity="user",
        entity_id=user.email,
        after={"method": "oidc", "issuer": issuer},
    )
    raw = start_session(session, user=user, lifetime=timedelta(hours=settings.web.session_hours))
    signed_in = signed_in_response(request, raw, pending.next, settings)
    signed_in.delete_cookie(oidc.STATE_COOKIE)
    return signed_in
