"""Persona generation holds no pooled connection while the model thinks (DESIGN.md section 2)."""

from __future__ import annotations

import asyncio
import time

import httpx

from jarlpm.app import create_app
from tests.builders import PERSONAS, fenced, locked_epic
from tests.fakes.llm_server import Reply
from tests.helpers import User
from tests.personas.helpers import model_called
from tests.serving import served, signed_in


async def test_other_requests_are_served_while_the_model_is_slow(make_settings, database_url, fake_llm) -> None:
    app = create_app(make_settings(database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=2.0))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        epic_id = await locked_epic(User(app, headers["Authorization"].split()[1]), fake_llm)
        calls_before = len(fake_llm.chat_requests())
        fake_llm.script(Reply(text=fenced({"personas": PERSONAS[:1]}), first_delay=1.5))
        path = f"/api/personas/epic/{epic_id}/generate"
        generation = asyncio.create_task(http.post(path, json={"count": 1}, headers=headers))
        await model_called(fake_llm, calls_before + 1)
        started = time.monotonic()
        for path in ("/api/personas", "/api/personas/settings", "/api/auth/me"):
            answer = await http.get(path, headers=headers)
            assert answer.status_code == 200, (path, answer.text)
        elapsed = time.monotonic() - started
        assert not generation.done()
        response = await generation
    assert elapsed < 1.0  # nothing waited for the generation's connection
    assert response.status_code == 200
    assert response.json()["count"] == 1
