"""Wizard rows: the weak-model numbers from llm_usage, the generation log, and the user's totals.
A connection in, plain dicts out; every statement names its owner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asyncpg import Connection

from jarlpm.db.queries import queries


async def model_health(conn: Connection, *, user_id: str, provider: str, model: str) -> dict:
    """{calls, troubled}: the user's recent calls to this provider and model, and those that needed a
    repair or failed."""
    row = await queries.wizard.model_health(conn, user_id=user_id, provider=provider, model=model)
    return dict(row)


async def add_generation_log(conn: Connection, row: Mapping[str, Any]) -> None:
    await queries.wizard.add_generation_log(conn, **row)


async def generation_totals(conn: Connection, *, user_id: str, days: int) -> list[dict]:
    return [dict(row) async for row in queries.wizard.generation_totals(conn, user_id=user_id, days=days)]
