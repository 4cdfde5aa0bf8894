"""Feature rows and their conversation: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.history import allow_history_delete
from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row
from jarlpm.epics.repo import with_snapshot


async def list_features(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.features.list_features(conn, user_id=user_id, epic_id=epic_id)]


async def get_feature(conn: Connection, *, user_id: str, feature_id: str) -> dict | None:
    return optional_row(await queries.features.get_feature(conn, user_id=user_id, feature_id=feature_id))


async def create_feature(
    conn: Connection,
    *,
    user_id: str,
    epic_id: str,
    title: str,
    description: str,
    acceptance_criteria: list[str],
    source: str,
) -> dict | None:
    """The new draft feature; None when the epic is not the user's."""
    row = await queries.features.create_feature(
        conn,
        feature_id=new_id("feat"),
        user_id=user_id,
        epic_id=epic_id,
        title=title,
        description=description,
        acceptance_criteria=acceptance_criteria,
        source=source,
    )
    return optional_row(row)


async def update_feature(
    conn: Connection,
    *,
    user_id: str,
    feature_id: str,
    title: str | None = None,
    description: str | None = None,
    acceptance_criteria: list[str] | None = None,
) -> dict | None:
    """The feature after the change; None when it is approved (content frozen) or not the user's."""
    row = await queries.features.update_feature(
        conn,
        user_id=user_id,
        feature_id=feature_id,
        title=title,
        description=description,
        acceptance_criteria=acceptance_criteria,
    )
    return optional_row(row)


async def approve_feature(conn: Connection, *, user_id: str, feature_id: str) -> dict | None:
    """The approved feature; None when it already was, or is not the user's."""
    return optional_row(await queries.features.approve_feature(conn, user_id=user_id, feature_id=feature_id))


async def delete_feature(conn: Connection, *, user_id: str, feature_id: str) -> bool:
    """Delete the feature with its stories and conversations (in the caller's transaction)."""
    await allow_history_delete(conn, parent_id=feature_id)
    return await queries.features.delete_feature(conn, user_id=user_id, feature_id=feature_id) is not None


async def add_event(
    conn: Connection,
    *,
    user_id: str,
    feature_id: str,
    epic_id: str,
    role: str,
    content: str,
    event_metadata: dict | None = None,
) -> bool:
    """False when the feature is not the user's, or not under that epic (nothing is written)."""
    added = await queries.features.add_event(
        conn,
        event_id=new_id("fevt"),
        user_id=user_id,
        feature_id=feature_id,
        epic_id=epic_id,
        role=role,
        content=content,
        event_metadata=event_metadata,
    )
    return added is not None


async def get_feature_with_epic(conn: Connection, *, user_id: str, feature_id: str) -> tuple[dict, dict] | None:
    """One of the user's features and its epic (title and snapshot), in one statement."""
    row = await queries.features.get_feature_with_epic(conn, user_id=user_id, feature_id=feature_id)
    if row is None:
        return None
    feature = dict(row)
    return feature, with_snapshot(feature.pop("epic"))


async def open_chat_turn(
    conn: Connection, *, user_id: str, feature_id: str, content: str, history_limit: int
) -> tuple[dict, dict, list[dict]] | None:
    """The user's feature, its epic (title and snapshot: what a prompt reads) and its last `history_limit`
    messages, with the user's message stored unless the feature is approved, in one statement; None when
    the feature is not theirs."""
    row = await queries.features.open_chat_turn(
        conn, event_id=new_id("fevt"), user_id=user_id, feature_id=feature_id, content=content, max_rows=history_limit
    )
    if row is None:
        return None
    feature = dict(row)
    return feature, with_snapshot(feature.pop("epic")), feature.pop("history")


async def list_events(conn: Connection, *, user_id: str, feature_id: str) -> list[dict]:
    return [dict(row) async for row in queries.features.list_events(conn, user_id=user_id, feature_id=feature_id)]
