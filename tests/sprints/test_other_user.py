"""A second user: every route on pm's stories answers 404 exactly as for a story that does not exist
(the original's 403 told them it exists), changes nothing, and their board and insights show nothing of pm's."""

from __future__ import annotations

import json

import pytest

from tests.builders import delivery_context
from tests.sprints.conftest import SPRINT_TEAM, STANDALONE, in_sprint, insight_rows, scope_plan, sprint_rows

STORY_ROUTES = [
    ("PUT", "sprint", {"sprint_number": 1}),
    ("PUT", "sprint", {"sprint_number": None}),
    ("PUT", "status", {"status": "done"}),
    ("PUT", "status", {"status": "blocked", "blocked_reason": "mine now"}),
    ("POST", "commit", None),
]


@pytest.mark.parametrize("method,action,body", STORY_ROUTES)
@pytest.mark.parametrize("title", ["Record a dose", STANDALONE])
@pytest.mark.parametrize("their_sprint", [False, True])
async def test_another_users_story_is_404_on_every_story_route(
    pm, other, board, team, database_url, method, action, body, title, their_sprint
) -> None:
    await in_sprint(pm, board.ids[title], "in_progress")
    if their_sprint:
        await delivery_context(other, **SPRINT_TEAM)
    before = await sprint_rows(database_url)
    theirs = await other.call(method, board.path(title, action), json=body)
    missing = await other.call(method, f"/api/sprints/story/story_000000000000/{action}", json=body)
    assert theirs.status_code == missing.status_code == 404
    assert (
        await theirs.get_json()
        == await missing.get_json()
        == {
            "detail": "User story not found",
            "code": "STORY_NOT_FOUND",
        }
    )
    assert await sprint_rows(database_url) == before


async def test_another_users_board_and_insights_show_nothing_of_pms(
    pm, other, board, team, fake_llm, database_url
) -> None:
    await in_sprint(pm, board.ids["Record a dose"], "in_progress")
    fake_llm.script(json.dumps({"sprint_goal": "pm's goal"}))
    assert (await pm.post("/api/sprints/ai/kickoff-plan")).status_code == 200

    unconfigured = await (await other.get("/api/sprints/current")).get_json()
    assert unconfigured["stories_by_status"] == {
        "backlog": [],
        "ready": [],
        "in_progress": [],
        "done": [],
        "blocked": [],
    }
    assert unconfigured["total_points"] == 0
    await delivery_context(other, **SPRINT_TEAM)  # the same sprint as pm's
    configured = await (await other.get("/api/sprints/current")).get_json()
    assert configured["capacity"]["committed_points"] == 0
    assert all(column == [] for column in configured["stories_by_status"].values())

    for path in ("/api/sprints/insights/current", "/api/sprints/insights/2"):
        insights = await (await other.get(path)).get_json()
        assert (insights["kickoff_plan"], insights["standup_summary"], insights["wip_suggestions"]) == (
            None,
            None,
            None,
        )

    response = await other.post("/api/sprints/ai/standup-summary")
    assert response.status_code == 400 and (await response.get_json())["code"] == "NO_SPRINT_STORIES"
    assert len(await insight_rows(database_url)) == 1


async def test_another_users_scope_plan_is_404(pm, other, board, database_url) -> None:
    await scope_plan(database_url, board.epic_id, [])
    assert (await pm.get(f"/api/sprints/from-delivery-reality/{board.epic_id}")).status_code == 200
    response = await other.get(f"/api/sprints/from-delivery-reality/{board.epic_id}")
    assert response.status_code == 404
    assert (await response.get_json())["code"] == "SCOPE_PLAN_NOT_FOUND"
