"""Scope against capacity and scope plans: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def list_initiatives(conn: Connection, *, user_id: str) -> list[dict]:
    """The user's non-archived epics with their points; one query however many epics and stories."""
    return [dict(row) async for row in queries.delivery.list_initiatives(conn, user_id=user_id)]


async def get_scope(conn: Connection, *, user_id: str, epic_id: str) -> tuple[dict, list[dict], dict | None] | None:
    """One of the user's epics (with its points by priority), its stories and its active plan's deferrals
    (`{"deferred_story_ids": [...]}`, None without a plan), in one statement; None when not theirs."""
    row = await queries.delivery.get_scope(conn, user_id=user_id, epic_id=epic_id)
    if row is None:
        return None
    epic = dict(row)
    deferred = epic.pop("plan_deferred_story_ids")
    return epic, epic.pop("stories"), None if deferred is None else {"deferred_story_ids": deferred}


async def epic_exists(conn: Connection, *, user_id: str, epic_id: str) -> bool:
    return bool(await queries.delivery.epic_exists(conn, user_id=user_id, epic_id=epic_id))


async def lock_epic(conn: Connection, *, user_id: str, epic_id: str) -> bool:
    """Hold the epic's row until the transaction ends; False when it is not the user's."""
    return await queries.delivery.lock_epic(conn, user_id=user_id, epic_id=epic_id) is not None


async def unknown_story_ids(conn: Connection, *, user_id: str, epic_id: str, story_ids: list[str]) -> list[str]:
    rows = queries.delivery.unknown_story_ids(conn, user_id=user_id, epic_id=epic_id, story_ids=story_ids)
    return [row["story_id"] async for row in rows]


async def get_active_plan(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    return optional_row(await queries.delivery.get_active_plan(conn, user_id=user_id, epic_id=epic_id))


async def deactivate_plan(conn: Connection, *, user_id: str, epic_id: str) -> None:
    await queries.delivery.deactivate_plan(conn, user_id=user_id, epic_id=epic_id)


async def create_plan(
    conn: Connection, *, user_id: str, epic_id: str, name: str, deferred_story_ids: list[str], notes: str | None
) -> dict | None:
    """The new active plan with its points; None when the epic is not the user's."""
    row = await queries.delivery.create_plan(
        conn,
        plan_id=new_id("splan"),
        user_id=user_id,
        epic_id=epic_id,
        name=name,
        deferred_story_ids=deferred_story_ids,
        notes=notes,
    )
    return optional_row(row)


async def add_plan_activity(conn: Connection, *, user_id: str, epic_id: str, details: str) -> None:
    await queries.delivery.add_plan_activity(
        conn, activity_id=new_id("act"), user_id=user_id, epic_id=epic_id, details=details
    )
