"""Approved features and stories are frozen, and their conversations append-only, in the database itself."""

from __future__ import annotations

import asyncpg
import pytest

from tests.builders import create_feature
from tests.db.helpers import fetch
from tests.sse import stream_events


@pytest.fixture
async def approved(pm, fake_llm, epic_id):  # type: ignore[no-untyped-def]
    """An approved feature and story, each with a conversation."""
    draft = await create_feature(pm, epic_id)
    fake_llm.script("ok")
    await stream_events(pm, f"/api/features/{draft['feature_id']}/chat", {"content": "hi"})
    feature = await (await pm.post(f"/api/features/{draft['feature_id']}/approve")).get_json()
    story = await (
        await pm.post(
            f"/api/stories/feature/{feature['feature_id']}", json={"persona": "p", "action": "a", "benefit": "b"}
        )
    ).get_json()
    fake_llm.script("ok")
    await stream_events(pm, f"/api/stories/{story['story_id']}/chat", {"content": "hi"})
    await pm.post(f"/api/stories/{story['story_id']}/approve")
    return feature, story


@pytest.mark.parametrize(
    "assignment",
    [
        "title = 'x'",
        "description = 'x'",
        "acceptance_criteria = ARRAY['x']",
        "current_stage = 'refining'",
        "approved_at = now()",
    ],
)
async def test_approved_feature_content_never_changes(approved, database_url, assignment) -> None:
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, f"UPDATE features SET {assignment}")


async def test_approved_feature_scoring_stays_writable(approved, database_url) -> None:
    await fetch(database_url, "UPDATE features SET moscow_score = 'must_have', rice_total = 4.5, priority = 1")
    assert await fetch(database_url, "SELECT moscow_score, rice_total FROM features") == [
        {"moscow_score": "must_have", "rice_total": 4.5}
    ]


@pytest.mark.parametrize(
    "assignment",
    [
        "persona = 'x'",
        "action = 'x'",
        "benefit = 'x'",
        "acceptance_criteria = ARRAY['x']",
        "labels = ARRAY['x']",
        "story_priority = 'nice-to-have'",
        "risks = ARRAY['x']",
        "notes_for_engineering = 'x'",
        "current_stage = 'draft'",
    ],
)
async def test_approved_story_content_never_changes(approved, database_url, assignment) -> None:
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, f"UPDATE user_stories SET {assignment}")


async def test_approved_story_points_and_sprint_stay_writable(approved, database_url) -> None:
    await fetch(
        database_url, "UPDATE user_stories SET story_points = 5, sprint_number = 2, status = 'ready', rice_reach = 3"
    )
    assert await fetch(database_url, "SELECT story_points, sprint_number, status FROM user_stories") == [
        {"story_points": 5, "sprint_number": 2, "status": "ready"}
    ]


async def test_story_text_is_always_built_by_the_database(approved, database_url) -> None:
    with pytest.raises(asyncpg.GeneratedAlwaysError):
        await fetch(database_url, "UPDATE user_stories SET story_text = 'anything'")


@pytest.mark.parametrize("table", ["feature_conversation_events", "user_story_conversation_events"])
async def test_conversations_are_append_only(approved, database_url, table) -> None:
    assert await fetch(database_url, f"SELECT count(*) AS n FROM {table}") == [{"n": 2}]
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, f"UPDATE {table} SET content = 'rewritten'")
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, f"DELETE FROM {table}")
