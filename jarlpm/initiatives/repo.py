"""The library's queries: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row
from jarlpm.epics.tables import EPIC_STAGES


async def list_initiatives(
    conn: Connection,
    *,
    user_id: str,
    archived: bool,
    stages: list[str] | None,
    search: str | None,
    sort_by: str,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[dict], int]:
    """One page of initiatives and how many match in all."""
    rows = [
        dict(row)
        async for row in queries.initiatives.list_initiatives(
            conn,
            user_id=user_id,
            archived=archived,
            stages=stages,
            search=search,
            sort_by=sort_by,
            descending=descending,
            stage_order=list(EPIC_STAGES),
            max_rows=limit,
            skip_rows=offset,
        )
    ]
    total = rows[0]["total"]  # there is always a row: an empty page is the total alone
    page = [{key: value for key, value in row.items() if key != "total"} for row in rows if row["epic_id"]]
    return page, total


async def get_initiative(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    row = await queries.initiatives.get_initiative(conn, user_id=user_id, epic_id=epic_id)
    return optional_row(row)


async def feature_tree(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.initiatives.feature_tree(conn, user_id=user_id, epic_id=epic_id)]


async def set_archived(conn: Connection, *, user_id: str, epic_id: str, archived: bool) -> bool:
    """False when nothing changed: the epic is not the user's, or already is as asked."""
    changed = await queries.initiatives.set_archived(conn, user_id=user_id, epic_id=epic_id, archived=archived)
    return changed is not None


async def add_activity(
    conn: Connection, *, user_id: str, epic_id: str, event_type: str, details: str | None = None
) -> bool:
    added = await queries.initiatives.add_activity(
        conn,
        activity_id=new_id("act"),
        user_id=user_id,
        epic_id=epic_id,
        event_type=event_type,
        details=details,
    )
    return added is not None


async def count_by_stage(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.initiatives.count_by_stage(conn, user_id=user_id)]


async def regeneration_context(conn: Connection, *, user_id: str, epic_id: str, feature_id: str) -> dict | None:
    row = await queries.initiatives.regeneration_context(conn, user_id=user_id, epic_id=epic_id, feature_id=feature_id)
    return optional_row(row)


async def copy_snapshot_text(conn: Connection, *, user_id: str, source_epic_id: str, copy_epic_id: str) -> None:
    await queries.initiatives.copy_snapshot_text(
        conn, user_id=user_id, source_epic_id=source_epic_id, copy_epic_id=copy_epic_id
    )


async def copy_work(conn: Connection, *, user_id: str, source_epic_id: str, copy_epic_id: str) -> dict:
    """How many features and stories were copied."""
    row = await queries.initiatives.copy_work(
        conn, user_id=user_id, source_epic_id=source_epic_id, copy_epic_id=copy_epic_id
    )
    return dict(row)
