"""A request id on every response (X-Request-ID) and one JSON access-log line per request."""

from __future__ import annotations

import logging
import re
import time
import uuid

from quart import Quart, Response, g, request

from jarlpm.admin import metrics

log = logging.getLogger("jarlpm.access")

# A caller's id is kept only when it cannot inject anything into logs or headers.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _request_id() -> str:
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _loggable_path() -> str:
    """The path, with any token in it (e.g. /auth/check-token/<token>) masked: secrets stay out of logs."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if "token" in name:
            path = path.replace(str(value), "[redacted]")
    return path


def install(app: Quart) -> None:
    @app.before_request
    async def start_request() -> None:
        g.request_id = _request_id()
        g.request_started = time.perf_counter()

    @app.after_request
    async def finish_request(response: Response) -> Response:
        request_id = g.get("request_id") or _request_id()
        response.headers["X-Request-ID"] = request_id
        started = g.get("request_started", time.perf_counter())
        metrics.observe_request(request.method, request.url_rule, response.status_code, time.perf_counter() - started)
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": _loggable_path(),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": request_id,
                "user_id": g.get("user_id"),
            },
        )
        return response
