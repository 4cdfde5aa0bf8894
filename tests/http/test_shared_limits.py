"""Rate limits and sign-in failure limits are shared by every instance: two apps on one database count as one,
with the PostgreSQL store and with a Redis-compatible server (REDIS_URL), and concurrent requests count exactly."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack

import pytest
from fakeredis import TcpFakeServer
from quart import Blueprint
from redis import Redis

from jarlpm.app import create_app
from jarlpm.http import limit_store
from jarlpm.http.auth import public
from jarlpm.http.limit_store import current_store
from jarlpm.http.rate_limits import per_ip, per_minute
from tests.auth.helpers import assert_429, from_ip
from tests.db.helpers import fetch
from tests.helpers import PASSWORD, sign_up

LIMIT = 7
OWNER = "owner@jarlpm.dev"

limited_routes = Blueprint("limits_test", __name__)


@limited_routes.get("/api/_test/limited")
@public
@per_minute(LIMIT, per_ip)
async def limited() -> dict[str, bool]:
    """A cheap route with a limit of its own."""
    return {"ok": True}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis-compatible server (fakeredis over TCP, with Lua) in a thread, for this test session."""
    port = _free_port()
    server = TcpFakeServer(("127.0.0.1", port), server_type="redis")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(params=["postgresql", "redis"])
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def instances(store, make_settings, database_url, request) -> AsyncIterator[list]:  # type: ignore[no-untyped-def]
    """Two app instances on one database, limits on, behind one trusted proxy (X-Forwarded-For picks the IP)."""
    overrides: dict[str, object] = {"rate_limits_enabled": True, "trust_proxy_headers": 1}
    if store == "redis":
        url = request.getfixturevalue("redis_url")
        with Redis.from_url(url) as redis:
            redis.flushall()
        overrides["redis_url"] = url
    settings = make_settings(database_url, **overrides)
    async with AsyncExitStack() as stack:
        apps = []
        for _ in range(2):
            app = create_app(settings)
            app.register_blueprint(limited_routes)
            apps.append(await stack.enter_async_context(app.test_app()))
        yield apps


async def _get(app, ip: str) -> int:  # type: ignore[no-untyped-def]
    return (await app.test_client().get("/api/_test/limited", headers=from_ip(ip))).status_code


async def test_requests_split_across_two_instances_hit_the_limit_at_the_same_total(instances) -> None:
    first, second = instances
    statuses = [await _get(instances[n % 2], "1.1.1.1") for n in range(LIMIT)]
    assert statuses == [200] * LIMIT
    refused = await first.test_client().get("/api/_test/limited", headers=from_ip("1.1.1.1"))
    wait = await assert_429(refused, LIMIT)
    assert wait <= 60 // LIMIT + 1  # GCRA: one request's share of the minute, not the whole minute
    assert await _get(second, "1.1.1.1") == 429
    assert await _get(second, "2.2.2.2") == 200  # another client has its own budget


async def test_concurrent_requests_on_two_instances_admit_exactly_the_limit(instances) -> None:
    statuses = await asyncio.gather(*(_get(instances[n % 2], "3.3.3.3") for n in range(3 * LIMIT)))
    assert sorted(statuses) == [200] * LIMIT + [429] * (2 * LIMIT)


async def _login(app, email: str, password: str, ip: str) -> int:  # type: ignore[no-untyped-def]
    response = await app.test_client().post(
        "/api/auth/login", json={"email": email, "password": password}, headers=from_ip(ip)
    )
    return response.status_code


async def test_sign_in_failure_limits_hold_across_two_instances(instances, store, redis_url, database_url) -> None:
    first, second = instances
    await sign_up(first, OWNER)
    failures = [await _login(instances[n % 2], OWNER, "wrong password", "6.6.6.6") for n in range(5)]
    assert failures == [401] * 5
    locked = await second.test_client().post(
        "/api/auth/login", json={"email": OWNER, "password": PASSWORD}, headers=from_ip("6.6.6.6")
    )
    await assert_429(locked, 5)
    assert await _login(first, OWNER, PASSWORD, "6.6.6.6") == 429
    await _assert_three_windows_kept_as_digests(store, redis_url, database_url)
    assert await _login(second, OWNER, PASSWORD, "10.0.0.1") == 200  # the owner, from their own client


async def _assert_three_windows_kept_as_digests(store: str, redis_url: str, database_url: str) -> None:
    """email+ip, ip and email: as digests, never the email or the address, each in a window that closes."""
    if store == "postgresql":
        keys = await fetch(database_url, "SELECT failure_key, failures FROM login_failures")
        assert len(keys) == 3
        assert all(OWNER not in row["failure_key"] and "6.6.6.6" not in row["failure_key"] for row in keys)
    else:
        with Redis.from_url(redis_url) as redis:
            keys = redis.keys("jarlpm:login:*")
            assert len(keys) == 3
            assert all(0 < redis.pttl(key) <= 60 * 60 * 1000 for key in keys)  # each expires by itself


async def test_concurrent_wrong_passwords_on_two_instances_are_counted_exactly(instances) -> None:
    first, _ = instances
    await sign_up(first, OWNER)
    statuses = await asyncio.gather(*(_login(instances[n % 2], OWNER, f"guess {n}", "7.7.7.7") for n in range(10)))
    assert sorted(statuses) == [401] * 5 + [429] * 5


@pytest.mark.parametrize("store", ["postgresql"])
async def test_expired_rows_are_purged_and_a_closed_window_starts_again(
    instances, database_url, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = instances
    monkeypatch.setattr(limit_store, "PURGE_EVERY", 1)
    await fetch(
        database_url,
        "INSERT INTO request_limits (limit_key, tat, max_ahead_seconds)"
        " SELECT md5(n::text) || md5(n::text), now() - interval '1 second', 1 FROM generate_series(1, 50) AS n",
    )
    assert await _get(first, "4.4.4.4") == 200
    assert await fetch(database_url, "SELECT count(*) AS n FROM request_limits") == [{"n": 1}]

    counter = current_store(first.app)
    assert (await counter.add("login:ip:4.4.4.4", 60))[0] == 1
    assert (await counter.add("login:ip:4.4.4.4", 60))[0] == 2
    await fetch(database_url, "UPDATE login_failures SET closes_at = now() - interval '1 second'")
    failures, left = await counter.add("login:ip:4.4.4.4", 60)
    assert failures == 1 and 59 < left <= 60
    await fetch(database_url, "UPDATE login_failures SET closes_at = now() - interval '1 second'")
    assert (await counter.add("login:ip:5.5.5.5", 60))[0] == 1
    assert await fetch(database_url, "SELECT count(*) AS n FROM login_failures") == [{"n": 1}]


async def test_an_unreachable_redis_refuses_with_503_rather_than_skip_limits(make_settings, database_url) -> None:
    settings = make_settings(database_url, rate_limits_enabled=True, redis_url=f"redis://127.0.0.1:{_free_port()}/0")
    app = create_app(settings)
    app.register_blueprint(limited_routes)
    async with app.test_app() as running:
        response = await running.test_client().get("/api/_test/limited")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert (await response.get_json())["code"] == "LIMITS_UNAVAILABLE"
