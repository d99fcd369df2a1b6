"""The application factory: ``create_app(settings)`` builds the whole web app around one database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tandem import __version__
from tandem.accounts import api as accounts_api
from tandem.audit import api as audit_api
from tandem.config import Settings, get_settings
from tandem.constraints import api as constraints_api
from tandem.db import engine_for, ensure_schema
from tandem.decisions import api as decisions_api
from tandem.followup import api as followup_api
from tandem.org import api as org_api
from tandem.overlap import api as overlap_api
from tandem.schedule import api as schedule_api
from tandem.trust import api as trust_api
from tandem.walk import api as walk_api
from tandem.web import plotly
from tandem.web.deps import ForbiddenError, NotSignedInError
from tandem.web.render import make_templates, page
from tandem.web.security import CsrfRejectedError, security_middleware, verify_csrf

STATIC = Path(__file__).parent / "static"
ROUTERS = (
    walk_api.router,
    followup_api.router,  # the trend page, snapshots and actions (/walk/trend, /api/v1/walk/snapshots, …)
    plotly.router,  # /assets/plotly.min.js and /assets/plotly.css, for the pages that draw a chart
    schedule_api.router,  # before org: its /teams/{name:path} pages would otherwise swallow /teams/{team}/plan
    constraints_api.router,  # before org, for the same reason (/teams/{team}/constraints)
    trust_api.router,  # before org, for the same reason (/teams/{team}/trust)
    overlap_api.router,  # before org, for the same reason (/teams/{team}/overlap)
    org_api.router,
    decisions_api.router,
    accounts_api.router,
    audit_api.router,
)
"""Every domain's routes; a new domain adds its router here."""


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine_for(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ensure_schema(engine)
        yield

    app = FastAPI(
        title="Tandem",
        version=__version__,
        description="Two-in-a-box management: the org, its teams' pairs, and the walk.",
        lifespan=lifespan,
        dependencies=[Depends(verify_csrf)],
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = make_templates()
    app.middleware("http")(security_middleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        """200 when the database answers, 503 when it does not."""
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "reachable"})

    @app.exception_handler(NotSignedInError)
    def not_signed_in(request: Request, _error: NotSignedInError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "sign in or send an API token"}, 401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)

    @app.exception_handler(ForbiddenError)
    def forbidden(request: Request, _error: ForbiddenError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "your role does not allow this"}, 403)
        return page(request, "error.html", 403, title="Not allowed", message="Your role does not allow this page.")

    @app.exception_handler(CsrfRejectedError)
    def csrf_rejected(request: Request, _error: CsrfRejectedError) -> Response:
        message = "The form had expired or did not come from Tandem. Go back, reload the page and try again."
        if wants_json(request):
            return JSONResponse({"detail": "missing or wrong CSRF token"}, 403)
        return page(request, "error.html", 403, title="Request refused", message=message)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": error.detail}, error.status_code, headers=error.headers)
        return page(request, "error.html", error.status_code, title=str(error.status_code), message=str(error.detail))

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": error.errors()}, 422)
        return page(request, "error.html", 422, title="Invalid request", message="Some fields were missing or wrong.")

    return app
