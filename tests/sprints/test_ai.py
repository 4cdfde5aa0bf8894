"""The sprint AI helpers against the fake provider: kickoff plan, standup summary, WIP suggestions; each
answer kept as an insight, the contract's 400s before any model call, repairs, and a clear 502."""

from __future__ import annotations

import json

import pytest

from tests.builders import new_user
from tests.db.helpers import fetch
from tests.sprints.conftest import CURRENT, STANDALONE, in_sprint, insight_rows

AI_ROUTES = ["/api/sprints/ai/kickoff-plan", "/api/sprints/ai/standup-summary", "/api/sprints/ai/wip-suggestions"]


def kickoff(board) -> dict:  # type: ignore[no-untyped-def]
    return {
        "sprint_goal": "Nurses record doses once",
        "top_stories": [
            {"id": board.ids["Record a dose"], "title": "Record a dose", "reason": "The core of the sprint"},
            {"id": "story_invented000", "title": "Made up", "reason": "The model imagined it"},
        ],
        "sequencing": ["Record a dose first", "Then scanning"],
        "risks": ["Pharmacy API access"],
    }


STANDUP = {
    "what_changed": ["Record a dose moved to in progress"],
    "whats_blocked": ["Scan a wristband: scanner not delivered"],
    "what_to_do_next": ["Chase the scanner order"],
    "summary": "One story moving, one blocked.",
}


def model_calls(fake_llm) -> int:  # type: ignore[no-untyped-def]
    return len(fake_llm.chat_requests())


async def test_the_kickoff_plan_keeps_only_real_stories_and_is_kept_as_an_insight(
    pm, board, team, fake_llm, database_url
) -> None:
    await in_sprint(pm, board.ids["Record a dose"], "in_progress")
    await in_sprint(pm, board.ids["Scan a wristband"], "blocked", "Scanner not delivered")
    fake_llm.script(f"Here is the plan:\n```json\n{json.dumps(kickoff(board))}\n```")
    response = await pm.post("/api/sprints/ai/kickoff-plan")
    assert response.status_code == 200
    plan = await response.get_json()
    assert plan == {**kickoff(board), "top_stories": kickoff(board)["top_stories"][:1]}

    sent = fake_llm.chat_requests()[-1].body
    system, prompt = sent["messages"][0]["content"], sent["messages"][-1]["content"]
    assert "PRODUCT DELIVERY CONTEXT (Read-Only)" in system and "Use only the story ids listed" in system
    assert "Sprint 2: 2026-03-06 to 2026-03-19" in prompt
    assert f"[{board.ids['Record a dose']}] Record a dose (5 points; must-have" in prompt
    assert "blocked because: Scanner not delivered" in prompt
    assert "Print a label" not in prompt  # not committed to the sprint

    [row] = await insight_rows(database_url)
    assert (row["sprint_number"], row["insight_type"], row["content"]) == (CURRENT, "kickoff_plan", plan)
    insights = await (await pm.get("/api/sprints/insights/current")).get_json()
    assert insights["kickoff_plan"]["content"] == plan
    assert insights["kickoff_plan"]["insight_id"] == row["insight_id"]


async def test_a_second_answer_becomes_the_newest_insight(pm, board, team, fake_llm, database_url) -> None:
    await in_sprint(pm, board.ids["Record a dose"])
    first, second = kickoff(board), {**kickoff(board), "sprint_goal": "A better goal"}
    fake_llm.script(json.dumps(first), json.dumps(second))
    assert (await pm.post("/api/sprints/ai/kickoff-plan")).status_code == 200
    assert (await pm.post("/api/sprints/ai/kickoff-plan")).status_code == 200
    assert len(await insight_rows(database_url)) == 2  # the history stays
    insights = await (await pm.get("/api/sprints/insights/current")).get_json()
    assert insights["kickoff_plan"]["content"]["sprint_goal"] == "A better goal"


async def test_an_invalid_answer_is_repaired(pm, board, team, fake_llm) -> None:
    await in_sprint(pm, board.ids["Record a dose"])
    fake_llm.script('{"goal": "missing the sprint goal"}', json.dumps(STANDUP))
    calls = model_calls(fake_llm)
    response = await pm.post("/api/sprints/ai/standup-summary")
    assert response.status_code == 200
    assert await response.get_json() == STANDUP
    assert model_calls(fake_llm) == calls + 2
    repair = fake_llm.chat_requests()[-1].body["messages"][-1]["content"]
    assert "could not be used" in repair and "summary" in repair


@pytest.mark.parametrize("path", AI_ROUTES)
async def test_an_answer_that_stays_invalid_is_a_502_and_nothing_is_kept(
    pm, board, team, fake_llm, database_url, path
) -> None:
    await in_sprint(pm, board.ids["Record a dose"], "in_progress")
    await in_sprint(pm, board.ids["Scan a wristband"], "in_progress")
    fake_llm.script("no", "still no", "never")
    response = await pm.post(path)
    assert response.status_code == 502
    assert await response.get_json() == {
        "detail": "The AI reply could not be turned into valid data; please try again",
        "code": "AI_FAILED",
    }
    assert await insight_rows(database_url) == []


