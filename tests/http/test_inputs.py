"""What a fuzzer sends: bodies that are not UTF-8 or nest too deep, NUL characters anywhere, stray
preflights. Each gets a clear 4xx (never a 500), and nothing changes."""

from __future__ import annotations

import pytest

from tests.helpers import User

ORIGIN = "http://localhost:3000"
NOT_UTF8 = b'{"title": "caf\xe9"}'
DEEP = b"[" * 100_000 + b"]" * 100_000


async def epic_count(user: User) -> int:
    return len((await (await user.get("/api/epics")).get_json())["epics"])


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (NOT_UTF8, "application/json", "INVALID_BODY"),
        (b'{"title": "Caf\xc3\xa9"}', "application/json; charset=latin-1", "UNSUPPORTED_CHARSET"),
        (DEEP, "application/json", "INVALID_JSON"),
        (b'{"title": ', "application/json", "INVALID_JSON"),
    ],
)
async def test_unreadable_bodies_are_400_and_create_nothing(
    pm: User, body: bytes, content_type: str, code: str
) -> None:
    response = await pm.post("/api/epics", data=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    payload = await response.get_json()
    assert payload["code"] == code and payload["detail"]
    assert await epic_count(pm) == 0


@pytest.mark.parametrize("body", [NOT_UTF8, DEEP])
async def test_login_refuses_unreadable_bodies_with_rate_limits_on(make_settings, database_url, body: bytes) -> None:
    """The login's rate-limit keys read the body before validation does: they must not fail on it."""
    from jarlpm.app import create_app

    app = create_app(make_settings(database_url, rate_limits_enabled=True))
    async with app.test_app() as test_app:
        response = await test_app.test_client().post(
            "/api/auth/login", data=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert (await response.get_json())["code"] in ("INVALID_BODY", "INVALID_JSON")


async def test_nul_in_a_json_body_is_422_naming_where(pm: User) -> None:
    response = await pm.post("/api/epics", json={"title": "Bad\u0000title"})
    assert response.status_code == 422
    payload = await response.get_json()
    assert payload["code"] == "VALIDATION_ERROR"
    assert payload["detail"][0]["loc"] == ["body", "title"]
    assert await epic_count(pm) == 0


async def test_nul_in_a_nested_key_is_422(pm: User) -> None:
    response = await pm.put("/api/delivery-context", json={"industry": "x", "extra": {"k\u0000": 1}})
    assert response.status_code == 422
    assert (await response.get_json())["detail"][0]["loc"] == ["body", "extra", "k\u0000"]


async def test_nul_in_a_query_value_is_422(pm: User) -> None:
    response = await pm.get("/api/bugs?status=draft%00")
    assert response.status_code == 422
    assert (await response.get_json())["detail"][0]["loc"] == ["query", "status"]


async def test_nul_in_a_path_id_answers_as_a_missing_id(pm: User) -> None:
    missing = await pm.get("/api/epics/epic_%00abc")
    assert missing.status_code == 404
    assert (await missing.get_json())["code"] == "EPIC_NOT_FOUND"
    deleted = await pm.delete("/api/features/feat_%00")
    assert deleted.status_code == 404
    by_entity = await pm.get("/api/bugs/by-entity/epic/epic_%00")
    assert (by_entity.status_code, await by_entity.get_json()) == (200, [])


async def test_a_preflight_to_any_path_gets_the_cors_answer(client) -> None:  # type: ignore[no-untyped-def]
    headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    response = await client.options("/api/no-such-room/42", headers=headers)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


async def test_a_preflight_from_another_origin_gets_no_cors_answer(client) -> None:  # type: ignore[no-untyped-def]
    headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    response = await client.options("/api/epics", headers=headers)
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "status", "kwargs"),
    [
        ("GET", "/api/no-such-room", 404, {}),
        ("PUT", "/api/epics", 405, {}),
        ("DELETE", "/api/health", 405, {}),
        (
            "POST",
            "/api/auth/login",
            413,
            {"data": b"x" * (3 * 1024 * 1024), "headers": {"Content-Type": "application/json"}},
        ),
        ("POST", "/api/auth/login", 422, {"json": {}}),
        ("GET", "/api/epics", 401, {}),
    ],
)
async def test_error_answers_carry_the_cors_headers(client, method, path, status, kwargs) -> None:  # type: ignore[no-untyped-def]
    headers = {"Origin": ORIGIN, **kwargs.pop("headers", {})}
    response = await client.open(path, method=method, headers=headers, **kwargs)
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
