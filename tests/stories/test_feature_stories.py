"""Feature-bound story routes: the approved-feature rule, ordering, updates, approval, 404 for others."""

from __future__ import annotations

import pytest

from tests.builders import STORIES, approved_feature, create_feature, fenced
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.sse import stream_events

STORY = {"persona": "a nurse", "action": "to log in with my badge", "benefit": "so that I start fast."}
STORY_KEYS = {
    "story_id",
    "feature_id",
    "user_id",
    "title",
    "persona",
    "action",
    "benefit",
    "story_text",
    "acceptance_criteria",
    "current_stage",
    "source",
    "story_points",
    "priority",
    "is_standalone",
    "labels",
    "story_priority",
    "dependencies",
    "risks",
    "edge_cases",
    "notes_for_engineering",
    "rice_reach",
    "rice_impact",
    "rice_confidence",
    "rice_effort",
    "rice_total",
    "sprint_number",
    "status",
    "blocked_reason",
    "created_at",
    "updated_at",
    "approved_at",
}


@pytest.fixture
async def feature_id(pm, epic_id) -> str:
    return (await approved_feature(pm, epic_id))["feature_id"]


async def create_story(user, feature_id: str, **overrides) -> dict:  # type: ignore[no-untyped-def]
    response = await user.post(f"/api/stories/feature/{feature_id}", json={**STORY, **overrides})
    assert response.status_code == 201, await response.get_data(as_text=True)
    return await response.get_json()


async def story_rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url, "SELECT story_id, persona, action, benefit, current_stage FROM user_stories ORDER BY story_id"
    )


async def test_stories_need_an_approved_feature(pm, fake_llm, epic_id, database_url) -> None:
    draft = await create_feature(pm, epic_id)
    created = await pm.post(f"/api/stories/feature/{draft['feature_id']}", json=STORY)
    assert created.status_code == 400
    assert await created.get_json() == {
        "detail": "Feature must be approved before creating stories",
        "code": "FEATURE_NOT_APPROVED",
    }
    generated = await pm.post(f"/api/stories/feature/{draft['feature_id']}/generate", json={})
    assert generated.status_code == 400
    assert await story_rows(database_url) == []


async def test_create_cleans_the_parts_and_builds_the_story_text(pm, feature_id) -> None:
    story = await create_story(pm, feature_id)
    assert set(story) == STORY_KEYS
    assert (story["persona"], story["action"], story["benefit"]) == ("nurse", "log in with my badge", "I start fast")
    assert story["story_text"] == "As a nurse, I want to log in with my badge so that I start fast."
    assert (story["current_stage"], story["source"], story["labels"], story["story_priority"]) == (
        "draft",
        "manual",
        [],
        None,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"action": "a", "benefit": "b"},
        {**STORY, "persona": "   "},
        {**STORY, "story_priority": "urgent"},
        {**STORY, "source": "imported"},
        {**STORY, "labels": "not-a-list"},
    ],
)
async def test_bad_story_input_is_422_and_stores_nothing(pm, feature_id, database_url, body) -> None:
    assert (await pm.post(f"/api/stories/feature/{feature_id}", json=body)).status_code == 422
    assert await story_rows(database_url) == []


async def test_list_orders_by_priority_then_creation(pm, feature_id, database_url) -> None:
    first = await create_story(pm, feature_id, persona="first")
    second = await create_story(pm, feature_id, persona="second")
    third = await create_story(pm, feature_id, persona="third")
    await fetch(database_url, f"UPDATE user_stories SET priority = 1 WHERE story_id = '{third['story_id']}'")
    await fetch(database_url, f"UPDATE user_stories SET priority = 2 WHERE story_id = '{second['story_id']}'")
    listed = await (await pm.get(f"/api/stories/feature/{feature_id}")).get_json()
    assert [story["persona"] for story in listed] == ["third", "second", "first"]
    assert first["story_id"] == listed[-1]["story_id"]


