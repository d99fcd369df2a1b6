"""The audit log for admins: every write, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from tandem.accounts.permissions import can_administer
from tandem.audit.service import events
from tandem.web.deps import CurrentViewer, SessionDep, SettingsDep, ensure
from tandem.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    viewer: CurrentViewer,
    session: SessionDep,
    settings: SettingsDep,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    ensure(can_administer(viewer))
    size = settings.web.page_size
    rows, total = events(session, limit=size, offset=offset)
    return page(request, "audit.html", viewer=viewer, events=rows, total=total, offset=offset, size=size)
