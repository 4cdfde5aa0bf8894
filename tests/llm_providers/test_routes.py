"""/api/llm-providers against the fake provider: live key checks, encryption, one active, ownership, SSRF."""

from __future__ import annotations

import logging

import asyncpg
import pytest

from jarlpm.app import create_app
from jarlpm.crypto import decrypt
from tests.builders import new_user
from tests.db.helpers import fetch
from tests.fakes.llm_server import VALID_KEY

CONFIG_KEYS = {"config_id", "provider", "base_url", "model_name", "is_active", "created_at"}


@pytest.fixture
async def ana(app):
    return await new_user(app, "ana@jarlpm.dev")


@pytest.fixture
async def bo(app):
    return await new_user(app, "bo@jarlpm.dev", name="Bo")


async def configs_in_db(database_url: str) -> list[dict]:
    return await fetch(
        database_url,
        "SELECT config_id, user_id, provider, base_url, model_name, is_active, encrypted_api_key "
        "FROM llm_provider_configs ORDER BY created_at, config_id",
    )


@pytest.mark.parametrize("provider", ["openai", "anthropic", "google"])
async def test_a_hosted_key_is_checked_live_stored_encrypted_and_activated(
    ana, fake_llm, settings, database_url, provider
) -> None:
    response = await ana.post(
        "/api/llm-providers", json={"provider": provider, "api_key": VALID_KEY, "model_name": "m-1"}
    )
    assert response.status_code == 200, await response.get_data(as_text=True)
    body = await response.get_json()
    assert set(body) == CONFIG_KEYS
    assert (body["provider"], body["base_url"], body["model_name"], body["is_active"]) == (provider, None, "m-1", True)
    assert VALID_KEY not in await response.get_data(as_text=True)

    [row] = await configs_in_db(database_url)
    assert row["encrypted_api_key"] != VALID_KEY and VALID_KEY not in row["encrypted_api_key"]
    assert decrypt(settings.encryption_key, row["encrypted_api_key"]) == VALID_KEY
    [check] = fake_llm.requests
    assert check.path == "/v1/models"
    sent_key = check.headers.get("x-api-key") or check.headers["authorization"]
    assert VALID_KEY in sent_key
    assert ("anthropic-version" in check.headers) == (provider == "anthropic")


@pytest.mark.parametrize("provider", ["openai", "anthropic", "google"])
async def test_a_rejected_key_is_400_and_stores_nothing(ana, fake_llm, database_url, provider, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    response = await ana.post("/api/llm-providers", json={"provider": provider, "api_key": "sk-wrong-key-123456"})
    assert response.status_code == 400
    body = await response.get_json()
    assert body["code"] == "INVALID_API_KEY"
    assert body["detail"].startswith(f"Invalid API key for {provider}.")
    assert "sk-wrong-key-123456" not in body["detail"]
    assert await configs_in_db(database_url) == []
    assert "sk-wrong-key-123456" not in caplog.text


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/"])
async def test_a_local_server_is_accepted_with_or_without_v1(ana, fake_llm, suffix) -> None:
    response = await ana.post(
        "/api/llm-providers", json={"provider": "local", "base_url": fake_llm.url + suffix, "api_key": VALID_KEY}
    )
    assert response.status_code == 200
    assert (await response.get_json())["base_url"] == f"{fake_llm.url}/v1"
    assert fake_llm.requests[-1].path == "/v1/models"


async def test_a_local_server_without_a_key(ana, fake_llm, database_url) -> None:
    fake_llm.valid_keys.add("no-key")  # what the SDK sends when the user has no key
    response = await ana.post("/api/llm-providers", json={"provider": "local", "base_url": fake_llm.url})
    assert response.status_code == 200
    [row] = await configs_in_db(database_url)
    assert row["encrypted_api_key"] is None


async def test_validate_answers_without_storing(ana, fake_llm, database_url) -> None:
    good = await ana.post("/api/llm-providers/validate", json={"provider": "openai", "api_key": VALID_KEY})
    bad = await ana.post("/api/llm-providers/validate", json={"provider": "anthropic", "api_key": "nope"})
    assert (good.status_code, await good.get_json()) == (200, {"valid": True})
    assert (bad.status_code, await bad.get_json()) == (200, {"valid": False})
    assert await configs_in_db(database_url) == []


async def test_an_unreachable_or_failing_provider_is_a_clear_400(ana, fake_llm, database_url) -> None:
    closed = await ana.post("/api/llm-providers", json={"provider": "local", "base_url": "http://127.0.0.1:1"})
    assert closed.status_code == 400 and (await closed.get_json())["code"] == "PROVIDER_UNREACHABLE"
    fake_llm.models_status = 500
    failing = await ana.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY})
    assert failing.status_code == 400 and (await failing.get_json())["code"] == "PROVIDER_ERROR"
    assert await configs_in_db(database_url) == []


