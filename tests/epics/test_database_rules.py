"""The epic rules the database itself enforces, proven with raw SQL (no application code involved)."""

from __future__ import annotations

import asyncpg
import pytest

from jarlpm.db.urls import connect_target
from tests.builders import create_epic, locked_epic
from tests.db.helpers import fetch


async def in_transaction(url: str, *statements: str) -> None:
    target = connect_target(url)
    conn = await asyncpg.connect(target.dsn, ssl=target.ssl)
    try:
        async with conn.transaction():
            for statement in statements:
                await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
async def epic_id(pm, fake_llm):  # type: ignore[no-untyped-def]
    return await locked_epic(pm, fake_llm)


@pytest.mark.parametrize("table", ["epic_transcript_events", "epic_decisions"])
async def test_history_rows_can_never_be_updated(epic_id, database_url, table) -> None:
    column = "content" if table == "epic_transcript_events" else "content_snapshot"
    with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
        await fetch(database_url, f"UPDATE {table} SET {column} = 'rewritten'")
    with pytest.raises(asyncpg.RestrictViolationError):
        await in_transaction(
            database_url,
            f"SELECT set_config('jarlpm.deleting', '{epic_id}', true)",
            f"UPDATE {table} SET {column} = 'x'",
        )


@pytest.mark.parametrize("table", ["epic_transcript_events", "epic_decisions"])
async def test_history_rows_are_deleted_only_with_their_epic(epic_id, database_url, table) -> None:
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, f"DELETE FROM {table}")
    with pytest.raises(asyncpg.RestrictViolationError):
        await in_transaction(
            database_url, "SELECT set_config('jarlpm.deleting', 'epic_someoneelse', true)", f"DELETE FROM {table}"
        )
    with pytest.raises(asyncpg.RestrictViolationError):  # deleting the epic without saying so
        await fetch(database_url, "DELETE FROM epics")
    await in_transaction(
        database_url,
        f"SELECT set_config('jarlpm.deleting', '{epic_id}', true)",
        f"DELETE FROM epics WHERE epic_id = '{epic_id}'",
    )
    assert await fetch(database_url, f"SELECT count(*) AS n FROM {table}") == [{"n": 0}]


async def test_the_flag_ends_with_its_transaction(epic_id, database_url) -> None:
    target = connect_target(database_url)
    conn = await asyncpg.connect(target.dsn, ssl=target.ssl)
    try:
        async with conn.transaction():
            await conn.execute(f"SELECT set_config('jarlpm.deleting', '{epic_id}', true)")
        with pytest.raises(asyncpg.RestrictViolationError):
            await conn.execute("DELETE FROM epic_transcript_events")
    finally:
        await conn.close()


async def test_the_stage_never_goes_backwards(epic_id, database_url) -> None:
    for stage in ("epic_drafted", "problem_capture"):
        with pytest.raises(asyncpg.RestrictViolationError, match="cannot go back"):
            await fetch(database_url, f"UPDATE epics SET current_stage = '{stage}'")
    assert await fetch(database_url, "SELECT current_stage FROM epics") == [{"current_stage": "epic_locked"}]


async def test_the_stage_may_only_take_known_values(pm, database_url) -> None:
    await create_epic(pm)
    with pytest.raises(asyncpg.CheckViolationError):
        await fetch(database_url, "UPDATE epics SET current_stage = 'shipped'")


@pytest.mark.parametrize(
    "assignment",
    [
        "problem_statement = 'changed'",
        "problem_confirmed_at = NULL",
        "desired_outcome = 'changed'",
        "outcome_confirmed_at = now()",
        "epic_summary = 'changed'",
        "acceptance_criteria = ARRAY['new']",
        "epic_details = '{}'::jsonb",
        "epic_locked_at = NULL",
    ],
)
async def test_confirmed_snapshot_fields_never_change(epic_id, database_url, assignment) -> None:
    before = await fetch(database_url, "SELECT * FROM epic_snapshots")
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, f"UPDATE epic_snapshots SET {assignment}")
    assert await fetch(database_url, "SELECT * FROM epic_snapshots") == before


async def test_unconfirmed_snapshot_fields_may_still_be_written(pm, database_url) -> None:
    await create_epic(pm)
    await fetch(database_url, "UPDATE epic_snapshots SET problem_statement = 'draft'")
    assert await fetch(database_url, "SELECT problem_statement FROM epic_snapshots") == [{"problem_statement": "draft"}]
