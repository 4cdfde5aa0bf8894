"""PRD rows and the epic outline a PRD is written from: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def list_prds(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.prd.list_prds(conn, user_id=user_id)]


async def epics_without_prd(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.prd.epics_without_prd(conn, user_id=user_id)]


async def get_prd(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    """The epic (title) with its PRD columns, null when it has no PRD; None when the epic is not the user's."""
    return optional_row(await queries.prd.get_prd(conn, user_id=user_id, epic_id=epic_id))


async def upsert_prd(
    conn: Connection,
    *,
    user_id: str,
    epic_id: str,
    title: str | None,
    sections: dict,
    source: str,
    version: str | None = None,
    status: str | None = None,
) -> str | None:
    """The PRD's id, or None when the epic is gone (or not the user's): nothing is stored then."""
    return await queries.prd.upsert_prd(
        conn,
        prd_id=new_id("prd"),
        user_id=user_id,
        epic_id=epic_id,
        title=title,
        sections=sections,
        source=source,
        version=version,
        status=status,
    )


async def update_prd(
    conn: Connection, *, user_id: str, epic_id: str, title: str | None, sections: dict, version: str | None
) -> str | None:
    return await queries.prd.update_prd(
        conn, user_id=user_id, epic_id=epic_id, title=title, sections=sections, version=version
    )


async def delete_prd(conn: Connection, *, user_id: str, epic_id: str) -> bool:
    return await queries.prd.delete_prd(conn, user_id=user_id, epic_id=epic_id) is not None
