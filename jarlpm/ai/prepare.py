"""The prelude of every AI route: who calls, the subscription gate, the user's active provider and
delivery context, in one statement (issue 2.10: a prelude is one acquisition and at most two statements,
this one and the route's own)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import NamedTuple

from asyncpg import Connection, Record
from quart import current_app, request

from jarlpm.db.queries import queries
from jarlpm.delivery_context.repo import PROMPT_FIELDS
from jarlpm.http import current_settings
from jarlpm.http.auth import Caller
from jarlpm.http.rate_limits import AI_ROUTE_ATTRIBUTE
from jarlpm.llm.calls import LLMCall
from jarlpm.llm_providers.service import call_for
from jarlpm.subscriptions.gate import raise_unless_active


class NotAnAIRoute(RuntimeError):
    """`prepare` ran in a route without `@ai_route`: such a route would call a provider unmetered by the
    per-user limit, and the route inventory would not know it spends the user's money."""


class Prepared(NamedTuple):
    call: LLMCall
    delivery_context: dict | None  # PROMPT_FIELDS; None when the user never set one


def _require_ai_route() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, AI_ROUTE_ATTRIBUTE, False):
        raise NotAnAIRoute(f"jarlpm.ai.prepare() called from {request.endpoint!r}, which lacks @ai_route")


async def prepare(conn: Connection, caller: Caller) -> Prepared:
    """The route's first statement, on a connection taken as `caller.session` (not looked up first): 401 for
    a bad session, 402 without a subscription (billing on), 400 without an active provider; else the call
    (key decrypted, metered to the caller and the route) and the caller's delivery context. After it,
    `caller.id` is known."""
    _require_ai_route()
    row = await queries.ai.ai_caller(conn, token_hash=caller.session_key)
    user_id = caller.accept(row)
    settings = current_settings()
    raise_unless_active(_subscription(row), billing_enabled=settings.billing_enabled)
    call = call_for(settings, _provider(row))
    return Prepared(dataclasses.replace(call, user_id=user_id, route=request.endpoint), _delivery_context(row))


def _subscription(row: Record) -> Mapping | None:
    if row["subscription_status"] is None:
        return None
    return {"status": row["subscription_status"], "period_over": row["subscription_period_over"]}


def _provider(row: Record) -> Mapping | None:
    return row if row["provider"] is not None else None


def _delivery_context(row: Record) -> dict | None:
    return {name: row[name] for name in PROMPT_FIELDS} if row["has_delivery_context"] else None
