"""Rate limits (quart-rate-limiter), checked in a before_request hook, before authentication.

Keys never need the database nor the request body: the client IP (behind TRUST_PROXY_HEADERS proxies)
or a hash of the session token. Failed sign-ins are limited by jarlpm.auth.lockout, with the same 429.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from quart import Quart, Response, current_app, request
from quart_rate_limiter import QUART_RATE_LIMITER_LIMITS_ATTRIBUTE, RateLimiter, RateLimitExceeded, rate_limit

from jarlpm.auth.rules import hash_token
from jarlpm.errors import error_response
from jarlpm.http.auth import session_token
from jarlpm.http.client_ip import client_ip

View = TypeVar("View", bound=Callable[..., Awaitable[Any]])
KeyFunction = Callable[[], Awaitable[str]]

__all__ = ["ai_route", "install", "per_ip", "per_minute", "per_user", "too_many_requests"]


async def per_ip() -> str:
    return f"ip:{client_ip()}"


async def per_user() -> str:
    token = session_token()
    return f"session:{hash_token(token)}" if token else f"ip:{client_ip()}"


def per_minute(count: int, *keys: KeyFunction) -> Callable[[View], View]:
    """`count` requests a minute for each of the given keys (one limit per key)."""

    def decorator(view: View) -> View:
        for key in keys:
            view = rate_limit(count, timedelta(minutes=1), key_function=key)(view)
        return view

    return decorator


async def _is_preflight() -> bool:
    return request.method == "OPTIONS"


def _route_limit() -> int | None:
    view = current_app.view_functions.get(request.endpoint or "")
    limits = getattr(view, QUART_RATE_LIMITER_LIMITS_ATTRIBUTE, [])
    return min((limit.count for limit in limits), default=None)


def too_many_requests(retry_after: int, limit: int | None) -> Response:
    """The 429 of every limit: the wait in seconds and the limit that was reached."""
    wait = max(int(retry_after), 1)
    headers = {"Retry-After": str(wait)}
    if limit is not None:
        headers["X-RateLimit-Limit"] = str(limit)
    return error_response(
        429,
        "RATE_LIMIT_EXCEEDED",
        "Rate limit exceeded. Please slow down.",
        headers,
        error_code="RATE_LIMIT_EXCEEDED",
        retry_after_seconds=wait,
        message=f"Too many requests. Please wait {wait} seconds before trying again.",
    )


async def _too_many_requests(error: RateLimitExceeded) -> Response:
    # The limiter reports whole seconds; anything else is read as "retry shortly".
    wait = error.retry_after if isinstance(error.retry_after, int) else 1
    return too_many_requests(wait, _route_limit())


def install(app: Quart, *, enabled: bool) -> None:
    RateLimiter(app, enabled=enabled, skip_function=_is_preflight)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)


AI_REQUESTS_PER_MINUTE = 30
AI_ROUTE_ATTRIBUTE = "jarlpm_ai"


def ai_route(view: View | None = None, *, per_minute_count: int = AI_REQUESTS_PER_MINUTE) -> Any:
    """Marks a route that calls an LLM (`@ai_route`, or `@ai_route(per_minute_count=10)`): limited per
    user, since each call costs the user money. `jarlpm.ai.prepare` refuses to run anywhere else."""

    def mark(target: View) -> View:
        limited = per_minute(per_minute_count, per_user)(target)
        setattr(limited, AI_ROUTE_ATTRIBUTE, True)
        return limited

    return mark(view) if view is not None else mark
