"""Sprint rows: stories on the board, their sprint and status, insights, the epic's scope plan.
A connection in, plain dicts out."""

from __future__ import annotations

from typing import Any

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def list_sprint_stories(conn: Connection, *, user_id: str, sprint_number: int | None) -> list[dict]:
    """The user's stories in `sprint_number`, or all of them when it is None."""
    rows = queries.sprints.list_sprint_stories(conn, user_id=user_id, sprint_number=sprint_number)
    return [dict(row) async for row in rows]


async def get_sprint_story(conn: Connection, *, user_id: str, story_id: str) -> dict | None:
    return optional_row(await queries.sprints.get_sprint_story(conn, user_id=user_id, story_id=story_id))


async def assign_sprint(conn: Connection, *, user_id: str, story_id: str, sprint_number: int | None) -> dict | None:
    row = await queries.sprints.assign_sprint(conn, user_id=user_id, story_id=story_id, sprint_number=sprint_number)
    return optional_row(row)


async def set_status(
    conn: Connection, *, user_id: str, story_id: str, status: str, blocked_reason: str | None
) -> dict | None:
    row = await queries.sprints.set_status(
        conn, user_id=user_id, story_id=story_id, status=status, blocked_reason=blocked_reason
    )
    return optional_row(row)


async def commit_story(conn: Connection, *, user_id: str, story_id: str, sprint_number: int) -> dict | None:
    row = await queries.sprints.commit_story(conn, user_id=user_id, story_id=story_id, sprint_number=sprint_number)
    return optional_row(row)


async def add_insight(
    conn: Connection, *, user_id: str, sprint_number: int, insight_type: str, content: dict[str, Any]
) -> dict:
    row = await queries.sprints.add_insight(
        conn,
        insight_id=new_id("si"),
        user_id=user_id,
        sprint_number=sprint_number,
        insight_type=insight_type,
        content=content,
    )
    return dict(row)


async def newest_insights(conn: Connection, *, user_id: str, sprint_number: int) -> dict[str, dict]:
    """The newest insight of each type the sprint has, by type."""
    rows = queries.sprints.newest_insights(conn, user_id=user_id, sprint_number=sprint_number)
    return {row["insight_type"]: dict(row) async for row in rows}


async def get_active_scope_plan(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    return optional_row(await queries.sprints.get_active_scope_plan(conn, user_id=user_id, epic_id=epic_id))


async def list_epic_stories(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    rows = queries.sprints.list_epic_stories(conn, user_id=user_id, epic_id=epic_id)
    return [dict(row) async for row in rows]
