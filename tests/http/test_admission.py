"""AI preludes are admitted, not timed out: they queue for at most AI_ADMISSION_WAIT behind at most
AI_ADMISSION_QUEUE others, and a request arriving at a full queue is told at once (503 SERVICE_BUSY)."""

from __future__ import annotations

import asyncio
import time

import pytest

from jarlpm.db import EXTENSION_KEY as DATABASE_KEY

INTERVIEW = "/api/stories/ai/chat"
WAIT = 0.6


@pytest.fixture
def settings(make_settings, database_url):  # type: ignore[no-untyped-def]
    return make_settings(
        database_url,
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout=10,
        ai_admission_wait=WAIT,
        ai_admission_queue=1,
    )


async def _timed(call):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


async def test_a_full_queue_is_told_at_once_and_a_queued_prelude_waits_only_its_admission(pm, app) -> None:
    pool = app.app.extensions[DATABASE_KEY].pool
    held = await pool.acquire()  # the pool's only connection is busy elsewhere
    try:
        queued = asyncio.create_task(_timed(pm.post(INTERVIEW, json={"content": "Faster logins"})))
        await asyncio.sleep(0.2)  # the first prelude is waiting in the queue now
        refused, refused_after = await _timed(pm.post(INTERVIEW, json={"content": "Faster logins"}))
        assert refused.status_code == 503
        assert (await refused.get_json())["code"] == "SERVICE_BUSY" and refused.headers["Retry-After"] == "1"
        assert refused_after < WAIT / 2  # at once, not after a wait it could not win

        waited, waited_for = await queued
        assert waited.status_code == 503 and (await waited.get_json())["code"] == "SERVICE_BUSY"
        assert WAIT * 0.8 < waited_for < 10  # AI_ADMISSION_WAIT, not DB_POOL_TIMEOUT
    finally:
        await pool.release(held)
    admitted = await pm.post(INTERVIEW, json={"content": "Faster logins"})
    assert admitted.status_code == 200


async def test_other_requests_keep_the_pool_timeout(pm, app) -> None:
    pool = app.app.extensions[DATABASE_KEY].pool
    held = await pool.acquire()
    try:
        waiting = asyncio.create_task(_timed(pm.get("/api/epics")))
        await asyncio.sleep(WAIT * 1.5)  # longer than an AI prelude may wait
        assert not waiting.done()
    finally:
        await pool.release(held)
    answered, _ = await waiting
    assert answered.status_code == 200
