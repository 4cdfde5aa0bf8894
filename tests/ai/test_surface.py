"""The AI surface's guarantees: keep-alives while a reply is repaired, the connection rule and the
@ai_route rule enforced at run time, and metering of every provider call (tokens as reported)."""

from __future__ import annotations

import json

import httpx
import httpx2
import pytest

from jarlpm.ai import Reply
from tests.db.helpers import fetch
from tests.fakes.llm_server import VALID_KEY
from tests.fakes.llm_server import Reply as Scripted
from tests.http.helpers import start
from tests.llm.helpers import make_call
from tests.serving import served, signed_in
from tests.sse import parse_frames


async def usage_rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url,
        "SELECT route, provider, input_tokens, output_tokens, outcome FROM llm_usage ORDER BY created_at, usage_id",
    )


async def test_keep_alives_flow_while_a_structured_repair_is_in_progress(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(Scripted(chunks=["not ", "json"]), Scripted(text=json.dumps([{"title": "Fixed"}]), first_delay=1.0))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        response = await http.post("/api/_test/drafts", json={"keep_alive_seconds": 0.2}, headers=headers)
    body = response.text
    between = body.rsplit('"type":"chunk"', 1)[1].split('"type":"drafts"', 1)[0]  # after the text, before drafts
    assert between.count(": keep-alive\n\n") >= 2
    assert [e for e in parse_frames(body) if e["type"] == "drafts"] == [
        {"type": "drafts", "drafts": [{"title": "Fixed"}]}
    ]
    assert [row["outcome"] for row in await usage_rows(database_url)] == ["ok", "ok"]  # the stream and its repair


async def test_an_llm_call_while_holding_a_pooled_connection_raises(make_settings, database_url, fake_llm) -> None:
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        answer = await http.post("/api/_test/call-while-holding", headers=headers)
    assert answer.status_code == 500
    assert fake_llm.chat_requests() == []  # refused before anything was sent


async def test_preparing_an_ai_call_outside_an_ai_route_raises(make_settings, database_url, fake_llm) -> None:
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        answer = await http.post("/api/_test/unmarked", headers=headers)
    assert answer.status_code == 500


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
async def test_a_reply_carries_the_tokens_the_provider_reported(
    make_settings, database_url, fake_llm, provider
) -> None:
    fake_llm.script(Scripted(chunks=["Counted ", "reply"], input_tokens=42, output_tokens=9))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http, provider)
        response = await http.post("/api/_test/chat", json={"content": "Count me"}, headers=headers)
    assert parse_frames(response.text)[-1] == {"type": "done"}
    assert await usage_rows(database_url) == [
        {"route": "sse_test.chat", "provider": provider, "input_tokens": 42, "output_tokens": 9, "outcome": "ok"}
    ]
    if provider == "openai":
        assert fake_llm.chat_requests()[-1].body["stream_options"] == {"include_usage": True}


async def test_a_reply_object_accumulates_text_and_usage(app, fake_llm) -> None:  # type: ignore[no-untyped-def]
    fake_llm.script(Scripted(chunks=["a", "b"], input_tokens=3, output_tokens=2))
    async with httpx2.AsyncClient() as http, app.app.app_context():
        reply = Reply(make_call(fake_llm, http, "anthropic"), "sys", [{"role": "user", "content": "x"}])
        deltas = [delta async for delta in reply]
    assert (deltas, reply.text) == (["a", "b"], "ab")
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (3, 2)


async def test_a_local_server_refusing_stream_options_is_asked_again_without(
    make_settings, database_url, fake_llm
) -> None:
    fake_llm.refuse_stream_options = True
    fake_llm.script(Scripted(chunks=["Local ", "answer"]))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http, provider=None)
        saved = await http.post(
            "/api/llm-providers",
            json={"provider": "local", "base_url": fake_llm.openai_url, "api_key": VALID_KEY},
            headers=headers,
        )
        assert saved.status_code == 200, saved.text
        response = await http.post("/api/_test/chat", json={"content": "Hi"}, headers=headers)
    assert "".join(e["content"] for e in parse_frames(response.text) if e["type"] == "chunk") == "Local answer"
    assert [("stream_options" in r.body) for r in fake_llm.chat_requests()] == [True, False]
    assert await usage_rows(database_url) == [
        {"route": "sse_test.chat", "provider": "local", "input_tokens": None, "output_tokens": None, "outcome": "ok"}
    ]


async def test_a_json_ai_route_meters_its_call_right_after_it(pm, database_url, fake_llm) -> None:  # type: ignore[no-untyped-def]
    bug = await (await pm.post("/api/bugs", json={"title": "Crash", "description": "It crashes"})).get_json()
    suggestion = {"severity": "high", "priority": "p1", "severity_reason": "Data loss", "priority_reason": "Soon"}
    fake_llm.script(Scripted(text=json.dumps(suggestion), input_tokens=5, output_tokens=4))
    answer = await pm.post(f"/api/bugs/{bug['bug_id']}/ai/suggest-severity")
    assert answer.status_code == 200, await answer.get_data(as_text=True)
    assert await usage_rows(database_url) == [
        {"route": "bugs.suggest_severity", "provider": "openai", "input_tokens": 5, "output_tokens": 4, "outcome": "ok"}
    ]


async def test_a_login_required_route_that_never_checks_its_session_fails_loudly(make_settings, database_url) -> None:
    app = await start(make_settings, database_url)
    async with app.test_app() as test_app:
        answer = await test_app.test_client().get("/api/_test/unchecked", headers={"Authorization": "Bearer forged"})
    assert answer.status_code == 500
    assert "secret" not in await answer.get_data(as_text=True)
