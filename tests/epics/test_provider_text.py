"""Epic chat when the provider sends odd text or no reply at all: the user sees clean text or a safe
error, and the transcript holds exactly what was shown (never a 500, never an empty assistant message)."""

from __future__ import annotations

from tests.builders import chat, create_epic
from tests.fakes.llm_server import Reply
from tests.helpers import User
from tests.sse import joined

HTML = b"<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"


async def transcript(user: User, epic_id: str) -> list[tuple[str, str]]:
    response = await user.get(f"/api/epics/{epic_id}/transcript")
    assert response.status_code == 200
    return [(event["role"], event["content"]) for event in (await response.get_json())["events"]]


async def test_nul_and_lone_surrogates_are_cleaned_in_the_stream_and_the_transcript(pm, fake_llm) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    before = await transcript(pm, epic_id)
    fake_llm.script(Reply(chunks=["Nurses\x00 re-enter ", "doses \ud800twice ", "\ud83d", "\ude00"]))

    events = await chat(pm, epic_id, "What is the problem?")

    assert [event["type"] for event in joined(events)] == ["chunk", "done"]
    shown = "".join(event["content"] for event in events if event["type"] == "chunk")
    assert shown == "Nurses re-enter doses \ufffdtwice \U0001f600"
    assert await transcript(pm, epic_id) == [*before, ("user", "What is the problem?"), ("assistant", shown)]


async def test_an_html_page_instead_of_a_reply_is_a_safe_error_and_stores_no_reply(pm, fake_llm) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    before = await transcript(pm, epic_id)
    fake_llm.script(Reply(raw_body=HTML, content_type="text/html"))

    events = await chat(pm, epic_id, "Are you there?")

    assert events == [{"type": "error", "message": "The AI provider returned an unreadable answer"}]
    assert await transcript(pm, epic_id) == [*before, ("user", "Are you there?")]


async def test_a_reply_without_text_is_a_safe_error_and_stores_no_reply(pm, fake_llm) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    before = await transcript(pm, epic_id)
    fake_llm.script(Reply(chunks=[]))

    events = await chat(pm, epic_id, "Hello?")

    assert events == [{"type": "error", "message": "The AI provider returned an empty answer"}]
    assert await transcript(pm, epic_id) == [*before, ("user", "Hello?")]
