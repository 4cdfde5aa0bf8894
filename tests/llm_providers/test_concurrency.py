"""Double clicks on /api/llm-providers: concurrent saves and activations of one user's configurations."""

from __future__ import annotations

import asyncio

from tests.db.helpers import fetch
from tests.fakes.llm_server import VALID_KEY

CONCURRENT = 10


async def active_configs(database_url: str) -> list[str]:
    rows = await fetch(database_url, "SELECT config_id FROM llm_provider_configs WHERE is_active")
    return [row["config_id"] for row in rows]


async def test_ten_concurrent_saves_keep_one_config_and_agree(pm, database_url) -> None:
    payload = {"provider": "anthropic", "api_key": VALID_KEY, "model_name": "m-2"}
    responses = await asyncio.gather(*(pm.post("/api/llm-providers", json=payload) for _ in range(CONCURRENT)))
    assert [response.status_code for response in responses] == [200] * CONCURRENT
    bodies = [await response.get_json() for response in responses]
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["is_active"] is True
    assert await active_configs(database_url) == [bodies[0]["config_id"]]
    providers = await fetch(database_url, "SELECT provider FROM llm_provider_configs ORDER BY provider")
    assert [row["provider"] for row in providers] == ["anthropic", "openai"]


async def test_concurrent_saves_of_different_providers_leave_one_active(pm, database_url) -> None:
    saves = [
        pm.post("/api/llm-providers", json={"provider": provider, "api_key": VALID_KEY})
        for provider in ("anthropic", "google") * (CONCURRENT // 2)
    ]
    responses = await asyncio.gather(*saves)
    assert [response.status_code for response in responses] == [200] * CONCURRENT
    assert len(await active_configs(database_url)) == 1


async def test_ten_concurrent_activations_of_one_config_agree(pm, database_url) -> None:
    second = await (await pm.post("/api/llm-providers", json={"provider": "google", "api_key": VALID_KEY})).get_json()
    [openai] = [c for c in await (await pm.get("/api/llm-providers")).get_json() if c["provider"] == "openai"]
    path = f"/api/llm-providers/{openai['config_id']}/activate"
    responses = await asyncio.gather(*(pm.put(path) for _ in range(CONCURRENT)))
    assert [response.status_code for response in responses] == [200] * CONCURRENT
    assert all([await response.get_json() == {"message": "Configuration activated"} for response in responses])
    assert await active_configs(database_url) == [openai["config_id"]]
    assert second["config_id"] != openai["config_id"]


async def test_ten_concurrent_activations_alternating_leave_exactly_one_active(pm, database_url) -> None:
    google = await (await pm.post("/api/llm-providers", json={"provider": "google", "api_key": VALID_KEY})).get_json()
    [openai] = [c for c in await (await pm.get("/api/llm-providers")).get_json() if c["provider"] == "openai"]
    ids = [openai["config_id"], google["config_id"]] * (CONCURRENT // 2)
    responses = await asyncio.gather(*(pm.put(f"/api/llm-providers/{config_id}/activate") for config_id in ids))
    assert [response.status_code for response in responses] == [200] * CONCURRENT
    [active] = await active_configs(database_url)
    assert active in ids
