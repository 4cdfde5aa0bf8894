"""The prelude of every AI route: the subscription gate, the user's active provider, the call."""

from __future__ import annotations

import dataclasses

from asyncpg import Connection
from quart import current_app, request

from jarlpm.http.rate_limits import AI_ROUTE_ATTRIBUTE
from jarlpm.llm.calls import LLMCall
from jarlpm.llm_providers.service import prepare_ai_call


class NotAnAIRoute(RuntimeError):
    """`prepare` ran in a route without `@ai_route`: such a route would call a provider unmetered by the
    per-user limit, and the route inventory would not know it spends the user's money."""


def _require_ai_route() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, AI_ROUTE_ATTRIBUTE, False):
        raise NotAnAIRoute(f"jarlpm.ai.prepare() called from {request.endpoint!r}, which lacks @ai_route")


async def prepare(conn: Connection, user_id: str) -> LLMCall:
    """402 without a subscription (billing on), 400 without an active provider; else the call (key
    decrypted) the reply needs, marked with the user and route it is metered to."""
    _require_ai_route()
    call = await prepare_ai_call(conn, user_id=user_id)
    return dataclasses.replace(call, user_id=user_id, route=request.endpoint)
