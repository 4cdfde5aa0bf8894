"""The integrations room's multi-row reads, materialised (aiosql selects are async generators)."""

from __future__ import annotations

from collections.abc import Sequence

from asyncpg import Connection

from jarlpm.db.queries import queries


async def list_integrations(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.integrations.list_integrations(conn, user_id=user_id)]


async def list_mappings(conn: Connection, *, user_id: str, provider: str, entity_ids: Sequence[str]) -> list[dict]:
    rows = queries.integrations.list_mappings(conn, user_id=user_id, provider=provider, entity_ids=list(entity_ids))
    return [dict(row) async for row in rows]


async def entity_mappings(conn: Connection, *, user_id: str, entity_id: str) -> list[dict]:
    return [dict(row) async for row in queries.integrations.entity_mappings(conn, user_id=user_id, entity_id=entity_id)]


async def list_runs(conn: Connection, *, user_id: str, provider: str | None, max_rows: int) -> list[dict]:
    rows = queries.integrations.list_runs(conn, user_id=user_id, provider=provider, max_rows=max_rows)
    return [dict(row) async for row in rows]
