"""Delivery steps that span several statements: an epic's scope with its team, saving a scope plan."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.delivery import repo, rules
from jarlpm.delivery.models import ScopePlanIn
from jarlpm.delivery.rules import Capacity, Scope
from jarlpm.delivery_context import repo as delivery_context
from jarlpm.epics.service import NOT_FOUND
from jarlpm.errors import APIError


async def team(conn: Connection, *, user_id: str) -> tuple[dict | None, Capacity]:
    """The user's delivery context (None when never set) and the capacity it gives."""
    context = await delivery_context.get_context(conn, user_id=user_id)
    return context, rules.capacity(context)


async def owned_scope(conn: Connection, *, user_id: str, epic_id: str) -> Scope:
    """One of the user's epics measured against their team; 404 when it is not theirs."""
    context = await delivery_context.get_context(conn, user_id=user_id)
    scope, _ = await scope_with_plan(conn, user_id=user_id, epic_id=epic_id, context=context)
    return scope


async def scope_with_plan(
    conn: Connection, *, user_id: str, epic_id: str, context: dict | None
) -> tuple[Scope, dict | None]:
    """One of the user's epics against the team `context` gives, and its active plan's deferrals, in one
    statement (an AI prelude passes the context it loaded); 404 when the epic is not theirs."""
    found = await repo.get_scope(conn, user_id=user_id, epic_id=epic_id)
    if found is None:
        raise APIError(404, *NOT_FOUND)
    epic, stories, plan = found
    return Scope(epic, stories, rules.capacity(context), context), plan


async def require_epic(conn: Connection, *, user_id: str, epic_id: str) -> None:
    if not await repo.epic_exists(conn, user_id=user_id, epic_id=epic_id):
        raise APIError(404, *NOT_FOUND)


async def lock_owned_epic(conn: Connection, *, user_id: str, epic_id: str) -> None:
    if not await repo.lock_epic(conn, user_id=user_id, epic_id=epic_id):
        raise APIError(404, *NOT_FOUND)


async def save_plan(conn: Connection, *, user_id: str, epic_id: str, plan: ScopePlanIn) -> dict:
    """The new active plan, replacing the active one, with its activity row (in the caller's transaction,
    so a refused save changes nothing)."""
    await lock_owned_epic(conn, user_id=user_id, epic_id=epic_id)
    deferred = rules.distinct(plan.deferred_story_ids)
    unknown = await repo.unknown_story_ids(conn, user_id=user_id, epic_id=epic_id, story_ids=deferred)
    if unknown:
        raise APIError(400, "UNKNOWN_STORY_IDS", f"Not stories of this epic's features: {', '.join(unknown)}")
    await repo.deactivate_plan(conn, user_id=user_id, epic_id=epic_id)
    saved = await repo.create_plan(
        conn, user_id=user_id, epic_id=epic_id, name=plan.name, deferred_story_ids=deferred, notes=plan.notes
    )
    if saved is None:  # not reached while the epic's row is locked above; typed for mypy
        raise APIError(404, *NOT_FOUND)
    await repo.add_plan_activity(conn, user_id=user_id, epic_id=epic_id, details=plan.name)
    return saved


async def clear_plan(conn: Connection, *, user_id: str, epic_id: str) -> None:
    """Deactivate the epic's active plan, if any (kept, never deleted)."""
    await lock_owned_epic(conn, user_id=user_id, epic_id=epic_id)
    await repo.deactivate_plan(conn, user_id=user_id, epic_id=epic_id)
