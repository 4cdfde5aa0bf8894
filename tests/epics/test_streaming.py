"""Epic chat under real Hypercorn: a held stream leaves the one-connection pool free; a disconnect does
not cut the reply."""

from __future__ import annotations

import asyncio

import httpx

from jarlpm.app import create_app
from tests.builders import PROBLEM
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.helpers import PASSWORD
from tests.serving import served, signed_in
from tests.sse import parse_frames, read_until_chunks


async def signed_in_with_epic(http: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    headers = await signed_in(http, "anthropic")
    epic = await http.post("/api/epics", json={"title": "Streaming"}, headers=headers)
    return headers, epic.json()["epic_id"]


async def assistant_rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url, "SELECT content, event_metadata FROM epic_transcript_events WHERE role = 'assistant' ORDER BY seq"
    )


async def test_the_pool_of_one_serves_other_requests_while_a_chat_is_held_open(
    make_settings, database_url, fake_llm
) -> None:
    fake_llm.script(Reply(chunks=["Let me ", "think"], hold=True))
    app = create_app(make_settings(database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=2.0))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers, epic_id = await signed_in_with_epic(http)
        async with http.stream(
            "POST", f"/api/epics/{epic_id}/chat", json={"content": "Hi"}, headers=headers
        ) as response:
            received, reader = await read_until_chunks(response, 1)
            listed = await http.get("/api/epics", headers=headers)
            login = await http.post("/api/auth/login", json={"email": "s@jarlpm.dev", "password": PASSWORD})
            http.cookies.clear()
            assert (listed.status_code, login.status_code) == (200, 200)
            assert listed.json()["epics"][0]["epic_id"] == epic_id
            fake_llm.release()
            async for text in reader:
                received += text
    assert [e["type"] for e in parse_frames(received)][-1] == "done"
    [row] = await assistant_rows(database_url)
    assert row["content"] == "Let me think" and "interrupted" not in row["event_metadata"]


async def test_a_disconnect_after_three_chunks_stores_the_whole_reply_and_its_proposal(
    make_settings, database_url, fake_llm
) -> None:
    pieces = [line + "\n" for line in PROBLEM.splitlines()]
    fake_llm.script(Reply(chunks=pieces, chunk_delay=0.15))
    app = create_app(make_settings(database_url))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers, epic_id = await signed_in_with_epic(http)
        async with http.stream(
            "POST", f"/api/epics/{epic_id}/chat", json={"content": "Hi"}, headers=headers
        ) as response:
            # The client goes away (a reload) with most of the reply still to come.
            await read_until_chunks(response, 3)
        rows = await eventually(lambda: assistant_rows(database_url))
        epic = (await http.get(f"/api/epics/{epic_id}", headers=headers)).json()
    assert len(pieces) > 3
    assert [row["content"] for row in rows] == ["".join(pieces)]
    assert "interrupted" not in rows[0]["event_metadata"]
    assert rows[0]["event_metadata"]["prompt_version"].startswith("epic-chat-")
    assert epic["pending_proposal"]["field"] == "problem_statement"
    assert epic["pending_proposal"]["content"].startswith("Problem Statement: Ward nurses")


async def eventually(read, attempts: int = 200):  # type: ignore[no-untyped-def]
    """What `read()` returns once it is not empty (polled; the reply is stored in the background)."""
    for _ in range(attempts):
        found = await read()
        if found:
            return found
        await asyncio.sleep(0.05)
    return await read()
