"""POST /api/poker/estimate and /estimate-custom against the fake provider: the events in persona order,
the five asked at once, failures per persona, and the session stored whole before `summary`."""

from __future__ import annotations

import json

from jarlpm.poker.rules import PERSONAS
from tests.builders import persona_answer, standalone_story
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.sse import parse_frames, stream_events

IDS = [persona.id for persona in PERSONAS]


def assert_persona_order(events: list[dict]) -> list[dict]:
    """start, then each persona's start and its result in persona order; the rest of the events."""
    assert events[0] == {"type": "start", "total_personas": 5}
    for index, persona_id in enumerate(IDS):
        started, result = events[1 + 2 * index], events[2 + 2 * index]
        assert started["type"] == "persona_start" and started["persona"]["id"] == persona_id
        assert result["type"] in ("persona_estimate", "persona_error")
        assert (result.get("persona_id") or result["estimate"]["persona_id"]) == persona_id
    return events[11:]


async def sessions_in(database_url: str) -> list[dict]:
    return await fetch(
        database_url,
        "SELECT s.session_id, s.story_id, s.suggested_estimate, s.average_estimate,"
        " (SELECT count(*) FROM poker_persona_estimates AS e WHERE e.session_id = s.session_id) AS estimates"
        " FROM poker_estimate_sessions AS s",
    )


async def test_five_estimates_then_a_stored_summary(pm, fake_llm, database_url) -> None:
    story = await standalone_story(pm)
    fake_llm.script(*(persona_answer(points) for points in (5, 5, 3, 8, 5)))
    events = await stream_events(pm, "/api/poker/estimate", {"story_id": story["story_id"]})
    summary, done = assert_persona_order(events)
    assert done == {"type": "done"}
    body = summary["summary"]
    assert [estimate["persona_id"] for estimate in body["estimates"]] == IDS
    assert sorted(e["estimate"] for e in body["estimates"]) == [3, 5, 5, 5, 8]
    assert (body["average"], body["suggested"], body["min"], body["max"]) == (5.2, 5, 3, 8)
    assert body["consensus"] == "low"
    [stored] = await sessions_in(database_url)
    assert stored == {
        "session_id": body["session_id"],
        "story_id": story["story_id"],
        "suggested_estimate": 5,
        "average_estimate": 5.2,
        "estimates": 5,
    }
    assert (await fetch(database_url, "SELECT count(*) AS calls FROM llm_usage"))[0]["calls"] == 5
    # Each persona was asked as itself, about the story.
    systems = [request.body["messages"][0]["content"] for request in fake_llm.chat_requests()]
    assert all(any(persona.name in system for system in systems) for persona in PERSONAS)


async def test_an_estimate_off_the_scale_is_repaired(pm, fake_llm, database_url) -> None:
    story = await standalone_story(pm)
    fake_llm.script(*(persona_answer(points) for points in (3, 3, 4, 3, 3)), persona_answer(3))
    events = await stream_events(pm, "/api/poker/estimate", {"story_id": story["story_id"]})
    summary, _ = assert_persona_order(events)
    assert [e["estimate"] for e in summary["summary"]["estimates"]] == [3, 3, 3, 3, 3]
    assert len(fake_llm.chat_requests()) == 6
    assert "estimate" in fake_llm.chat_requests()[-1].body["messages"][-1]["content"]


async def test_one_persona_failing_is_its_error_and_the_others_count(pm, fake_llm, database_url) -> None:
    story = await standalone_story(pm)
    # Four good answers and one that stays off the scale through both repairs: whichever persona draws
    # it fails, the rest are counted.
    fake_llm.script(*(persona_answer(points) for points in (2, 2, 2, 2)), Reply(text=persona_answer(4), times=3))
    events = await stream_events(pm, "/api/poker/estimate", {"story_id": story["story_id"]})
    summary, done = assert_persona_order(events)
    [failed] = [event for event in events if event["type"] == "persona_error"]
    assert failed["error"] and "4" not in failed["error"]
    assert len(summary["summary"]["estimates"]) == 4
    assert failed["persona_id"] not in {e["persona_id"] for e in summary["summary"]["estimates"]}
    assert done["type"] == "done"
    [stored] = await sessions_in(database_url)
    assert stored["estimates"] == 4


async def test_all_five_failing_send_no_summary_and_store_nothing(pm, fake_llm, database_url) -> None:
    story = await standalone_story(pm)
    fake_llm.script(Reply(status=400, times=5))
    events = await stream_events(pm, "/api/poker/estimate", {"story_id": story["story_id"]})
    assert assert_persona_order(events) == [{"type": "done"}]
    assert {event["type"] for event in events[2::2]} == {"persona_error"}
    assert await sessions_in(database_url) == []


async def test_a_custom_estimate_stores_nothing(pm, fake_llm, database_url) -> None:
    fake_llm.script(*(persona_answer(points) for points in (1, 2, 2, 2, 3)))
    query = "story_title=Export&story_description=CSV+export&acceptance_criteria=One&acceptance_criteria=Two"
    response = await pm.post(f"/api/poker/estimate-custom?{query}")
    assert response.status_code == 200
    summary, done = assert_persona_order(parse_frames(await response.get_data(as_text=True)))
    assert "session_id" not in summary["summary"] and summary["summary"]["suggested"] == 2
    assert done == {"type": "done"}
    prompt = fake_llm.chat_requests()[0].body["messages"][-1]["content"]
    assert "CSV export" in prompt and "- One\n- Two" in prompt
    assert await sessions_in(database_url) == []


async def test_bad_requests_are_refused_before_any_call(pm, other, fake_llm) -> None:
    story = await standalone_story(pm)
    assert (await other.post("/api/poker/estimate", json={"story_id": story["story_id"]})).status_code == 404
    assert (await pm.post("/api/poker/estimate", json={"story_id": "story_missing"})).status_code == 404
    assert (await pm.post("/api/poker/estimate", json={})).status_code == 422
    assert (await pm.post("/api/poker/estimate-custom")).status_code == 422
    assert fake_llm.chat_requests() == []


def test_persona_answer_is_json() -> None:
    assert json.loads(persona_answer(5))["estimate"] == 5