@pytest.mark.parametrize(
    "payload,status,code",
    [
        ({"provider": "openai"}, 400, "API_KEY_REQUIRED"),
        ({"provider": "openai", "api_key": "   "}, 400, "API_KEY_REQUIRED"),
        ({"provider": "local"}, 400, "BASE_URL_REQUIRED"),
        ({"provider": "local", "base_url": "ftp://models.internal"}, 400, "INVALID_BASE_URL"),
        ({"provider": "local", "base_url": "http://user:pw@models.internal"}, 400, "INVALID_BASE_URL"),
        ({"provider": "cohere", "api_key": VALID_KEY}, 422, "VALIDATION_ERROR"),
        ({"api_key": VALID_KEY}, 422, "VALIDATION_ERROR"),
    ],
)
async def test_bad_input_is_a_clear_4xx_and_stores_nothing(ana, fake_llm, database_url, payload, status, code) -> None:
    response = await ana.post("/api/llm-providers", json=payload)
    assert response.status_code == status
    assert (await response.get_json())["code"] == code
    assert await configs_in_db(database_url) == []
    assert fake_llm.requests == []


async def test_saving_a_provider_again_updates_it_and_one_config_stays_active(ana, fake_llm, database_url) -> None:
    first = await (await ana.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY})).get_json()
    await ana.post("/api/llm-providers", json={"provider": "anthropic", "api_key": VALID_KEY})
    again = await (
        await ana.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY, "model_name": "gpt-x"})
    ).get_json()
    assert again["config_id"] == first["config_id"]
    rows = await configs_in_db(database_url)
    assert [(r["provider"], r["is_active"], r["model_name"]) for r in rows] == [
        ("openai", True, "gpt-x"),
        ("anthropic", False, None),
    ]
    listed = await (await ana.get("/api/llm-providers")).get_json()
    assert isinstance(listed, list) and [set(c) for c in listed] == [CONFIG_KEYS, CONFIG_KEYS]
    assert [c["provider"] for c in listed if c["is_active"]] == ["openai"]


async def test_activate_switches_the_active_config(ana, fake_llm, database_url) -> None:
    openai = await (await ana.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY})).get_json()
    await ana.post("/api/llm-providers", json={"provider": "google", "api_key": VALID_KEY})
    response = await ana.put(f"/api/llm-providers/{openai['config_id']}/activate")
    assert (response.status_code, await response.get_json()) == (200, {"message": "Configuration activated"})
    active = [r["provider"] for r in await configs_in_db(database_url) if r["is_active"]]
    assert active == ["openai"]


async def test_delete_removes_the_config(ana, fake_llm, database_url) -> None:
    config = await (await ana.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY})).get_json()
    response = await ana.delete(f"/api/llm-providers/{config['config_id']}")
    assert (response.status_code, await response.get_json()) == (200, {"message": "Configuration deleted"})
    assert await configs_in_db(database_url) == []
    again = await ana.delete(f"/api/llm-providers/{config['config_id']}")
    assert again.status_code == 404


