"""Raw SQL against a test database, outside the app: what is in the rows after a call."""

from __future__ import annotations

import asyncpg

from jarlpm.db.pool import init_connection
from jarlpm.db.urls import connect_target


async def fetch(url: str, sql: str, *args: object) -> list[dict]:
    target = connect_target(url)
    conn = await asyncpg.connect(target.dsn, ssl=target.ssl)
    await init_connection(conn)  # json/jsonb as Python values, as the app sees them
    try:
        return [dict(row) for row in await conn.fetch(sql, *args)]
    finally:
        await conn.close()
