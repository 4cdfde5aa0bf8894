"""The whole path: locked epic → generated features saved → one refined by chat → approved → stories
generated, saved, refined, approved → the epic deleted → nothing orphaned."""

from __future__ import annotations

from tests.builders import GENERATED, STORIES, fenced
from tests.db.helpers import fetch
from tests.sse import stream_events

CHILD_TABLES = ("features", "feature_conversation_events", "user_stories", "user_story_conversation_events")


async def test_from_locked_epic_to_approved_stories_and_back_to_nothing(pm, fake_llm, epic_id, database_url) -> None:
    # Features are generated (nothing stored) and the chosen ones saved.
    fake_llm.script(fenced(GENERATED))
    events = await stream_events(pm, f"/api/features/epic/{epic_id}/generate", {"count": 2})
    assert [e["type"] for e in events][-2:] == ["features", "done"]
    assert events[-2]["features"] == GENERATED
    assert await fetch(database_url, "SELECT count(*) AS n FROM features") == [{"n": 0}]
    prompt = fake_llm.chat_requests()[-1].body["messages"]
    assert "Single-entry medication records" in prompt[0]["content"] and "2 features" in prompt[1]["content"]
    saved = []
    for draft in GENERATED:
        response = await pm.post(f"/api/features/epic/{epic_id}", json={**draft, "source": "ai_generated"})
        assert response.status_code == 201
        saved.append(await response.get_json())
    listed = await (await pm.get(f"/api/features/epic/{epic_id}")).get_json()
    assert [f["title"] for f in listed] == ["Ward entry screen", "Pharmacy sync"]
    assert {f["current_stage"] for f in listed} == {"draft"}
    feature_id = saved[0]["feature_id"]

    # One is refined by chat: its update is validated, stored, announced.
    update = (
        '[FEATURE_UPDATE]{"title": "Ward dose entry", "acceptance_criteria": ["Saved in one step", "Works offline"]}'
        "[/FEATURE_UPDATE]"
    )
    fake_llm.script(f"Agreed, tightening it.\n{update}")
    events = await stream_events(pm, f"/api/features/{feature_id}/chat", {"content": "Rename it and add offline."})
    assert events[-2:] == [
        {
            "type": "feature_updated",
            "update": {"title": "Ward dose entry", "acceptance_criteria": ["Saved in one step", "Works offline"]},
        },
        {"type": "done"},
    ]
    feature = await (await pm.get(f"/api/features/{feature_id}")).get_json()
    assert (feature["title"], feature["current_stage"]) == ("Ward dose entry", "refining")
    assert feature["description"] == "Nurses record a dose once."
    conversation = await (await pm.get(f"/api/features/{feature_id}/conversation")).get_json()
    assert [(e["role"], e["content"][:7]) for e in conversation] == [("user", "Rename "), ("assistant", "Agreed,")]

    # Approved, it freezes.
    approved = await (await pm.post(f"/api/features/{feature_id}/approve")).get_json()
    assert approved["current_stage"] == "approved" and approved["approved_at"]
    assert (await pm.put(f"/api/features/{feature_id}", json={"title": "late"})).status_code == 400

    # Stories are generated for it (export-ready fields included), saved, refined and approved.
    fake_llm.script(fenced(STORIES))
    events = await stream_events(pm, f"/api/stories/feature/{feature_id}/generate", {"count": 2})
    generated = events[-2]["stories"]
    assert [e["type"] for e in events][-2:] == ["stories", "done"]
    assert (generated[0]["persona"], generated[0]["action"], generated[0]["benefit"]) == (
        "ward nurse",
        "record a dose once",
        "I never type it twice",
    )
    assert generated[0]["story_priority"] == "must-have" and generated[1]["story_priority"] == "should-have"
    story_ids = []
    for draft in generated:
        response = await pm.post(f"/api/stories/feature/{feature_id}", json={**draft, "source": "ai_generated"})
        assert response.status_code == 201, await response.get_data(as_text=True)
        story_ids.append((await response.get_json())["story_id"])
    story = await (await pm.get(f"/api/stories/{story_ids[0]}")).get_json()
    assert story["story_text"] == "As a ward nurse, I want to record a dose once so that I never type it twice."
    assert (story["labels"], story["dependencies"], story["risks"]) == (
        ["frontend"],
        ["Pharmacy API"],
        ["Network loss"],
    )
    assert (story["edge_cases"], story["notes_for_engineering"]) == (["Duplicate scan"], "Use optimistic UI.")
    assert story["is_standalone"] is False and story["feature_id"] == feature_id

    fake_llm.script(
        'Done.\n[STORY_UPDATE]{"benefit": "so that doses are never typed twice", "story_points": 3, "title": "ignored"}'
        "[/STORY_UPDATE]"
    )
    events = await stream_events(pm, f"/api/stories/{story_ids[0]}/chat", {"content": "Reword the benefit; it is a 3."})
    assert events[-2] == {
        "type": "story_updated",
        "update": {"benefit": "doses are never typed twice", "story_points": 3},
    }
    story = await (await pm.get(f"/api/stories/{story_ids[0]}")).get_json()
    assert story["story_text"].endswith("so that doses are never typed twice.")
    assert (story["story_points"], story["title"], story["current_stage"]) == (3, "Record a dose", "refining")
    approved_story = await (await pm.post(f"/api/stories/{story_ids[0]}/approve")).get_json()
    assert approved_story["current_stage"] == "approved"

    # Deleting the epic removes everything under it.
    assert (await pm.delete(f"/api/epics/{epic_id}")).status_code == 200
    for table in CHILD_TABLES:
        assert await fetch(database_url, f"SELECT count(*) AS n FROM {table}") == [{"n": 0}], table
