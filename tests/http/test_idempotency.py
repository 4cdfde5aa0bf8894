"""Idempotency-Key on creates, and what a client is told when the database goes away mid-request."""

from __future__ import annotations

import asyncio

import pytest

from jarlpm.db.pool import Database, DatabaseUnavailable, OutcomeUnknown
from tests.db.helpers import database_outage, fetch
from tests.helpers import User


async def epic_titles(database_url: str) -> list[str]:
    return [row["title"] for row in await fetch(database_url, "SELECT title FROM epics ORDER BY created_at")]


async def test_a_retried_create_returns_the_first_answer(pm: User, database_url) -> None:  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": "create-epic-1"}
    first = await pm.post("/api/epics", json={"title": "Once"}, headers=headers)
    again = await pm.post("/api/epics", json={"title": "Once"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert await again.get_json() == await first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await epic_titles(database_url) == ["Once"]


async def test_ten_simultaneous_retries_create_one(pm: User, database_url) -> None:  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": "double-click"}
    answers = await asyncio.gather(*(pm.post("/api/epics", json={"title": "Once"}, headers=headers) for _ in range(10)))
    assert {answer.status_code for answer in answers} == {201}
    assert len({(await answer.get_json())["epic_id"] for answer in answers}) == 1
    assert await epic_titles(database_url) == ["Once"]


async def test_a_key_reused_for_another_request_is_refused(pm: User, database_url) -> None:  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": "k1"}
    await pm.post("/api/epics", json={"title": "First"}, headers=headers)
    reused = await pm.post("/api/epics", json={"title": "Second"}, headers=headers)
    assert reused.status_code == 422
    assert (await reused.get_json())["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await epic_titles(database_url) == ["First"]


async def test_keys_belong_to_their_user_and_failed_creates_keep_no_key(pm: User, other: User, database_url) -> None:  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": "shared"}
    refused = await pm.post("/api/epics", json={"title": "x" * 501}, headers=headers)
    assert refused.status_code == 422
    assert (await pm.post("/api/epics", json={"title": "Mine"}, headers=headers)).status_code == 201
    assert (await other.post("/api/epics", json={"title": "Theirs"}, headers=headers)).status_code == 201
    assert sorted(await epic_titles(database_url)) == ["Mine", "Theirs"]


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "naïve"])
async def test_a_malformed_key_is_400(pm: User, database_url, key: str) -> None:  # type: ignore[no-untyped-def]
    response = await pm.post("/api/epics", json={"title": "T"}, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert await epic_titles(database_url) == []


async def _terminate(database_url: str, pid: int) -> None:
    await fetch(database_url, "SELECT pg_terminate_backend($1)", pid)


async def test_a_connection_lost_mid_statement_is_db_unavailable(make_settings, database_url) -> None:  # type: ignore[no-untyped-def]
    database = Database(make_settings(database_url))
    await database.open()
    try:
        with pytest.raises(DatabaseUnavailable):
            async with database.connection() as conn:
                await _terminate(database_url, conn.get_server_pid())
                await conn.fetch("SELECT 1")
        async with database.connection() as conn:  # the pool has replaced the broken connection
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await database.close()


async def test_a_connection_lost_during_commit_is_outcome_unknown(make_settings, database_url) -> None:  # type: ignore[no-untyped-def]
    database = Database(make_settings(database_url))
    await database.open()
    try:
        with pytest.raises(OutcomeUnknown) as raised:
            async with database.transaction() as conn:
                await conn.execute("CREATE TEMP TABLE t (x int)")
                await _terminate(database_url, conn.get_server_pid())
        assert raised.value.status == 503 and raised.value.code == "DB_OUTCOME_UNKNOWN"
    finally:
        await database.close()


async def test_requests_while_the_database_is_gone_are_503(pm: User, pg_server, database_url) -> None:  # type: ignore[no-untyped-def]
    async with database_outage(pg_server, database_url):
        answers = [await pm.get("/api/epics") for _ in range(3)]
        created = await pm.post("/api/epics", json={"title": "During"})
    for answer in [*answers, created]:
        assert answer.status_code == 503
        assert (await answer.get_json())["code"] == "DB_UNAVAILABLE"
    assert await epic_titles(database_url) == []
    assert (await pm.get("/api/epics")).status_code == 200


async def test_a_retried_bug_report_files_one_bug(pm: User, database_url) -> None:  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": "bug-7"}
    body = {"title": "Crash on save", "description": "It crashes"}
    answers = [await pm.post("/api/bugs", json=body, headers=headers) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert (await answers[0].get_json())["bug_id"] == (await answers[1].get_json())["bug_id"]
    assert len(await fetch(database_url, "SELECT bug_id FROM bugs")) == 1
