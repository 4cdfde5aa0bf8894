"""Concurrent first reads of /api/delivery-context (the web client reads it on load, often twice at once)."""

from __future__ import annotations

import asyncio

import asyncpg

from jarlpm.db.pool import init_connection
from jarlpm.db.urls import connect_target
from jarlpm.delivery_context import repo
from tests.builders import new_user
from tests.db.helpers import fetch

CONCURRENT = 10


async def test_ten_concurrent_first_reads_create_one_context_and_agree(app, database_url) -> None:
    ana = await new_user(app, "ana@jarlpm.dev")
    responses = await asyncio.gather(*(ana.get("/api/delivery-context") for _ in range(CONCURRENT)))
    assert [response.status_code for response in responses] == [200] * CONCURRENT
    bodies = [await response.get_json() for response in responses]
    assert all(body == bodies[0] for body in bodies)
    [row] = await fetch(database_url, "SELECT context_id FROM product_delivery_contexts")
    assert row["context_id"] == bodies[0]["context_id"]


async def test_reading_an_existing_context_writes_nothing(app, database_url) -> None:
    ana = await new_user(app, "ana@jarlpm.dev")
    created = await (await ana.get("/api/delivery-context")).get_json()
    responses = await asyncio.gather(*(ana.get("/api/delivery-context") for _ in range(CONCURRENT)))
    assert all([await response.get_json() == created for response in responses])
    [row] = await fetch(database_url, "SELECT updated_at, xmin::text AS xmin FROM product_delivery_contexts")
    again = await (await ana.get("/api/delivery-context")).get_json()
    [after] = await fetch(database_url, "SELECT updated_at, xmin::text AS xmin FROM product_delivery_contexts")
    assert again["updated_at"] == created["updated_at"]
    # The row version is unchanged too: a GET of an existing context is a pure read.
    assert after == row


async def test_a_first_read_that_loses_the_insert_race_reads_the_winners_row(app, database_url) -> None:
    """Deterministic version of the race: our insert waits on an uncommitted winner, then rereads."""
    await new_user(app, "ana@jarlpm.dev")
    [user] = await fetch(database_url, "SELECT user_id FROM users")
    winner, loser = await connect(database_url), await connect(database_url)
    try:
        transaction = winner.transaction()
        await transaction.start()
        await winner.execute(
            "INSERT INTO product_delivery_contexts (context_id, user_id) VALUES ('ctx_winner', $1)", user["user_id"]
        )
        reading = asyncio.create_task(repo.get_or_create(loser, user_id=user["user_id"]))
        await wait_until_blocked(winner, loser)
        await transaction.commit()
        context = await reading
    finally:
        await winner.close()
        await loser.close()
    assert context["context_id"] == "ctx_winner"


async def connect(url: str) -> asyncpg.Connection:
    target = connect_target(url)
    conn = await asyncpg.connect(target.dsn, ssl=target.ssl)
    await init_connection(conn)
    return conn


async def wait_until_blocked(observer: asyncpg.Connection, waiter: asyncpg.Connection) -> None:
    """Until `waiter`'s statement waits on a lock (the winner's uncommitted row)."""
    pid = waiter.get_server_pid()
    for _ in range(500):
        if await observer.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second insert never waited on the first")