async def test_update_then_approve_then_frozen(pm, feature_id, database_url) -> None:
    story = await create_story(pm, feature_id)
    updated = await (
        await pm.put(f"/api/stories/{story['story_id']}", json={"action": "use my badge", "labels": ["auth"]})
    ).get_json()
    assert updated["story_text"] == "As a nurse, I want to use my badge so that I start fast."
    assert updated["labels"] == ["auth"] and updated["benefit"] == "I start fast"
    approved = await pm.post(f"/api/stories/{story['story_id']}/approve")
    assert (await approved.get_json())["current_stage"] == "approved"
    assert (await pm.post(f"/api/stories/{story['story_id']}/approve")).status_code == 400
    before = await story_rows(database_url)
    refused = await pm.put(f"/api/stories/{story['story_id']}", json={"persona": "doctor"})
    assert refused.status_code == 400 and (await refused.get_json())["code"] == "STORY_APPROVED"
    chat = await pm.post(f"/api/stories/{story['story_id']}/chat", json={"content": "change"})
    assert chat.status_code == 400
    assert await story_rows(database_url) == before


async def test_delete_removes_the_story_and_its_conversation(pm, fake_llm, feature_id, database_url) -> None:
    story = await create_story(pm, feature_id)
    fake_llm.script("Sure.")
    await stream_events(pm, f"/api/stories/{story['story_id']}/chat", {"content": "hello"})
    conversation = await (await pm.get(f"/api/stories/{story['story_id']}/conversation")).get_json()
    assert [(e["role"], e["story_id"]) for e in conversation] == [
        ("user", story["story_id"]),
        ("assistant", story["story_id"]),
    ]
    response = await pm.delete(f"/api/stories/{story['story_id']}")
    assert (response.status_code, await response.get_json()) == (200, {"message": "User story deleted"})
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_story_conversation_events") == [{"n": 0}]
    assert (await pm.delete(f"/api/stories/{story['story_id']}")).status_code == 404


async def test_generation_failure_sends_error_then_done(pm, fake_llm, feature_id) -> None:
    fake_llm.script(Reply(status=401))
    events = await stream_events(pm, f"/api/stories/feature/{feature_id}/generate", {"count": 2})
    assert events == [{"type": "error", "message": "The AI provider rejected the API key"}, {"type": "done"}]


async def test_generated_stories_must_have_criteria(pm, fake_llm, feature_id) -> None:
    no_criteria = [{**STORIES[1], "acceptance_criteria": []}]
    fake_llm.script(fenced(no_criteria), fenced(STORIES[1:]))
    events = await stream_events(pm, f"/api/stories/feature/{feature_id}/generate", {"count": 1})
    assert [story["persona"] for story in events[-2]["stories"]] == ["pharmacist"]


async def test_a_standalone_story_is_not_served_here(pm, feature_id, database_url) -> None:
    [user] = await fetch(database_url, "SELECT user_id FROM users WHERE email = 'pm@jarlpm.dev'")
    await fetch(
        database_url,
        "INSERT INTO user_stories (story_id, user_id, persona, action, benefit) "
        "VALUES ('story_standalone1', $1, 'p', 'a', 'b')",
        user["user_id"],
    )
    assert (await pm.get("/api/stories/story_standalone1")).status_code == 404
    assert (await pm.delete("/api/stories/story_standalone1")).status_code == 404
    assert len(await fetch(database_url, "SELECT story_id FROM user_stories")) == 1


async def test_another_user_gets_404_on_every_story_route(pm, other, fake_llm, feature_id, database_url) -> None:
    story = await create_story(pm, feature_id)
    before = await story_rows(database_url)
    requests_before = len(fake_llm.chat_requests())
    calls = [
        ("GET", f"/api/stories/feature/{feature_id}", None),
        ("POST", f"/api/stories/feature/{feature_id}", STORY),
        ("POST", f"/api/stories/feature/{feature_id}/generate", {}),
        ("GET", f"/api/stories/{story['story_id']}", None),
        ("PUT", f"/api/stories/{story['story_id']}", {"persona": "thief"}),
        ("DELETE", f"/api/stories/{story['story_id']}", None),
        ("POST", f"/api/stories/{story['story_id']}/approve", None),
        ("GET", f"/api/stories/{story['story_id']}/conversation", None),
        ("POST", f"/api/stories/{story['story_id']}/chat", {"content": "hi"}),
    ]
    for method, path, body in calls:
        response = await other.call(method, path, json=body)
        assert response.status_code == 404, (method, path)
    assert await story_rows(database_url) == before
    assert len(fake_llm.chat_requests()) == requests_before
