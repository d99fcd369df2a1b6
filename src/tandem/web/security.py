"""Security headers on every response, and CSRF protection on every state-changing request.

CSRF uses the double-submit pattern: each browser holds a random ``tandem_csrf`` cookie (HttpOnly,
SameSite=Strict) and every form or script sends the same value back (form field ``csrf_token`` or header
``X-CSRF-Token``). Another site can neither read nor set that cookie, so it cannot forge the pair. Requests
authenticated by an API token carry no ambient credentials and are exempt.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import PlainTextResponse

logger = logging.getLogger("tandem.web")

CSRF_COOKIE = "tandem_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class CsrfRejectedError(Exception):
    """A state-changing request without the matching CSRF token."""


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


async def security_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Give every browser a CSRF token, and every response (errors included) the security headers."""
    existing = request.cookies.get(CSRF_COOKIE)
    request.state.csrf_token = existing or secrets.token_urlsafe(32)
    try:
        response = await call_next(request)
    except Exception:  # an unexpected error still gets a plain page and the headers, never a stack trace
        logger.exception("unhandled error on %s %s", request.method, redacted_path(request.url.path))
        response = PlainTextResponse("Something went wrong on our side; the error has been logged.", 500)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")  # pages carry private data and one-time links
    if is_https(request):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if existing is None:
        response.set_cookie(
            CSRF_COOKIE, request.state.csrf_token, httponly=True, samesite="strict", secure=is_https(request)
        )
    return response


async def verify_csrf(request: Request) -> None:
    """An app-wide dependency: unsafe methods need the token unless authenticated by an API token."""
    if request.method in SAFE_METHODS or request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise CsrfRejectedError


_PULSE_LINK = re.compile(r"/pulse/(?!thanks(?:[?#/]|$))[^?#/\s]+")
"""A trust pulse's personal link (``/pulse/<token>``, under any root path); its thank-you page carries no token."""


def redacted_path(path: str) -> str:
    """A path fit for a log: set-password and pulse tokens replaced."""
    if "/set-password/" in path:
        path = path.split("/set-password/")[0] + "/set-password/[redacted]"
    return _PULSE_LINK.sub("/pulse/[redacted]", path)


class RedactSecretsInAccessLog(logging.Filter):
    """Uvicorn's access log would print one-time set-password and pulse links in full; print them redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redacted_path(args[2]), *args[3:])
        return True
