"""Replies that outlive their client: read to the end, stored through a database outage, waited for by the
next message, cut only by their bounds or the service shutting down. Real Hypercorn, httpx, the fake."""

from __future__ import annotations

import asyncio
import logging

import httpx

from jarlpm.http.sse import TOO_LONG
from tests.db.helpers import database_outage
from tests.fakes.llm_server import Reply
from tests.http.helpers import messages, start
from tests.serving import served, signed_in
from tests.sse import parse_frames, read_until_chunks, read_until_text


async def until(condition, attempts: int = 200) -> None:  # type: ignore[no-untyped-def]
    for _ in range(attempts):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def test_the_final_save_waits_out_a_database_outage_with_keep_alives(
    make_settings, database_url, pg_server, fake_llm, caplog
) -> None:
    fake_llm.script(Reply(chunks=["Stored ", "after ", "all"], hold=True))
    app = await start(make_settings, database_url)
    body = {"content": "Hi", "keep_alive_seconds": 0.2}
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        async with http.stream("POST", "/api/_test/chat", json=body, headers=headers) as response:
            seen, reader = await read_until_text(response, "Stored after all")
            with caplog.at_level(logging.WARNING, logger="jarlpm.http.replies"):
                async with database_outage(pg_server, database_url):
                    fake_llm.release()
                    await asyncio.sleep(1.2)  # the reply is done; its save fails and is retried meanwhile
            async for text in reader:
                seen += text
    after_last_chunk = seen.rsplit('"type":"chunk"', 1)[1]
    assert after_last_chunk.count(": keep-alive\n\n") >= 2
    assert [e["type"] for e in parse_frames(seen)][-2:] == ["saved", "done"]
    assert any("retrying" in record.getMessage() for record in caplog.records)
    assert await messages(database_url) == [("user", "Hi", None), ("assistant", "Stored after all", "completed")]


async def test_a_save_that_outlasts_its_retry_budget_is_reported(
    make_settings, database_url, pg_server, fake_llm
) -> None:
    fake_llm.script(Reply(chunks=["Lost"], hold=True))
    app = await start(make_settings, database_url, db_save_retry_seconds=0.3)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        async with http.stream("POST", "/api/_test/chat", json={"content": "Hi"}, headers=headers) as response:
            seen, reader = await read_until_chunks(response, 1)
            async with database_outage(pg_server, database_url):
                fake_llm.release()
                async for text in reader:
                    seen += text
    assert parse_frames(seen)[-1] == {"type": "error", "message": "The reply could not be saved; please try again"}
    assert await messages(database_url) == [("user", "Hi", None)]


async def test_a_new_message_waits_until_the_reply_before_it_is_stored(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(Reply(chunks=["First ", "reply"], hold=True), Reply(chunks=["Second"]))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        async with http.stream("POST", "/api/_test/chat", json={"content": "Hi"}, headers=headers) as response:
            await read_until_chunks(response, 1)
        following = asyncio.create_task(http.post("/api/_test/chat", json={"content": "Next"}, headers=headers))
        await asyncio.sleep(0.4)
        assert not following.done()
        assert await messages(database_url) == [("user", "Hi", None)]
        fake_llm.release()
        answer = await following
    assert [e["type"] for e in parse_frames(answer.text)][-1] == "done"
    assert await messages(database_url) == [
        ("user", "Hi", None),
        ("assistant", "First reply", "completed"),
        ("user", "Next", None),
        ("assistant", "Second", "completed"),
    ]


async def test_shutdown_stores_what_arrived_marked_interrupted(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(Reply(chunks=["Half ", "a reply"], hold=True))
    app = await start(make_settings, database_url, shutdown_grace_seconds=0.3)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        async with http.stream("POST", "/api/_test/chat", json={"content": "Hi"}, headers=headers) as response:
            await read_until_text(response, "Half a reply")
    # The server has stopped: the held reply was given its grace, then stored as far as it went.
    assert await messages(database_url) == [("user", "Hi", None), ("assistant", "Half a reply", "interrupted")]
    assert fake_llm.open_streams == 0


async def test_a_reply_past_its_length_bound_is_cut_and_kept(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(Reply(chunks=["12345 ", "67890 ", "abcde ", "fghij"], hold=True))
    app = await start(make_settings, database_url, llm_max_reply_chars=10)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        response = await http.post("/api/_test/chat", json={"content": "Hi"}, headers=headers)
    events = parse_frames(response.text)
    assert "".join(e["content"] for e in events if e["type"] == "chunk") == "12345 67890 "
    assert events[-1] == {"type": "error", "message": TOO_LONG}
    assert await messages(database_url) == [("user", "Hi", None), ("assistant", "12345 67890 ", "interrupted")]
    await until(lambda: _no_open_streams(fake_llm))


async def _no_open_streams(fake_llm) -> bool:  # type: ignore[no-untyped-def]
    return fake_llm.open_streams == 0


async def test_an_interview_stops_calling_the_provider_when_its_client_leaves(
    make_settings, database_url, fake_llm
) -> None:
    """Nothing of an interview is stored: its provider call ends with the client."""
    fake_llm.script(Reply(chunks=["What ", "is the ", "story?"], hold=True))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        async with http.stream(
            "POST", "/api/stories/ai/chat", json={"content": "A story"}, headers=headers
        ) as response:
            await read_until_chunks(response, 1)
            assert fake_llm.open_streams == 1
        await until(lambda: _no_open_streams(fake_llm))
