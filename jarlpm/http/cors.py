"""CORS for exactly CORS_ORIGINS (with credentials), and the CSRF guard that goes with cookie sessions.

In production the cookie is SameSite=None so the web client on its own site can send it; any other
site's browser would send it too. A state-changing, cookie-authenticated request whose Origin is
neither an allowed origin nor this service itself is therefore refused with 403.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from quart import Quart, Response, request
from quart_cors import cors

from jarlpm.errors import APIError
from jarlpm.http import current_settings
from jarlpm.http.auth import SESSION_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOWED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ALLOWED_HEADERS = ["Content-Type", "Authorization", "X-Request-ID"]
EXPOSED_HEADERS = ["X-Request-ID", "Retry-After", "X-RateLimit-Limit"]


def _origin_allowed(origin: str) -> bool:
    if origin in current_settings().cors_origins:
        return True
    return urlsplit(origin).netloc == request.host  # the service's own pages (e.g. /docs)


async def reject_cross_site_writes() -> None:
    if request.method in SAFE_METHODS or SESSION_COOKIE not in request.cookies:
        return
    origin = request.headers.get("Origin")
    if origin and not _origin_allowed(origin):
        raise APIError(403, "ORIGIN_NOT_ALLOWED", "Cross-site request refused: this origin is not allowed")


async def answer_stray_preflight() -> Response | None:
    """A preflight to a path no route serves still gets its CORS answer (a browser refuses a 404 one
    and reports "Failed to fetch"); the real request then gets the real 404."""
    if request.method == "OPTIONS" and request.routing_exception is not None and _is_preflight():
        return Response(status=204)  # quart-cors adds the headers, for allowed origins only
    return None


def _is_preflight() -> bool:
    return "Origin" in request.headers and "Access-Control-Request-Method" in request.headers


def install(app: Quart, origins: tuple[str, ...]) -> None:
    cors(
        app,
        allow_origin=list(origins),
        allow_credentials=True,
        allow_methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
    )
    app.before_request(answer_stray_preflight)
    app.before_request(reject_cross_site_writes)
