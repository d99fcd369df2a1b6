"""Server-rendered pages: one Jinja2 environment over every domain's ``templates/`` folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from tandem import __version__
from tandem.accounts.permissions import can_administer, can_read_org
from tandem.walk.findings import PRACTICE_TITLES

PACKAGE = Path(__file__).parent.parent
TEMPLATE_DIRS = [PACKAGE / "web" / "templates", *sorted(PACKAGE.glob("*/templates"))]


def make_templates() -> Jinja2Templates:
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in TEMPLATE_DIRS]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        version=__version__,
        practice_titles={practice.value: title for practice, title in PRACTICE_TITLES.items()},
        can_read_org=can_read_org,
        can_administer=can_administer,
    )
    environment.filters["pct"] = lambda value: f"{value * 100:.0f}%"
    return Jinja2Templates(env=environment)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    context.setdefault("viewer", getattr(request.state, "viewer", None))
    return templates.TemplateResponse(
        request, template, {"csrf_token": request.state.csrf_token, **context}, status_code=status_code
    )
