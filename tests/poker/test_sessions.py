"""Accepting points and reading sessions back: the owner sees them, a second user gets 404 everywhere."""

from __future__ import annotations

from tests.builders import add_story, approved_feature_with_stories, persona_answer, standalone_story
from tests.db.helpers import fetch
from tests.sse import stream_events


async def estimated(user, fake_llm, story_id: str, points: tuple[int, ...] = (3, 5, 5, 5, 8)) -> dict:  # type: ignore[no-untyped-def]
    fake_llm.script(*(persona_answer(value) for value in points))
    events = await stream_events(user, "/api/poker/estimate", {"story_id": story_id})
    return next(event["summary"] for event in events if event["type"] == "summary")


async def story_points(database_url: str, story_id: str) -> int | None:
    [row] = await fetch(database_url, "SELECT story_points FROM user_stories WHERE story_id = $1", story_id)
    return row["story_points"]


async def test_personas_are_public(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/api/poker/personas")
    assert response.status_code == 200
    assert [persona["name"] for persona in await response.get_json()] == ["Sarah", "Alex", "Maya", "Jordan", "Riley"]


async def test_saving_an_estimate_sets_points_on_an_approved_story_and_accepts_the_session(
    pm, fake_llm, database_url
) -> None:
    tree = await approved_feature_with_stories(pm, fake_llm)
    story_id = tree.stories[0]["story_id"]
    assert (await pm.post(f"/api/stories/{story_id}/approve")).status_code == 200
    summary = await estimated(pm, fake_llm, story_id)
    body = {"story_id": story_id, "story_points": 5, "session_id": summary["session_id"]}
    response = await pm.post("/api/poker/save-estimate", json=body)
    assert response.status_code == 200
    assert await response.get_json() == {"success": True, **body}
    assert await story_points(database_url, story_id) == 5

    session = await (await pm.get(f"/api/poker/session/{summary['session_id']}")).get_json()
    assert session["accepted_estimate"] == 5 and session["accepted_at"]
    assert [e["persona_name"] for e in session["estimates"]] == ["Sarah", "Alex", "Maya", "Jordan", "Riley"]
    [listed] = (await (await pm.get(f"/api/poker/sessions/{story_id}")).get_json())["sessions"]
    assert listed == session

    epic = await (await pm.get(f"/api/poker/epic/{tree.epic_id}/sessions")).get_json()
    assert epic["epic"]["epic_id"] == tree.epic_id
    assert [(s["story_id"], s["story_points"], s["session"]["session_id"]) for s in epic["stories"]] == [
        (story_id, 5, summary["session_id"])
    ]
    [completed] = (await (await pm.get("/api/poker/completed-epics")).get_json())["epics"]
    assert (completed["epic_id"], completed["estimated_stories"], completed["session_count"]) == (tree.epic_id, 1, 1)
    assert (await (await pm.get("/api/poker/epics-without-estimation")).get_json())["epics"] == []
    await add_story(pm, tree.feature["feature_id"])
    [unestimated] = (await (await pm.get("/api/poker/epics-without-estimation")).get_json())["epics"]
    assert (unestimated["total_stories"], unestimated["unestimated_stories"]) == (2, 1)


async def test_points_off_the_scale_or_a_foreign_session_change_nothing(pm, fake_llm, database_url) -> None:
    story = await standalone_story(pm)
    other_story = await standalone_story(pm)
    summary = await estimated(pm, fake_llm, other_story["story_id"])
    for points in (4, 0, 21, "5", None):
        body = {"story_id": story["story_id"], "story_points": points}
        assert (await pm.post("/api/poker/save-estimate", json=body)).status_code == 422, points
    # A session of another story: 404, and the story's points stay unset (one transaction).
    body = {"story_id": story["story_id"], "story_points": 3, "session_id": summary["session_id"]}
    response = await pm.post("/api/poker/save-estimate", json=body)
    assert (response.status_code, (await response.get_json())["code"]) == (404, "SESSION_NOT_FOUND")
    assert await story_points(database_url, story["story_id"]) is None


async def test_a_second_user_gets_404_everywhere_and_changes_nothing(pm, other, fake_llm, database_url) -> None:
    tree = await approved_feature_with_stories(pm, fake_llm)
    story_id = tree.stories[0]["story_id"]
    session_id = (await estimated(pm, fake_llm, story_id))["session_id"]
    for path in (f"/api/poker/sessions/{story_id}", f"/api/poker/session/{session_id}"):
        assert (await other.get(path)).status_code == 404, path
    assert (await other.get(f"/api/poker/epic/{tree.epic_id}/sessions")).status_code == 404
    for body in (
        {"story_id": story_id, "story_points": 8},
        {"story_id": story_id, "story_points": 8, "session_id": session_id},
    ):
        assert (await other.post("/api/poker/save-estimate", json=body)).status_code == 404
    assert (await other.post("/api/poker/estimate", json={"story_id": story_id})).status_code == 404
    assert (await (await other.get("/api/poker/completed-epics")).get_json())["epics"] == []
    assert (await (await other.get("/api/poker/epics-without-estimation")).get_json())["epics"] == []
    assert await story_points(database_url, story_id) is None
    [session] = await fetch(database_url, "SELECT accepted_estimate FROM poker_estimate_sessions")
    assert session["accepted_estimate"] is None
