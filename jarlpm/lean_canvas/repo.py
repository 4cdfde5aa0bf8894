"""Lean canvas rows: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def list_canvases(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.lean_canvas.list_canvases(conn, user_id=user_id)]


async def epics_without_canvas(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.lean_canvas.epics_without_canvas(conn, user_id=user_id)]


async def get_canvas(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    """The epic (title) with its canvas columns, null when it has none; None when the epic is not the user's."""
    return optional_row(await queries.lean_canvas.get_canvas(conn, user_id=user_id, epic_id=epic_id))


async def upsert_canvas(conn: Connection, *, user_id: str, epic_id: str, sections: dict, source: str) -> str | None:
    """The canvas's id, or None when the epic is gone (or not the user's): nothing is stored then."""
    return await queries.lean_canvas.upsert_canvas(
        conn, canvas_id=new_id("canvas"), user_id=user_id, epic_id=epic_id, source=source, **sections
    )
