"""The usage queries: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.queries import queries


async def usage_summary(conn: Connection, *, user_id: str, days: int) -> list[dict]:
    """The user's calls of the last `days` days, one row per model, per day, and one for the total."""
    return [dict(row) async for row in queries.usage.usage_summary(conn, user_id=user_id, days=days)]
