"""Portraits through the OpenAI Images API (the fake's /v1/images/generations), validated before storing."""

from __future__ import annotations

import base64

import pytest

from tests.builders import generated_personas
from tests.db.helpers import fetch
from tests.fakes.llm_server import TINY_PNG, VALID_KEY


async def test_a_portrait_is_generated_validated_and_stored(pm, fake_llm, epic_id, database_url) -> None:
    [nora] = await generated_personas(pm, fake_llm, epic_id, count=1)
    response = await pm.post(f"/api/personas/{nora['persona_id']}/regenerate-portrait", json={"prompt": "A nurse"})
    assert response.status_code == 200
    body = await response.get_json()
    assert base64.b64decode(body["portrait_image_base64"]) == TINY_PNG
    assert body["portrait_prompt"] == "A nurse"
    [request] = fake_llm.image_requests()
    assert request.body is not None
    assert (request.body["model"], request.body["prompt"], request.body["n"]) == ("gpt-image-1", "A nurse", 1)
    assert request.headers["authorization"] == f"Bearer {VALID_KEY}"
    listed = await (await pm.get("/api/personas")).get_json()
    assert listed[0]["portrait_image_base64"] == body["portrait_image_base64"]
    usage = await fetch(database_url, "SELECT outcome, input_tokens FROM llm_usage WHERE route LIKE '%portrait'")
    assert usage == [{"outcome": "ok", "input_tokens": None}]


async def test_without_a_prompt_the_persona_describes_itself(pm, fake_llm, epic_id) -> None:
    [nora] = await generated_personas(pm, fake_llm, epic_id, count=1)
    await pm.put("/api/personas/settings", json={"image_model": "gpt-image-mini"})
    response = await pm.post(f"/api/personas/{nora['persona_id']}/regenerate-portrait", json={})
    assert response.status_code == 200
    [request] = fake_llm.image_requests()
    assert request.body is not None and request.body["model"] == "gpt-image-mini"
    assert "Nora Lind" in request.body["prompt"] and "Ward nurse" in request.body["prompt"]


async def test_another_active_provider_is_a_clear_400(pm, fake_llm, epic_id) -> None:
    [nora] = await generated_personas(pm, fake_llm, epic_id, count=1)
    switched = await pm.post("/api/llm-providers", json={"provider": "anthropic", "api_key": VALID_KEY})
    assert switched.status_code == 200
    response = await pm.post(f"/api/personas/{nora['persona_id']}/regenerate-portrait", json={})
    assert response.status_code == 400
    assert await response.get_json() == {
        "detail": "Portraits need an active OpenAI provider; your active provider is anthropic.",
        "code": "IMAGE_PROVIDER_UNSUPPORTED",
    }
    assert fake_llm.image_requests() == []


@pytest.mark.parametrize(
    "image_bytes,status,message",
    [
        (b"<html>not an image</html>", 200, "The AI provider did not return a usable image"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (4 * 1024 * 1024), 200, "The AI provider did not return a usable image"),
        (TINY_PNG, 400, "The AI provider returned an error (HTTP 400)"),
    ],
    ids=["not-an-image", "too-large", "provider-error"],
)
async def test_a_bad_answer_is_502_and_nothing_is_stored(
    pm, fake_llm, epic_id, database_url, image_bytes, status, message
) -> None:
    [nora] = await generated_personas(pm, fake_llm, epic_id, count=1)
    fake_llm.image_bytes, fake_llm.image_status = image_bytes, status
    response = await pm.post(f"/api/personas/{nora['persona_id']}/regenerate-portrait", json={"prompt": "x"})
    assert response.status_code == 502
    assert await response.get_json() == {"detail": message, "code": "AI_FAILED"}
    rows = await fetch(database_url, "SELECT portrait_image_base64, portrait_prompt FROM personas")
    assert rows == [{"portrait_image_base64": None, "portrait_prompt": None}]
