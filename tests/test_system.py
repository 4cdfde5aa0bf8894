"""GET /api/, /api/health, /api/ready, the error shape and the request id."""

from __future__ import annotations

import asyncio

from jarlpm import db
from jarlpm.db import migrate


async def test_root_and_health_answer_without_auth(client) -> None:
    root = await client.get("/api/")
    assert root.status_code == 200
    assert await root.get_json() == {"message": "JarlPM API", "status": "healthy"}
    health = await client.get("/api/health")
    assert health.status_code == 200
    assert await health.get_json() == {"status": "healthy", "service": "jarlpm"}


async def test_ready_reports_the_head_revision(client) -> None:
    response = await client.get("/api/ready")
    assert response.status_code == 200
    assert await response.get_json() == {"status": "ready", "revision": migrate.head_revision()}


async def test_ready_is_503_when_the_database_falls_behind_head(client, database_url) -> None:
    await asyncio.to_thread(migrate.downgrade, database_url, "base")
    response = await client.get("/api/ready")
    assert response.status_code == 503
    body = await response.get_json()
    assert body["code"] == "DB_NOT_AT_HEAD"
    assert migrate.head_revision() in body["detail"]


async def test_unknown_path_is_404_in_the_error_shape(client) -> None:
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert await response.get_json() == {"detail": "Not Found", "code": "NOT_FOUND"}
    assert response.headers["X-Request-ID"]


async def test_wrong_method_is_405_in_the_error_shape(client) -> None:
    response = await client.post("/api/health")
    assert response.status_code == 405
    assert await response.get_json() == {"detail": "Method Not Allowed", "code": "METHOD_NOT_ALLOWED"}
    assert "GET" in response.headers["Allow"]


async def test_unexpected_error_is_500_without_internals(app, client, caplog) -> None:
    @app.app.get("/api/_boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    response = await client.get("/api/_boom", headers={"X-Request-ID": "trace-123"})
    assert response.status_code == 500
    body = await response.get_json()
    assert body == {"detail": "An internal error occurred", "code": "INTERNAL_ERROR"}
    assert response.headers["X-Request-ID"] == "trace-123"
    assert "secret internal detail" not in (await response.get_data(as_text=True))
    assert any("trace-123" in record.getMessage() for record in caplog.records)


async def test_request_id_is_generated_when_missing_or_unsafe(client) -> None:
    plain = await client.get("/api/health")
    assert len(plain.headers["X-Request-ID"]) == 32
    unsafe = await client.get("/api/health", headers={"X-Request-ID": "<script>" + "x" * 80})
    assert len(unsafe.headers["X-Request-ID"]) == 32


async def test_each_request_writes_one_access_log_line(client, caplog) -> None:
    caplog.set_level("INFO", logger="jarlpm.access")
    await client.get("/api/health", headers={"X-Request-ID": "abc"})
    lines = [record for record in caplog.records if record.name == "jarlpm.access"]
    assert len(lines) == 1
    assert (lines[0].method, lines[0].path, lines[0].status, lines[0].request_id) == ("GET", "/api/health", 200, "abc")


async def test_openapi_and_docs_are_served(client) -> None:
    spec = await client.get("/openapi.json")
    assert spec.status_code == 200
    paths = (await spec.get_json())["paths"]
    assert {"/api/", "/api/health", "/api/ready"} <= set(paths)
    docs = await client.get("/docs")
    assert docs.status_code == 200


async def test_a_held_connection_makes_ready_503_then_it_recovers(make_settings, database_url) -> None:
    from jarlpm.app import create_app

    settings = make_settings(database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=1.0)
    quart_app = create_app(settings)
    async with quart_app.test_app() as test_app:
        client = test_app.test_client()
        async with quart_app.app_context():
            holder = db.current()
        async with holder.connection():
            busy = await asyncio.wait_for(client.get("/api/ready"), timeout=10)
        assert busy.status_code == 503
        assert (await busy.get_json())["code"] == "DB_POOL_TIMEOUT"
        assert busy.headers["Retry-After"] == "1"
        recovered = await asyncio.wait_for(client.get("/api/ready"), timeout=10)
        assert recovered.status_code == 200


async def test_an_oversized_body_is_413_in_the_error_shape(client) -> None:
    response = await client.post(
        "/api/auth/login", data=b"x" * (2 * 1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert (await response.get_json())["code"] == "REQUEST_ENTITY_TOO_LARGE"


async def test_a_database_gone_away_is_503_not_500(make_settings, pg_server) -> None:
    from jarlpm.app import create_app

    url, janitor = pg_server.new_database(template=None)
    await asyncio.to_thread(migrate.upgrade, url)
    settings = make_settings(url, db_pool_size=1, db_max_overflow=1)
    quart_app = create_app(settings)
    async with quart_app.test_app() as test_app:
        await asyncio.sleep(0.05)
        janitor.drop()  # terminates every connection and removes the database
        await asyncio.sleep(0.2)  # the pool notices its connections were closed
        response = await test_app.test_client().get("/api/auth/me", headers={"Authorization": "Bearer x"})
    assert response.status_code == 503
    assert (await response.get_json())["code"] == "DB_UNAVAILABLE"
    assert response.headers["Retry-After"] == "1"
