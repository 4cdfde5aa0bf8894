"""Scores of epics, features, stories and bugs: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def get_epic_moscow(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    return optional_row(await queries.scoring.get_epic_moscow(conn, user_id=user_id, epic_id=epic_id))


async def set_epic_moscow(
    conn: Connection, *, user_id: str, epic_id: str, score: str, reasoning: str | None
) -> dict | None:
    row = await queries.scoring.set_epic_moscow(
        conn, user_id=user_id, epic_id=epic_id, score=score, reasoning=reasoning
    )
    return optional_row(row)


async def get_epic_for_scoring(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    return optional_row(await queries.scoring.get_epic_for_scoring(conn, user_id=user_id, epic_id=epic_id))


async def get_feature(conn: Connection, *, user_id: str, feature_id: str) -> dict | None:
    return optional_row(await queries.scoring.get_feature(conn, user_id=user_id, feature_id=feature_id))


async def get_story(conn: Connection, *, user_id: str, story_id: str, standalone: bool = False) -> dict | None:
    row = await queries.scoring.get_story(conn, user_id=user_id, story_id=story_id, standalone=standalone)
    return optional_row(row)


async def get_bug(conn: Connection, *, user_id: str, bug_id: str) -> dict | None:
    return optional_row(await queries.scoring.get_bug(conn, user_id=user_id, bug_id=bug_id))


async def set_feature_moscow(
    conn: Connection, *, user_id: str, feature_id: str, score: str, reasoning: str | None, epic_id: str | None = None
) -> dict | None:
    """The feature with its scores after the change; None when there is no such feature of theirs."""
    row = await queries.scoring.set_feature_moscow(
        conn, user_id=user_id, feature_id=feature_id, epic_id=epic_id, score=score, reasoning=reasoning
    )
    return optional_row(row)


async def set_rice(
    conn: Connection, kind: str, *, user_id: str, item_id: str, rice: dict, epic_id: str | None
) -> dict | None:
    """Store RICE values (`reach`, `impact`, `confidence`, `effort`, `total`, `reasoning`) on one of the
    user's features, stories or bugs (`kind`): the item with its scores after, None when it is not theirs."""
    query = getattr(queries.scoring, f"set_{kind}_rice")
    return optional_row(await query(conn, user_id=user_id, epic_id=epic_id, **{f"{kind}_id": item_id}, **rice))


async def epic_for_bulk_scoring(
    conn: Connection, *, user_id: str, epic_id: str, with_stories_and_bugs: bool
) -> dict | None:
    """One of the user's epics with `features`, `stories` and `bugs` (the last two empty unless asked),
    in one statement; None when not theirs."""
    row = await queries.scoring.epic_for_bulk_scoring(
        conn, user_id=user_id, epic_id=epic_id, with_stories_and_bugs=with_stories_and_bugs
    )
    return optional_row(row)


async def epic_features(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.scoring.epic_features(conn, user_id=user_id, epic_id=epic_id)]


async def epic_stories(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.scoring.epic_stories(conn, user_id=user_id, epic_id=epic_id)]


async def epic_bugs(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.scoring.epic_bugs(conn, user_id=user_id, epic_id=epic_id)]


async def _all(query_name: str, conn: Connection, user_id: str) -> list[dict]:
    return [dict(row) async for row in getattr(queries.scoring, query_name)(conn, user_id=user_id)]


async def scored_items(conn: Connection, *, user_id: str) -> dict[str, list[dict]]:
    return {
        "epic": await _all("scored_epics", conn, user_id),
        "standalone_story": await _all("scored_standalone_stories", conn, user_id),
        "standalone_bug": await _all("scored_standalone_bugs", conn, user_id),
    }


async def items_for_scoring(conn: Connection, *, user_id: str) -> dict[str, list[dict]]:
    return {
        "epics": await _all("scorable_epics", conn, user_id),
        "standalone_stories": await _all("scorable_standalone_stories", conn, user_id),
        "standalone_bugs": await _all("scorable_standalone_bugs", conn, user_id),
    }
