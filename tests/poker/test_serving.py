"""The estimate stream under real Hypercorn: it holds no pooled connection while the personas think, and
a client that leaves mid-estimate still gets its whole session stored."""

from __future__ import annotations

import asyncio

import httpx

from jarlpm.app import create_app
from tests.builders import SMALL_STORY, persona_answer
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.serving import served, signed_in
from tests.sse import parse_frames


async def new_story(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await http.post("/api/stories/standalone", json=SMALL_STORY, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["story_id"]


async def stored_rounds(database_url: str) -> list[tuple[str, int]]:
    rows = await fetch(
        database_url,
        "SELECT s.story_id, count(e.estimate_id) AS estimates FROM poker_estimate_sessions AS s"
        " LEFT JOIN poker_persona_estimates AS e ON e.session_id = s.session_id GROUP BY s.session_id",
    )
    return [(row["story_id"], row["estimates"]) for row in rows]


async def until_asked(fake_llm, count: int = 5) -> None:  # type: ignore[no-untyped-def]
    for _ in range(500):
        if len(fake_llm.chat_requests()) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the personas were not all asked: {len(fake_llm.chat_requests())}")


async def test_one_pooled_connection_serves_others_while_personas_think(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(*(Reply(text=persona_answer(5), hold=True) for _ in range(5)))
    app = create_app(make_settings(database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=2.0))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        story_id = await new_story(http, headers)
        async with http.stream("POST", "/api/poker/estimate", json={"story_id": story_id}, headers=headers) as answer:
            reader = answer.aiter_text()
            seen = await anext(reader)
            await until_asked(fake_llm)  # all five asked at once, all held
            for path in ("/api/auth/me", f"/api/poker/sessions/{story_id}", "/api/poker/completed-epics"):
                response = await http.get(path, headers=headers)
                assert response.status_code == 200, (path, response.text)
            fake_llm.release()
            async for text in reader:
                seen += text
    assert [event["type"] for event in parse_frames(seen)][-2:] == ["summary", "done"]
    assert await stored_rounds(database_url) == [(story_id, 5)]


async def test_a_client_leaving_mid_estimate_still_gets_the_whole_session(
    make_settings, database_url, fake_llm
) -> None:
    fake_llm.script(*(Reply(text=persona_answer(3), hold=True) for _ in range(5)))
    app = create_app(make_settings(database_url))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        story_id = await new_story(http, headers)
        async with http.stream("POST", "/api/poker/estimate", json={"story_id": story_id}, headers=headers) as answer:
            assert '"type":"start"' in await anext(answer.aiter_text())
        await until_asked(fake_llm)
        assert await stored_rounds(database_url) == []  # the client left; nothing half-written meanwhile
        fake_llm.release()
        for _ in range(200):
            if await stored_rounds(database_url):
                break
            await asyncio.sleep(0.05)
    assert await stored_rounds(database_url) == [(story_id, 5)]
