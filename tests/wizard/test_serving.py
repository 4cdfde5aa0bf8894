"""A generation under real Hypercorn: it holds no pooled connection while the model thinks, and a client
that leaves stops the run (no further provider calls) while its log row is still written, abandoned."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx

from jarlpm.app import create_app
from tests.db.helpers import fetch
from tests.fakes.llm_server import FakeLLMServer
from tests.serving import served, signed_in
from tests.sse import parse_frames
from tests.wizard.helpers import IDEA, as_reply, critic_reply, decomposition_reply, prd_reply


async def until(condition, attempts: int = 250) -> None:  # type: ignore[no-untyped-def]
    for _ in range(attempts):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never held")


async def model_called(fake_llm: FakeLLMServer, times: int = 1) -> None:
    async def called() -> bool:
        return len(fake_llm.chat_requests()) >= times

    await until(called)


async def test_one_pooled_connection_serves_other_calls_while_a_pass_runs(
    make_settings, database_url, fake_llm
) -> None:
    held = dataclasses.replace(as_reply(decomposition_reply()), hold=True)
    fake_llm.script(as_reply(prd_reply()), held, as_reply(critic_reply()))
    app = create_app(make_settings(database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=2.0))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        generating = asyncio.create_task(http.post("/api/initiative/generate", json={"idea": IDEA}, headers=headers))
        await model_called(fake_llm, 2)  # pass 2 is waiting on the model
        for path in ("/api/auth/me", "/api/delivery-context", "/api/initiative/analytics/stats", "/api/llm-providers"):
            answer = await http.get(path, headers=headers)
            assert answer.status_code == 200, (path, answer.text)
        fake_llm.release()
        response = await generating
    events = parse_frames(response.text)
    assert [event["type"] for event in events][-2:] == ["initiative", "done"]
    [row] = await fetch(database_url, "SELECT outcome FROM initiative_generation_logs")
    assert row == {"outcome": "success"}


async def test_a_client_that_leaves_stops_the_run_and_its_log_says_abandoned(
    make_settings, database_url, fake_llm
) -> None:
    fake_llm.script(dataclasses.replace(as_reply(prd_reply()), hold=True), as_reply(decomposition_reply()))
    app = create_app(make_settings(database_url))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        async with http.stream("POST", "/api/initiative/generate", json={"idea": IDEA}, headers=headers) as response:
            reader = response.aiter_text()
            seen = ""
            while '"type":"pass"' not in seen:
                seen += await anext(reader)
            await model_called(fake_llm)
        # The client is gone while pass 1 waits on the model.

        async def logged() -> bool:
            return bool(await fetch(database_url, "SELECT log_id FROM initiative_generation_logs"))

        await until(logged)
        fake_llm.release()  # were the run still going, pass 2 would now be asked for
        await asyncio.sleep(0.3)
    assert len(fake_llm.chat_requests()) == 1
    [row] = await fetch(database_url, "SELECT outcome, failed_pass, passes FROM initiative_generation_logs")
    assert (row["outcome"], row["failed_pass"]) == ("abandoned", None)
    assert [(entry["pass"], entry["calls"]) for entry in row["passes"]] == [(1, 1)]
    # The cut call is metered too, as interrupted: it must not count against the model's record.
    assert await fetch(database_url, "SELECT outcome FROM llm_usage") == [{"outcome": "interrupted"}]