async def test_the_standup_summary_is_kept_as_an_insight(pm, board, team, fake_llm, database_url) -> None:
    await in_sprint(pm, board.ids["Record a dose"], "done")
    fake_llm.script(json.dumps(STANDUP))
    response = await pm.post("/api/sprints/ai/standup-summary")
    assert response.status_code == 200
    assert await response.get_json() == STANDUP
    assert "Done:\n- [" in fake_llm.chat_requests()[-1].body["messages"][-1]["content"]
    [row] = await insight_rows(database_url)
    assert (row["insight_type"], row["content"]) == ("standup_summary", STANDUP)


async def test_wip_advice_asks_the_model_from_two_stories_in_progress(pm, board, team, fake_llm, database_url) -> None:
    record, scan = board.ids["Record a dose"], board.ids["Scan a wristband"]
    await in_sprint(pm, record, "in_progress")
    await in_sprint(pm, scan, "in_progress")
    await in_sprint(pm, board.ids[STANDALONE], "ready")
    advice = {
        "finish_first": [{"id": record, "title": "Record a dose", "reason": "Closest to done"}],
        "consider_pausing": [
            {"id": scan, "title": "Scan a wristband", "reason": "Waiting on hardware"},
            {"id": board.ids[STANDALONE], "title": STANDALONE, "reason": "Not even started"},
        ],
        "reasoning": "Two stories in flight for two developers.",
    }
    fake_llm.script(json.dumps(advice))
    response = await pm.post("/api/sprints/ai/wip-suggestions")
    assert response.status_code == 200
    expected = {**advice, "consider_pausing": advice["consider_pausing"][:1]}  # only stories in progress
    assert await response.get_json() == expected
    [row] = await insight_rows(database_url)
    assert (row["insight_type"], row["content"]) == ("wip_suggestions", expected)


@pytest.mark.parametrize("statuses", [[], ["in_progress"], ["in_progress", "blocked", "ready", "done"]])
async def test_healthy_wip_is_answered_without_the_model_and_kept(
    pm, board, team, fake_llm, database_url, statuses
) -> None:
    for title, status in zip(board.ids, statuses, strict=False):
        await in_sprint(pm, board.ids[title], status)
    calls = model_calls(fake_llm)
    response = await pm.post("/api/sprints/ai/wip-suggestions")
    assert response.status_code == 200
    body = await response.get_json()
    assert (body["finish_first"], body["consider_pausing"]) == ([], [])
    assert body["reasoning"].startswith("WIP looks healthy")
    assert model_calls(fake_llm) == calls
    [row] = await insight_rows(database_url)
    assert (row["insight_type"], row["content"]) == ("wip_suggestions", body)
    usage = await fetch(database_url, "SELECT count(*) AS n FROM llm_usage WHERE route LIKE 'sprints.%'")
    assert usage == [{"n": 0}]


@pytest.mark.parametrize("path", AI_ROUTES)
async def test_without_a_sprint_the_helpers_are_400_before_any_model_call(
    pm, board, fake_llm, database_url, path
) -> None:
    calls = model_calls(fake_llm)
    response = await pm.post(path)
    assert response.status_code == 400
    assert await response.get_json() == {"detail": "Sprint not configured", "code": "SPRINT_NOT_CONFIGURED"}
    assert model_calls(fake_llm) == calls
    assert await insight_rows(database_url) == []


@pytest.mark.parametrize(
    "path,detail",
    [
        ("/api/sprints/ai/kickoff-plan", "No stories committed to current sprint"),
        ("/api/sprints/ai/standup-summary", "No stories in current sprint"),
    ],
)
async def test_an_empty_sprint_is_400_before_any_model_call(
    pm, board, team, fake_llm, database_url, path, detail
) -> None:
    await pm.put(f"/api/sprints/story/{board.ids['Record a dose']}/sprint", json={"sprint_number": CURRENT + 1})
    calls = model_calls(fake_llm)
    response = await pm.post(path)
    assert response.status_code == 400
    assert await response.get_json() == {"detail": detail, "code": "NO_SPRINT_STORIES"}
    assert model_calls(fake_llm) == calls
    assert await insight_rows(database_url) == []


@pytest.mark.parametrize("path", AI_ROUTES)
async def test_the_helpers_need_a_provider(app, fake_llm, database_url, path) -> None:
    user = await new_user(app, "np@jarlpm.dev")
    response = await user.post(path)
    assert response.status_code == 400 and (await response.get_json())["code"] == "NO_LLM_PROVIDER"
    assert fake_llm.chat_requests() == []
    assert await insight_rows(database_url) == []


async def test_a_model_call_is_metered_to_its_route(pm, board, team, fake_llm, database_url) -> None:
    await in_sprint(pm, board.ids["Record a dose"])
    fake_llm.script(json.dumps(STANDUP))
    assert (await pm.post("/api/sprints/ai/standup-summary")).status_code == 200
    usage = await fetch(database_url, "SELECT route, outcome FROM llm_usage WHERE route LIKE 'sprints.%'")
    assert usage == [{"route": "sprints.standup_summary", "outcome": "ok"}]
