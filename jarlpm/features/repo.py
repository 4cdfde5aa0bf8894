"""Feature rows and their conversation: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.history import allow_history_delete
from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row



async def list_features(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.features.list_features(conn, user_id=user_id, epic_id=epic_id)]


async def get_feature(conn: Connection, *, user_id: str, feature_id: str) -> dict | None:
    return optional_row(await queries.features.get_feature(conn, user_id=user_id, feature_id=feature_id))


async def create_feature(
    conn: Connection, *, epic_id: str, title: str, description: str, acceptance_criteria: list[str], source: str
) -> dict:
    row = await queries.features.create_feature(
        conn,
        feature_id=new_id("feat"),
        epic_id=epic_id,
        title=title,
        description=description,
        acceptance_criteria=acceptance_criteria,
        source=source,
    )
    return dict(row)


async def update_feature(
    conn: Connection,
    *,
    feature_id: str,
    title: str | None = None,
    description: str | None = None,
    acceptance_criteria: list[str] | None = None,
) -> dict | None:
    """The feature after the change; None when it is approved (content frozen)."""
    row = await queries.features.update_feature(
        conn, feature_id=feature_id, title=title, description=description, acceptance_criteria=acceptance_criteria
    )
    return optional_row(row)


async def start_refining(conn: Connection, *, feature_id: str) -> None:
    await queries.features.start_refining(conn, feature_id=feature_id)


async def approve_feature(conn: Connection, *, feature_id: str) -> dict | None:
    return optional_row(await queries.features.approve_feature(conn, feature_id=feature_id))


async def delete_feature(conn: Connection, *, user_id: str, feature_id: str) -> bool:
    """Delete the feature with its stories and conversations (in the caller's transaction)."""
    await allow_history_delete(conn, parent_id=feature_id)
    return await queries.features.delete_feature(conn, user_id=user_id, feature_id=feature_id) is not None


async def add_event(
    conn: Connection, *, feature_id: str, epic_id: str, role: str, content: str, event_metadata: dict | None = None
) -> None:
    await queries.features.add_event(
        conn,
        event_id=new_id("fevt"),
        feature_id=feature_id,
        epic_id=epic_id,
        role=role,
        content=content,
        event_metadata=event_metadata,
    )


async def recent_messages(conn: Connection, *, feature_id: str, limit: int) -> list[dict]:
    rows = [dict(row) async for row in queries.features.recent_messages(conn, feature_id=feature_id, max_rows=limit)]
    return rows[::-1]


async def list_events(conn: Connection, *, feature_id: str) -> list[dict]:
    return [dict(row) async for row in queries.features.list_events(conn, feature_id=feature_id)]
