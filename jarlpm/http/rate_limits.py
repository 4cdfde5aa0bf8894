"""Rate limits, checked in a before_request hook, before authentication, in the shared store (limit_store.py).

Routes declare limits with quart-rate-limiter's markers (`per_minute`, `@ai_route`); the check is ours:
quart-rate-limiter's store interface reads a key's arrival time and writes it back in two steps, which
races across workers, so the hook asks the shared store to decide every limit of a request at once.
Keys never need the request body: the client IP (behind TRUST_PROXY_HEADERS proxies) or a hash of the
session token. Failed sign-ins are limited by jarlpm.auth.lockout, in the same store, with the same 429.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from quart import Quart, Response, current_app, request
from quart_rate_limiter import (
    QUART_RATE_LIMITER_EXEMPT_ATTRIBUTE,
    QUART_RATE_LIMITER_LIMITS_ATTRIBUTE,
    RateLimit,
    RateLimitExceeded,
    rate_limit,
)

from jarlpm.auth.rules import hash_token
from jarlpm.db.pool import admission
from jarlpm.errors import error_response
from jarlpm.http.auth import session_token
from jarlpm.http.client_ip import client_ip
from jarlpm.http.limit_store import EXTENSION_KEY as STORE_KEY
from jarlpm.http.limit_store import Slot, create_store, current_store, seconds_to_wait

if TYPE_CHECKING:
    from jarlpm.config import Settings

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


ENABLED_CONFIG = "QUART_RATE_LIMITER_ENABLED"


def _limits_of_request() -> list[RateLimit]:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, QUART_RATE_LIMITER_EXEMPT_ATTRIBUTE, False):
        return []
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return [
        *getattr(view, QUART_RATE_LIMITER_LIMITS_ATTRIBUTE, []),
        *getattr(blueprint, QUART_RATE_LIMITER_LIMITS_ATTRIBUTE, []),
    ]


async def _slot(limit: RateLimit) -> Slot:
    key_function = limit.key_function or per_ip
    period = limit.period.total_seconds()
    return Slot(
        key=f"{request.endpoint}-{limit.key}-{await key_function()}",
        share=limit.inverse,
        max_ahead=period - limit.inverse,
    )


async def _check_limits() -> None:
    if not current_app.config[ENABLED_CONFIG] or await _is_preflight():
        return
    limits = [limit for limit in _limits_of_request() if limit.skip_function is None or not await limit.skip_function()]
    if not limits:
        return
    # The one acquisition allowed in before_request (DESIGN.md section 2): with the PostgreSQL store the
    # check is one short statement on its own connection, released before the handler runs.
    wait = await current_store(current_app).take([await _slot(limit) for limit in limits])
    if wait is not None:
        raise RateLimitExceeded(seconds_to_wait(wait))


def install(app: Quart, settings: Settings) -> None:
    """Request limits and the shared store (which jarlpm.auth.lockout counts failed sign-ins in)."""
    store = app.extensions[STORE_KEY] = create_store(app, settings)
    app.config[ENABLED_CONFIG] = settings.rate_limits_enabled
    app.before_request(_check_limits)
    app.before_serving(store.open)
    app.after_serving(store.close)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)


AI_REQUESTS_PER_MINUTE = 30
AI_ROUTE_ATTRIBUTE = "jarlpm_ai"


def ai_route(view: View | None = None, *, per_minute_count: int = AI_REQUESTS_PER_MINUTE) -> Any:
    """Marks a route that calls an LLM (`@ai_route`, or `@ai_route(per_minute_count=10)`): limited per
    user, since each call costs the user money. `jarlpm.ai.prepare` refuses to run anywhere else."""

    def mark(target: View) -> View:
        @wraps(target)
        async def admitted(*args: Any, **kwargs: Any) -> Any:
            with admission():  # the prelude's connection comes through the AI admission queue
                return await target(*args, **kwargs)

        limited = per_minute(per_minute_count, per_user)(admitted)
        setattr(limited, AI_ROUTE_ATTRIBUTE, True)
        return limited  # type: ignore[return-value]

    return mark(view) if view is not None else mark
