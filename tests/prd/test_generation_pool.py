"""PRD generation holds no pooled connection during the model call (DESIGN.md section 2), and its
result is discarded when the epic is deleted meanwhile."""

from __future__ import annotations

import asyncio

import httpx

from jarlpm.app import create_app
from tests.builders import PRD_DOCUMENT, fenced
from tests.db.helpers import fetch
from tests.fakes.llm_server import FakeLLMServer, Reply
from tests.serving import served, signed_in


async def until_the_model_is_called(fake_llm: FakeLLMServer) -> None:
    for _ in range(500):
        if fake_llm.chat_requests():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the model was never called")


async def test_one_pooled_connection_serves_others_while_the_prd_is_written(
    make_settings, database_url, fake_llm
) -> None:
    fake_llm.script(Reply(text=fenced(PRD_DOCUMENT), hold=True))
    app = create_app(make_settings(database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=2.0))
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        epic_id = (await http.post("/api/epics", json={"title": "Dose entry"}, headers=headers)).json()["epic_id"]
        generating = asyncio.create_task(http.post(f"/api/prd/generate/{epic_id}", headers=headers))
        await until_the_model_is_called(fake_llm)
        for path in ("/api/auth/me", "/api/prd/list", "/api/prd/epics-without-prd", f"/api/prd/{epic_id}"):
            answer = await http.get(path, headers=headers)
            assert answer.status_code == 200, (path, answer.text)
        assert (await http.delete(f"/api/epics/{epic_id}", headers=headers)).status_code == 200
        fake_llm.release()
        response = await generating
    assert (response.status_code, response.json()["code"]) == (404, "EPIC_NOT_FOUND")
    assert "deleted while the document was being written" in response.json()["detail"]
    assert await fetch(database_url, "SELECT prd_id FROM prd_documents") == []
