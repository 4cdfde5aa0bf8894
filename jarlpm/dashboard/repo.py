"""The dashboard's queries: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.queries import queries


async def portfolio(conn: Connection, *, user_id: str) -> dict:
    return dict(await queries.dashboard.portfolio(conn, user_id=user_id))


async def initiative_points(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.dashboard.initiative_points(conn, user_id=user_id)]


async def focus_list(conn: Connection, *, user_id: str, limit: int) -> list[dict]:
    return [dict(row) async for row in queries.dashboard.focus_list(conn, user_id=user_id, max_rows=limit)]


async def recent_activity(conn: Connection, *, user_id: str, limit: int) -> list[dict]:
    return [dict(row) async for row in queries.dashboard.recent_activity(conn, user_id=user_id, max_rows=limit)]
