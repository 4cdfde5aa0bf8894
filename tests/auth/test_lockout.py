"""Failed sign-ins: limited per email and client, per client, and (far higher) per email, never per request.

The bookkeeping is tested with a hand-driven clock; the route through HTTP, with the client address set
by X-Forwarded-For behind one trusted proxy, and argon2 replaced by a fast counting stand-in where a
test has to fail many times.
"""

from __future__ import annotations

import asyncio

import pytest

from jarlpm.app import create_app
from jarlpm.auth import lockout
from jarlpm.auth.lockout import PER_EMAIL, PER_EMAIL_AND_IP, PER_IP, MemoryFailureCounter
from tests.auth.helpers import assert_429, from_ip
from tests.db.helpers import fetch
from tests.helpers import PASSWORD, sign_up

OWNER = "owner@jarlpm.dev"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def login(app, email: str, password: str, ip: str):  # type: ignore[no-untyped-def]
    return await app.test_client().post(
        "/api/auth/login", json={"email": email, "password": password}, headers=from_ip(ip)
    )


async def fail(app, email: str, ip: str, times: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [(await login(app, email, "wrong password", ip)).status_code for _ in range(times)]


# The bookkeeping


async def test_a_window_opens_at_the_first_failure_and_closes_after_its_length() -> None:
    clock = Clock()
    counter = MemoryFailureCounter(clock=clock)
    assert await counter.add("k", 60) == (1, 60.0)
    clock.now += 50
    assert await counter.add("k", 60) == (2, 10.0)
    clock.now += 10
    assert await counter.add("k", 60) == (1, 60.0)


async def test_a_taken_back_failure_no_longer_counts_and_clear_forgets_the_key() -> None:
    counter = MemoryFailureCounter(clock=Clock())
    for _ in range(3):
        await counter.add("k", 60)
    await counter.take_back("k")
    assert (await counter.add("k", 60))[0] == 3
    await counter.clear("k")
    await counter.take_back("k")
    assert len(counter) == 0
    assert (await counter.add("k", 60))[0] == 1


async def test_a_full_store_drops_closed_windows_then_its_oldest() -> None:
    clock = Clock()
    counter = MemoryFailureCounter(clock=clock, max_keys=10)
    for n in range(5):
        await counter.add(f"short{n}", 10)
    for n in range(5):
        await counter.add(f"long{n}", 100)
    clock.now += 20
    await counter.add("new", 100)
    assert len(counter) == 6  # the closed windows went first
    for n in range(4):
        await counter.add(f"more{n}", 100)
    await counter.add("last", 100)
    assert len(counter) <= 10
    assert (await counter.add("last", 100))[0] == 2
    assert (await counter.add("long0", 100))[0] == 1  # the oldest open window was forgotten


def test_the_lock_waits_for_the_longest_of_the_limits_exceeded() -> None:
    assert lockout.lock_for([(PER_EMAIL_AND_IP, 5, 800.0), (PER_IP, 20, 900.0), (PER_EMAIL, 100, 3000.0)]) is None
    locked = lockout.lock_for([(PER_EMAIL_AND_IP, 6, 800.2), (PER_IP, 21, 120.0), (PER_EMAIL, 3, 3000.0)])
    assert locked is not None and (locked.retry_after, locked.limit) == (801, 5)
    assert lockout.lock_for([(PER_IP, 21, 0.01)]).retry_after == 1  # type: ignore[union-attr]


def test_emails_are_counted_case_insensitively_and_trimmed() -> None:
    assert lockout.keys("  Owner@JarlPM.dev ", "1.1.1.1") == lockout.keys(OWNER, "1.1.1.1")
    assert lockout.keys(OWNER, "1.1.1.1") != lockout.keys(OWNER, "2.2.2.2")


# The route


async def test_five_failures_lock_that_email_for_that_client_without_running_the_verifier(
    limited_app, verifier
) -> None:
    await sign_up(limited_app, OWNER)
    statuses = [
        (await login(limited_app, email, "wrong password", "1.1.1.1")).status_code
        for email in (OWNER, "OWNER@jarlpm.dev", OWNER, "Owner@JarlPM.dev", OWNER)
    ]
    assert statuses == [401] * 5
    assert verifier.count == 5
    wait = await assert_429(await login(limited_app, OWNER, PASSWORD, "1.1.1.1"), PER_EMAIL_AND_IP.failures)
    assert wait <= PER_EMAIL_AND_IP.window_seconds
    assert verifier.count == 5  # a blocked attempt costs no hashing, right password or not
    assert (await login(limited_app, OWNER, PASSWORD, "2.2.2.2")).status_code == 200
    assert (await login(limited_app, "someone@jarlpm.dev", "guess", "1.1.1.1")).status_code == 401


async def test_the_owner_signs_in_from_their_own_client_while_another_keeps_failing(
    limited_app, fast_verifier, database_url
) -> None:
    await sign_up(limited_app, OWNER)
    assert await fail(limited_app, OWNER, "6.6.6.6", 12) == [401] * 5 + [429] * 7
    for n in range(3):  # more attackers, still far below the per-email backstop
        assert await fail(limited_app, OWNER, f"7.7.7.{n}", 5) == [401] * 5
    owner = await login(limited_app, OWNER, PASSWORD, "10.0.0.1")
    assert owner.status_code == 200
    assert (await owner.get_json())["email"] == OWNER
    assert (await login(limited_app, OWNER, PASSWORD, "6.6.6.6")).status_code == 429
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_sessions") == [{"n": 2}]


async def test_one_client_spraying_many_emails_is_stopped_at_twenty_failures(limited_app, fast_verifier) -> None:
    statuses = [(await login(limited_app, f"user{n}@jarlpm.dev", "guess", "8.8.8.8")).status_code for n in range(20)]
    assert statuses == [401] * 20
    await assert_429(await login(limited_app, "user99@jarlpm.dev", "guess", "8.8.8.8"), PER_IP.failures)
    assert fast_verifier.count == 20
    assert (await login(limited_app, "user99@jarlpm.dev", "guess", "9.9.9.9")).status_code == 401


async def test_a_hundred_failures_from_many_clients_lock_the_email_everywhere(limited_app, fast_verifier) -> None:
    await sign_up(limited_app, OWNER)
    for n in range(20):
        assert await fail(limited_app, OWNER, f"172.16.0.{n}", 5) == [401] * 5
    wait = await assert_429(await login(limited_app, OWNER, PASSWORD, "10.0.0.1"), PER_EMAIL.failures)
    assert PER_EMAIL_AND_IP.window_seconds < wait <= PER_EMAIL.window_seconds
    assert fast_verifier.count == 100
    assert (await login(limited_app, "other@jarlpm.dev", "guess", "10.0.0.1")).status_code == 401


async def test_a_success_forgets_that_clients_failures_on_the_email(limited_app, fast_verifier) -> None:
    await sign_up(limited_app, OWNER)
    assert await fail(limited_app, OWNER, "1.1.1.1", 4) == [401] * 4
    assert (await login(limited_app, OWNER, PASSWORD, "1.1.1.1")).status_code == 200
    assert await fail(limited_app, OWNER, "1.1.1.1", 6) == [401] * 5 + [429]


async def test_signing_in_to_ones_own_account_does_not_reset_a_spray_count(limited_app, fast_verifier) -> None:
    await sign_up(limited_app, "sprayer@jarlpm.dev")
    for n in range(19):
        assert (await login(limited_app, f"victim{n}@jarlpm.dev", "guess", "8.8.8.8")).status_code == 401
    assert (await login(limited_app, "sprayer@jarlpm.dev", PASSWORD, "8.8.8.8")).status_code == 200
    assert (await login(limited_app, "victim19@jarlpm.dev", "guess", "8.8.8.8")).status_code == 401
    await assert_429(await login(limited_app, "victim20@jarlpm.dev", "guess", "8.8.8.8"), PER_IP.failures)


async def test_concurrent_guesses_cannot_slip_past_the_limit(limited_app, verifier) -> None:
    await sign_up(limited_app, OWNER)
    responses = await asyncio.gather(*(login(limited_app, OWNER, f"guess {n}", "1.1.1.1") for n in range(12)))
    assert sorted(response.status_code for response in responses) == [401] * 5 + [429] * 7
    assert verifier.count == 5


@pytest.fixture
async def clocked_app(make_settings, database_url):  # type: ignore[no-untyped-def]
    """Limits on, with failure windows on a clock the test moves."""
    clock = Clock()
    quart_app = create_app(make_settings(database_url, rate_limits_enabled=True, trust_proxy_headers=1))
    quart_app.extensions[lockout.EXTENSION_KEY] = MemoryFailureCounter(clock=clock)
    async with quart_app.test_app() as app:
        yield app, clock


async def test_the_lock_lifts_when_its_window_closes(clocked_app, fast_verifier) -> None:
    app, clock = clocked_app
    await sign_up(app, OWNER)
    assert await fail(app, OWNER, "1.1.1.1", 5) == [401] * 5
    clock.now += 60
    wait = await assert_429(await login(app, OWNER, PASSWORD, "1.1.1.1"), PER_EMAIL_AND_IP.failures)
    assert wait == PER_EMAIL_AND_IP.window_seconds - 60
    clock.now += wait
    assert (await login(app, OWNER, PASSWORD, "1.1.1.1")).status_code == 200


async def test_refused_attempts_are_not_counted(clocked_app, fast_verifier) -> None:
    """Hammering while locked must not bring the per-email backstop closer, nor prolong the lock."""
    app, _ = clocked_app
    assert await fail(app, OWNER, "1.1.1.1", 15) == [401] * 5 + [429] * 10
    counter = app.app.extensions[lockout.EXTENSION_KEY]
    counts = {limit: (await counter.add(key, limit.window_seconds))[0] for limit, key in lockout.keys(OWNER, "1.1.1.1")}
    assert counts == {PER_EMAIL_AND_IP: 6, PER_IP: 6, PER_EMAIL: 6}  # the five failures and this probe


async def test_failure_limits_obey_the_rate_limit_switch(app, fast_verifier) -> None:
    await sign_up(app, OWNER)
    assert await fail(app, OWNER, "1.1.1.1", 8) == [401] * 8
    assert (
        await app.test_client().post("/api/auth/login", json={"email": OWNER, "password": PASSWORD})
    ).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe not utf-8",
        b"[" * 100_000 + b"]" * 100_000,
        b'["owner@jarlpm.dev", "password"]',
        b'"owner@jarlpm.dev"',
        b'{"email": {"nested": true}, "password": "x"}',
        b"",
    ],
    ids=["invalid-utf-8", "deeply-nested", "array", "string", "email-object", "empty"],
)
async def test_a_malformed_login_body_is_a_clear_4xx_with_limits_on(limited_app, body) -> None:
    """No limit reads the login body any more; what remains is the request validation."""
    response = await limited_app.test_client().post(
        "/api/auth/login", data=body, headers={"Content-Type": "application/json", **from_ip("1.1.1.1")}
    )
    assert response.status_code in (400, 422)
    assert "code" in await response.get_json()