async def test_another_user_cannot_see_activate_or_delete_a_config(ana, bo, fake_llm, database_url) -> None:
    mine = await (await ana.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY})).get_json()
    await ana.post("/api/llm-providers", json={"provider": "anthropic", "api_key": VALID_KEY})
    before = await configs_in_db(database_url)
    assert await (await bo.get("/api/llm-providers")).get_json() == []
    for response in (
        await bo.put(f"/api/llm-providers/{mine['config_id']}/activate"),
        await bo.delete(f"/api/llm-providers/{mine['config_id']}"),
    ):
        assert response.status_code == 404
        assert await response.get_json() == {"detail": "Configuration not found", "code": "CONFIG_NOT_FOUND"}
    assert await configs_in_db(database_url) == before


async def test_routes_need_a_session(client) -> None:
    for method, path in [
        ("GET", "/api/llm-providers"),
        ("POST", "/api/llm-providers"),
        ("POST", "/api/llm-providers/validate"),
    ]:
        response = await client.open(path, method=method, json={"provider": "openai", "api_key": VALID_KEY})
        assert response.status_code == 401


@pytest.mark.parametrize("path", ["/api/llm-providers", "/api/llm-providers/validate"])
async def test_a_stale_session_is_refused_before_any_provider_is_called(client, fake_llm, path) -> None:
    # The session is looked up on the handler's first connection: a key check made before it would let
    # anyone make this server call out (to a provider, or to a URL they submit).
    response = await client.post(
        path, json={"provider": "openai", "api_key": VALID_KEY}, headers={"Authorization": "Bearer not-a-session"}
    )
    assert response.status_code == 401
    assert fake_llm.requests == []


async def test_the_database_allows_one_active_config_per_user(ana, fake_llm, database_url) -> None:
    await ana.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY})
    await ana.post("/api/llm-providers", json={"provider": "anthropic", "api_key": VALID_KEY})
    with pytest.raises(asyncpg.UniqueViolationError):
        await fetch(database_url, "UPDATE llm_provider_configs SET is_active = true")


@pytest.fixture
async def production_app(make_settings, database_url):
    settings = make_settings(database_url, env="production", llm_allow_private_urls=False)
    async with create_app(settings).test_app() as app:
        yield app


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:{port}",
        "http://localhost:{port}/v1",
        "http://[::1]:{port}",
        "http://[::ffff:127.0.0.1]:{port}",
        "http://169.254.169.254",
        "http://10.1.2.3:8080",
        "http://192.168.0.10",
        "http://0.0.0.0:{port}",
    ],
)
async def test_production_refuses_private_local_urls(production_app, fake_llm, database_url, base_url) -> None:
    user = await new_user(production_app, "prod@jarlpm.dev")
    url = base_url.format(port=fake_llm.port)
    for path in ("/api/llm-providers", "/api/llm-providers/validate"):
        response = await user.post(path, json={"provider": "local", "base_url": url, "api_key": VALID_KEY})
        assert response.status_code == 400
        assert (await response.get_json())["code"] == "PRIVATE_URL_REFUSED"
    assert fake_llm.requests == []
    assert await configs_in_db(database_url) == []


async def test_production_allows_private_urls_when_told_to(make_settings, database_url, fake_llm) -> None:
    settings = make_settings(database_url, env="production", llm_allow_private_urls=True)
    async with create_app(settings).test_app() as app:
        user = await new_user(app, "lab@jarlpm.dev")
        response = await user.post(
            "/api/llm-providers", json={"provider": "local", "base_url": fake_llm.url, "api_key": VALID_KEY}
        )
    assert response.status_code == 200
    assert fake_llm.requests[-1].path == "/v1/models"


async def test_test_login_names_the_active_provider(make_settings, database_url, fake_llm) -> None:
    async with create_app(make_settings(database_url, test_login=True)).test_app() as app:
        first = await app.test_client().post("/api/auth/test-login")
        assert (await first.get_json())["llm_provider"] == "not configured"
        client = app.test_client()
        token = first.headers["Set-Cookie"].split("session_token=")[1].split(";")[0]
        headers = {"Authorization": f"Bearer {token}"}
        await client.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY}, headers=headers)
        again = await app.test_client().post("/api/auth/test-login")
        assert (await again.get_json())["llm_provider"] == "openai (gpt-4o)"
