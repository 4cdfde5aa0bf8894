"""The prelude / stream / epilogue shape end to end: real Hypercorn, httpx, the fake provider."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.http.helpers import messages, start
from tests.serving import served, signed_in
from tests.sse import parse_frames, read_until_chunks, read_until_text


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
async def test_chunks_then_the_saved_reply_then_done(make_settings, database_url, fake_llm, provider) -> None:
    fake_llm.script(Reply(chunks=["The ", "answer ", "is ", "42."]))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url) as http:
        headers = await signed_in(http, provider)
        response = await http.post("/api/_test/chat", json={"content": "Question?"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"  # as the original sends
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    events = parse_frames(response.text)
    assert "".join(e["content"] for e in events if e["type"] == "chunk") == "The answer is 42."
    assert events[-2:] == [{"type": "saved", "length": 17}, {"type": "done"}]
    assert await messages(database_url) == [
        ("user", "Question?", None),
        ("assistant", "The answer is 42.", "completed"),
    ]


async def test_every_network_chunk_holds_whole_events(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(Reply(chunks=[f"piece {n} " * 20 for n in range(30)], chunk_delay=0.005))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url) as http:
        headers = await signed_in(http)
        async with http.stream("POST", "/api/_test/chat", json={"content": "long"}, headers=headers) as response:
            reads = [chunk async for chunk in response.aiter_raw()]
    assert len(reads) > 1
    for read in reads:
        text = read.decode()
        assert text.endswith("\n\n")
        parse_frames(text)


async def test_a_provider_failure_sends_error_and_records_it(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(Reply(status=503, times=3))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url) as http:
        headers = await signed_in(http)
        response = await http.post("/api/_test/chat", json={"content": "Hi"}, headers=headers)
    events = parse_frames(response.text)
    assert events == [{"type": "error", "message": "The AI provider returned an error (HTTP 503)"}]
    assert await messages(database_url) == [("user", "Hi", None), ("assistant", "", "failed")]


async def test_keep_alive_comments_flow_while_the_provider_is_silent(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(Reply(chunks=["late"], first_delay=1.0))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url) as http:
        headers = await signed_in(http)
        response = await http.post(
            "/api/_test/chat", json={"content": "Hi", "keep_alive_seconds": 0.2}, headers=headers
        )
    body = response.text
    before_first_chunk = body.split("data: ")[0]
    assert before_first_chunk.count(": keep-alive\n\n") >= 2
    assert [e["type"] for e in parse_frames(body)] == ["chunk", "saved", "done"]


async def test_a_disconnect_does_not_cut_the_reply(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(Reply(chunks=["Partial ", "answer"], hold=True))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url) as http:
        headers = await signed_in(http)
        async with http.stream("POST", "/api/_test/chat", json={"content": "Hi"}, headers=headers) as response:
            await read_until_text(response, "Partial answer")  # leaving the block closes the connection mid-stream
        await asyncio.sleep(0.3)
        assert await messages(database_url) == [("user", "Hi", None)]  # still being read, not stored cut
        assert fake_llm.open_streams == 1
        fake_llm.release()
        for _ in range(200):
            rows = await messages(database_url)
            if len(rows) == 2:
                break
            await asyncio.sleep(0.05)
    assert rows == [("user", "Hi", None), ("assistant", "Partial answer", "completed")]


async def test_one_pooled_connection_stays_free_while_a_stream_is_open(make_settings, database_url, fake_llm) -> None:
    """DESIGN.md section 2: keep this test forever."""
    fake_llm.script(Reply(chunks=["Thinking", " hard"], hold=True))
    app = await start(make_settings, database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=2.0)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        async with http.stream("POST", "/api/_test/chat", json={"content": "Hi"}, headers=headers) as response:
            stream_text, reader = await read_until_chunks(response, 1)
            assert fake_llm.open_streams == 1
            started = time.monotonic()
            for path in ("/api/auth/me", "/api/ready", "/api/delivery-context", "/api/llm-providers"):
                answer = await http.get(path, headers=headers)
                assert answer.status_code == 200, (path, answer.text)
            elapsed = time.monotonic() - started
            fake_llm.release()
            async for text in reader:
                stream_text += text
    assert elapsed < 2.0  # under the pool timeout: nothing waited for the stream's connection
    assert [e["type"] for e in parse_frames(stream_text)][-2:] == ["saved", "done"]
    assert (await messages(database_url))[-1] == ("assistant", "Thinking hard", "completed")


async def test_errors_before_the_stream_are_json(make_settings, database_url, fake_llm) -> None:
    app = await start(make_settings, database_url, billing_enabled=True)
    async with served(app) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.post("/api/_test/chat", json={"content": "Hi"})).status_code == 401
        headers = await signed_in(http, provider=None)
        no_subscription = await http.post("/api/_test/chat", json={"content": "Hi"}, headers=headers)
        assert no_subscription.status_code == 402
        assert no_subscription.json()["code"] == "SUBSCRIPTION_REQUIRED"
        await fetch(database_url, "UPDATE subscriptions SET status = 'active'")
        no_provider = await http.post("/api/_test/chat", json={"content": "Hi"}, headers=headers)
    assert no_provider.status_code == 400
    assert no_provider.json() == {
        "detail": "No LLM provider configured. Please add an API key in Settings.",
        "code": "NO_LLM_PROVIDER",
    }
    assert await messages(database_url) == []
