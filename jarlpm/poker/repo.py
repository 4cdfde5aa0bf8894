"""Poker rows: stories to estimate, stored sessions with their estimates, points accepted.
A connection in, plain dicts out; every statement names its owner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row
from jarlpm.poker.rules import Summary


async def get_story(conn: Connection, *, user_id: str, story_id: str) -> dict | None:
    return optional_row(await queries.poker.get_story(conn, user_id=user_id, story_id=story_id))


async def add_session(
    conn: Connection, *, user_id: str, story_id: str, summary: Summary, estimates: Sequence[Mapping[str, Any]]
) -> str | None:
    """Store a round and its estimates; None (nothing stored) when the story is gone or not the user's."""
    session_id = new_id("pses")
    added = await queries.poker.add_session(
        conn,
        session_id=session_id,
        user_id=user_id,
        story_id=story_id,
        min_estimate=summary.min,
        max_estimate=summary.max,
        average_estimate=summary.average,
        suggested_estimate=summary.suggested,
    )
    if added is None:
        return None
    await queries.poker.add_estimates(
        conn,
        user_id=user_id,
        session_id=session_id,
        estimate_ids=[new_id("pest") for _ in estimates],
        persona_names=[estimate["name"] for estimate in estimates],
        persona_roles=[estimate["role"] for estimate in estimates],
        points=[estimate["estimate"] for estimate in estimates],
        reasonings=[estimate["reasoning"] for estimate in estimates],
        confidences=[estimate["confidence"] for estimate in estimates],
    )
    return session_id


async def set_story_points(conn: Connection, *, user_id: str, story_id: str, story_points: int) -> dict | None:
    row = await queries.poker.set_story_points(conn, user_id=user_id, story_id=story_id, story_points=story_points)
    return optional_row(row)


async def accept_session(conn: Connection, *, user_id: str, session_id: str, story_id: str, story_points: int) -> bool:
    row = await queries.poker.accept_session(
        conn, user_id=user_id, session_id=session_id, story_id=story_id, story_points=story_points
    )
    return row is not None


async def list_story_sessions(conn: Connection, *, user_id: str, story_id: str) -> list[dict]:
    rows = queries.poker.list_sessions(conn, user_id=user_id, story_id=story_id, session_id=None)
    return [dict(row) async for row in rows]


async def get_session(conn: Connection, *, user_id: str, session_id: str) -> dict | None:
    rows = queries.poker.list_sessions(conn, user_id=user_id, story_id=None, session_id=session_id)
    found = [dict(row) async for row in rows]
    return found[0] if found else None


async def list_epic_sessions(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    rows = queries.poker.list_epic_sessions(conn, user_id=user_id, epic_id=epic_id)
    return [dict(row) async for row in rows]


async def list_completed_epics(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.poker.list_completed_epics(conn, user_id=user_id)]


async def list_unestimated_epics(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.poker.list_unestimated_epics(conn, user_id=user_id)]
