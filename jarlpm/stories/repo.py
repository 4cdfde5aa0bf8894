"""Story rows and their conversation: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.history import allow_history_delete
from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row

CONTENT_FIELDS = (
    "title",
    "persona",
    "action",
    "benefit",
    "acceptance_criteria",
    "labels",
    "story_priority",
    "dependencies",
    "risks",
    "edge_cases",
    "notes_for_engineering",
)


async def list_feature_stories(conn: Connection, *, user_id: str, feature_id: str) -> list[dict]:
    rows = queries.stories.list_feature_stories(conn, user_id=user_id, feature_id=feature_id)
    return [dict(row) async for row in rows]


async def get_story(conn: Connection, *, user_id: str, story_id: str, standalone: bool) -> dict | None:
    return optional_row(
        await queries.stories.get_story(conn, user_id=user_id, story_id=story_id, standalone=standalone)
    )


async def create_story(
    conn: Connection,
    *,
    user_id: str,
    feature_id: str | None,
    source: str,
    story_points: int | None = None,
    **content: object,
) -> dict | None:
    """`content` holds CONTENT_FIELDS (missing lists become empty). None when the feature is not the user's."""
    values = {field: content.get(field) for field in CONTENT_FIELDS}
    for field in ("acceptance_criteria", "labels", "dependencies", "risks", "edge_cases"):
        values[field] = values[field] or []
    row = await queries.stories.create_story(
        conn,
        story_id=new_id("story"),
        user_id=user_id,
        feature_id=feature_id,
        source=source,
        story_points=story_points,
        **values,
    )
    return optional_row(row)


async def update_story(
    conn: Connection, *, user_id: str, story_id: str, story_points: int | None = None, **changes: object
) -> dict | None:
    """The story after the change (None values keep a field); None when it is approved or not the user's."""
    values = {field: changes.get(field) for field in CONTENT_FIELDS}
    row = await queries.stories.update_story(
        conn, user_id=user_id, story_id=story_id, story_points=story_points, **values
    )
    return optional_row(row)


async def approve_story(conn: Connection, *, user_id: str, story_id: str) -> dict | None:
    """The approved story; None when it already was, or is not the user's."""
    return optional_row(await queries.stories.approve_story(conn, user_id=user_id, story_id=story_id))


async def delete_story(conn: Connection, *, user_id: str, story_id: str, standalone: bool) -> bool:
    await allow_history_delete(conn, parent_id=story_id)
    deleted = await queries.stories.delete_story(conn, user_id=user_id, story_id=story_id, standalone=standalone)
    return deleted is not None


async def add_event(
    conn: Connection,
    *,
    user_id: str,
    story_id: str,
    feature_id: str | None,
    epic_id: str | None,
    role: str,
    content: str,
    event_metadata: dict | None = None,
) -> bool:
    """False when the story is not the user's, or feature_id and epic_id are not its own (nothing is written)."""
    added = await queries.stories.add_event(
        conn,
        event_id=new_id("sevt"),
        user_id=user_id,
        story_id=story_id,
        feature_id=feature_id,
        epic_id=epic_id,
        role=role,
        content=content,
        event_metadata=event_metadata,
    )
    return added is not None


async def open_chat_turn(
    conn: Connection, *, user_id: str, story_id: str, standalone: bool, content: str, history_limit: int
) -> tuple[dict, dict | None, list[dict]] | None:
    """The user's story (standalone or not: check `is_standalone`), its feature and its last `history_limit`
    messages, in one statement; the user's message is stored only for a story of the kind asked that is not
    approved. None when the story is not theirs."""
    row = await queries.stories.open_chat_turn(
        conn,
        event_id=new_id("sevt"),
        user_id=user_id,
        story_id=story_id,
        standalone=standalone,
        content=content,
        max_rows=history_limit,
    )
    if row is None:
        return None
    story = dict(row)
    return story, story.pop("feature"), story.pop("history")


async def list_events(conn: Connection, *, user_id: str, story_id: str) -> list[dict]:
    return [dict(row) async for row in queries.stories.list_events(conn, user_id=user_id, story_id=story_id)]


async def list_stories(
    conn: Connection, *, user_id: str, stage: str | None = None, standalone: bool | None = None
) -> list[dict]:
    rows = queries.stories.list_stories(conn, user_id=user_id, stage=stage, standalone=standalone)
    return [dict(row) async for row in rows]
