"""The export's queries: a fixed number of statements however large the epic, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def get_epic(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    row = await queries.export.export_epic(conn, user_id=user_id, epic_id=epic_id)
    return optional_row(row)


async def list_features(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.export.export_features(conn, user_id=user_id, epic_id=epic_id)]


async def list_stories(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    """Every story under the epic's features, in one statement (never one per feature)."""
    return [dict(row) async for row in queries.export.export_stories(conn, user_id=user_id, epic_id=epic_id)]


async def list_linked_bugs(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.export.export_bugs(conn, user_id=user_id, epic_id=epic_id)]
