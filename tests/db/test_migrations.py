"""Migrations: the round trip, `alembic check`, CHECK constraints as declared, offline rendering, reset."""

from __future__ import annotations

import asyncio
import io
from contextlib import redirect_stdout

import asyncpg
import pytest
from alembic import command
from quart.testing.app import LifespanError
from sqlalchemy import create_engine

from jarlpm.app import create_app
from jarlpm.db import migrate
from jarlpm.db.schema import metadata
from tests.db.helpers import fetch


def _tables(url: str) -> set[str]:
    rows = asyncio.run(fetch(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    return {row["tablename"] for row in rows}


def test_round_trip_on_an_empty_database(empty_database_url) -> None:
    migrate.upgrade(empty_database_url)
    assert set(metadata.tables) <= _tables(empty_database_url)
    migrate.downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) == {"alembic_version"}
    migrate.upgrade(empty_database_url)
    assert set(metadata.tables) <= _tables(empty_database_url)
    migrate.check_at_head(empty_database_url)


def test_alembic_check_finds_no_drift(database_url) -> None:
    command.check(migrate.alembic_config(database_url))


CHECK_CONSTRAINTS = """
SELECT rel.relname AS table_name, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
  FROM pg_constraint AS con
  JOIN pg_class AS rel ON rel.oid = con.conrelid
  JOIN pg_namespace AS nsp ON nsp.oid = rel.relnamespace
 WHERE con.contype = 'c'
   AND nsp.nspname = 'public'
"""


def _check_constraints(url: str) -> set[tuple[str, str, str]]:
    return {tuple(row.values()) for row in asyncio.run(fetch(url, CHECK_CONSTRAINTS))}


def test_check_constraints_match_the_declared_ones(database_url, empty_database_url) -> None:
    # alembic check does not compare CHECK constraints: build schema.py's tables directly in another
    # database and let PostgreSQL render both sides, names and expressions.
    engine = create_engine(empty_database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    declared = _check_constraints(empty_database_url)
    assert len(declared) >= 6
    assert _check_constraints(database_url) == declared


def test_offline_sql_renders_without_a_database() -> None:
    output = io.StringIO()
    with redirect_stdout(output):
        command.upgrade(migrate.alembic_config("postgresql://nobody@invalid.invalid/none"), "head", sql=True)
    sql = output.getvalue()
    assert "CREATE TABLE users" in sql
    assert "CREATE TABLE user_sessions" in sql
    assert "CREATE FUNCTION touch_updated_at()" in sql
    assert "'%%" not in sql  # literals rendered as a DBA would type them


def test_updated_at_moves_on_update(database_url) -> None:
    rows = asyncio.run(
        fetch(
            database_url,
            """
            WITH created AS (
                INSERT INTO users (user_id, email, name, updated_at)
                VALUES ('user_aaaaaaaaaaaa', 'a@x.io', 'A', now() - interval '1 day')
                RETURNING updated_at
            )
            SELECT updated_at FROM created
            """,
        )
    )
    assert rows
    after = asyncio.run(
        fetch(database_url, "UPDATE users SET name = 'B' WHERE user_id = 'user_aaaaaaaaaaaa' RETURNING updated_at")
    )
    assert after[0]["updated_at"] > rows[0]["updated_at"]


def test_emails_are_unique_whatever_their_case(database_url) -> None:
    insert = "INSERT INTO users (user_id, email, name) VALUES ($1, $2, 'A')"
    asyncio.run(fetch(database_url, insert, "user_000000000001", "Ana@X.io"))
    with pytest.raises(asyncpg.UniqueViolationError):
        asyncio.run(fetch(database_url, insert, "user_000000000002", "ana@x.io"))


async def test_startup_refuses_a_database_behind_head(make_settings, empty_database_url) -> None:
    app = create_app(make_settings(empty_database_url))
    with pytest.raises(LifespanError) as error:
        async with app.test_app():
            pass
    message = str(error.value)
    assert migrate.head_revision() in message and "base" in message and "alembic upgrade head" in message


async def test_startup_does_not_migrate_a_database_url_by_itself(make_settings, empty_database_url) -> None:
    with pytest.raises(LifespanError):
        async with create_app(make_settings(empty_database_url)).test_app():
            pass
    assert await fetch(empty_database_url, "SELECT to_regclass('users') AS users") == [{"users": None}]


async def test_db_reset_on_startup_drops_data_and_migrates(make_settings, database_url) -> None:
    await fetch(database_url, "INSERT INTO users (user_id, email, name) VALUES ('user_000000000001', 'a@x.io', 'A')")
    await fetch(database_url, "CREATE TABLE leftover (id int)")
    settings = make_settings(database_url, env="development", db_reset_on_startup=True)
    async with create_app(settings).test_app() as app:
        response = await app.test_client().get("/api/ready")
        assert response.status_code == 200
    assert await fetch(database_url, "SELECT count(*) AS n FROM users") == [{"n": 0}]
    assert await fetch(database_url, "SELECT to_regclass('leftover') AS t") == [{"t": None}]
