"""What routes depend on: a database session per request, the settings, and the signed-in viewer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tandem.accounts.models import User
from tandem.accounts.permissions import Viewer, can_read_team
from tandem.accounts.service import api_token, record_token_use, user_for_session
from tandem.config import Settings
from tandem.db import session_factory
from tandem.org.models import Person, Team
from tandem.org.service import team_by_name

SESSION_COOKIE = "tandem_session"


class NotSignedInError(Exception):
    """No valid session or API token: pages redirect to sign-in, the API answers 401."""


class ForbiddenError(Exception):
    """Signed in, but the role does not allow this: 403 for pages and API alike."""


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises."""
    with session_factory(request.app.state.engine)() as session, session.begin():
        yield session


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def bearer_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


def viewer_for(session: Session, user: User) -> Viewer:
    """Place a user in the org by e-mail: their person, their team, the teams they lead."""
    person = session.scalars(select(Person).where(Person.email == user.email, Person.active)).first()
    led: frozenset[str] = frozenset()
    home_team = None
    if person is not None:
        home_team = person.team.name if person.team is not None else None
        led = frozenset(
            session.scalars(
                select(Team.name).where(
                    Team.active, or_(Team.product_lead_id == person.id, Team.engineering_lead_id == person.id)
                )
            ).all()
        )
    return Viewer(
        user_id=user.id,
        email=user.email,
        role=user.role,
        person_id=person.id if person else None,
        home_team=home_team,
        led_teams=led,
    )


def optional_viewer(request: Request, session: SessionDep) -> Viewer | None:
    raw = bearer_token(request)
    if raw is not None:
        token = api_token(session, raw)
        user = token.user if token is not None else None
        if token is not None:
            record_token_use(request.app.state.engine, token.id)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        user = user_for_session(session, cookie) if cookie else None
    viewer = viewer_for(session, user) if user is not None else None
    request.state.viewer = viewer  # error pages show the navigation of whoever is signed in
    return viewer


def current_viewer(viewer: Annotated[Viewer | None, Depends(optional_viewer)]) -> Viewer:
    if viewer is None:
        raise NotSignedInError
    return viewer


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def ensure(allowed: bool) -> None:
    """Refuse with 403 unless the permission rule allows it."""
    if not allowed:
        raise ForbiddenError


def readable_team(session: Session, viewer: Viewer, name: str) -> Team:
    """The team with that name, if the viewer may read it: 404 when no team has the name, 403 when not allowed."""
    team = team_by_name(session, name)
    if team is None:
        raise HTTPException(404, "No team has that name.")
    ensure(can_read_team(viewer, team.name))
    return team
