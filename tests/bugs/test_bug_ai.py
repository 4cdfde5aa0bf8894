"""The bug AI helpers against the fake provider: interview, create-from-proposal, refine, severity."""

from __future__ import annotations

import json

import pytest

from tests.builders import create_bug, new_user
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.sse import joined, stream_events

PROPOSAL = {
    "title": "Dose screen freezes after save",
    "description": "Saving a dose freezes the ward screen.",
    "severity": "high",
    "steps_to_reproduce": "1. Open a patient\n2. Save a dose",
    "expected_behavior": "The screen returns to the patient list.",
    "actual_behavior": "The screen stops responding.",
    "environment": "Ward tablet, Chrome 130",
    "priority": "p1",
}


async def test_the_interview_proposes_and_the_bug_is_created(pm, fake_llm, database_url) -> None:
    fake_llm.script("What did you expect to happen?")
    first = await stream_events(
        pm, "/api/bugs/ai/chat", {"content": "The dose screen freezes", "conversation_history": []}
    )
    assert first[-1] == {"type": "done", "proposal": None, "is_complete": False}
    fake_llm.script(f"Thanks, here it is.\n```json\n{json.dumps({'proposal': PROPOSAL})}\n```")
    history = [
        {"role": "user", "content": "The dose screen freezes"},
        {"role": "assistant", "content": "What did you expect to happen?"},
    ]
    second = await stream_events(
        pm, "/api/bugs/ai/chat", {"content": "To go back to the list", "conversation_history": history}
    )
    assert second[-1] == {"type": "done", "proposal": PROPOSAL, "is_complete": True}
    assert "exactly one short question" in fake_llm.chat_requests()[-1].body["messages"][0]["content"]
    assert await fetch(database_url, "SELECT count(*) AS n FROM bugs") == [{"n": 0}]

    created = await pm.post("/api/bugs/ai/create-from-proposal", json=second[-1]["proposal"])
    assert created.status_code == 200
    bug = await created.get_json()
    assert (bug["status"], bug["severity"], bug["priority"], bug["environment"]) == (
        "draft",
        "high",
        "p1",
        PROPOSAL["environment"],
    )
    history_rows = await (await pm.get(f"/api/bugs/{bug['bug_id']}/history")).get_json()
    assert [(h["to_status"], h["notes"]) for h in history_rows] == [("draft", "Bug created from the AI interview")]


@pytest.mark.parametrize("body", [{**PROPOSAL, "title": ""}, {"title": "only"}, {**PROPOSAL, "severity": "x" * 21}])
async def test_a_bad_proposal_body_is_422(pm, database_url, body) -> None:
    assert (await pm.post("/api/bugs/ai/create-from-proposal", json=body)).status_code == 422
    assert await fetch(database_url, "SELECT count(*) AS n FROM bugs") == [{"n": 0}]


@pytest.mark.parametrize(
    "overrides,code",
    [
        ({"severity": "huge"}, "INVALID_SEVERITY"),
        ({"priority": "p9"}, "INVALID_PRIORITY"),
        ({"severity": "High"}, "INVALID_SEVERITY"),
    ],
)
async def test_an_unknown_severity_or_priority_is_400_as_for_a_new_bug(pm, database_url, overrides, code) -> None:
    from_proposal = await pm.post("/api/bugs/ai/create-from-proposal", json={**PROPOSAL, **overrides})
    direct = await pm.post("/api/bugs", json={**PROPOSAL, **overrides})
    assert from_proposal.status_code == direct.status_code == 400
    assert await from_proposal.get_json() == await direct.get_json()
    assert (await direct.get_json())["code"] == code
    assert await fetch(database_url, "SELECT count(*) AS n FROM bugs") == [{"n": 0}]


@pytest.mark.parametrize("path", ["refine", "refine-description"])
async def test_refine_streams_a_clearer_description_and_stores_nothing(pm, fake_llm, database_url, path) -> None:
    bug = await create_bug(pm)
    fake_llm.script(Reply(chunks=["Summary: ", "the screen freezes."]))
    before = await fetch(database_url, "SELECT description, updated_at FROM bugs")
    events = await stream_events(pm, f"/api/bugs/{bug['bug_id']}/ai/{path}", {})
    assert joined(events) == [{"type": "chunk", "content": "Summary: the screen freezes."}, {"type": "done"}]
    sent = fake_llm.chat_requests()[-1].body["messages"][-1]["content"]
    assert "Title: Dose screen freezes" in sent and "Steps to reproduce: 1. Save a dose" in sent
    assert await fetch(database_url, "SELECT description, updated_at FROM bugs") == before


async def test_severity_is_suggested_with_reasons(pm, fake_llm) -> None:
    bug = await create_bug(pm)
    suggestion = {
        "severity": "critical",
        "priority": "p0",
        "severity_reason": "Blocks dosing.",
        "priority_reason": "Patient safety.",
    }
    fake_llm.script('{"severity": "extreme"}', json.dumps(suggestion))
    response = await pm.post(f"/api/bugs/{bug['bug_id']}/ai/suggest-severity")
    assert response.status_code == 200
    assert await response.get_json() == suggestion
    assert (await (await pm.get(f"/api/bugs/{bug['bug_id']}")).get_json())["severity"] == "high"


async def test_severity_failures_are_a_clear_502(pm, fake_llm) -> None:
    bug = await create_bug(pm)
    fake_llm.script("no", "still no", "never")
    unusable = await pm.post(f"/api/bugs/{bug['bug_id']}/ai/suggest-severity")
    assert unusable.status_code == 502
    assert await unusable.get_json() == {
        "detail": "The AI reply could not be turned into valid data; please try again",
        "code": "AI_FAILED",
    }
    fake_llm.script(Reply(status=401))
    rejected = await pm.post(f"/api/bugs/{bug['bug_id']}/ai/suggest-severity")
    assert (rejected.status_code, (await rejected.get_json())["detail"]) == (
        502,
        "The AI provider rejected the API key",
    )


async def test_the_ai_helpers_need_a_provider(app, fake_llm) -> None:
    user = await new_user(app, "np@jarlpm.dev")
    bug = await create_bug(user)
    for path, body in (
        ("/api/bugs/ai/chat", {"content": "hi"}),
        (f"/api/bugs/{bug['bug_id']}/ai/refine", None),
        (f"/api/bugs/{bug['bug_id']}/ai/suggest-severity", None),
    ):
        response = await user.post(path, json=body)
        assert response.status_code == 400 and (await response.get_json())["code"] == "NO_LLM_PROVIDER", path
    assert fake_llm.chat_requests() == []
