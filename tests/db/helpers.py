"""Raw SQL against a test database, outside the app: what is in the rows after a call, and outages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

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


@asynccontextmanager
async def database_outage(pg_server, database_url: str) -> AsyncIterator[None]:  # type: ignore[no-untyped-def]
    """The test database refuses connections and loses the open ones, until the block ends."""
    name = urlsplit(database_url).path.lstrip("/")
    admin = await asyncpg.connect(pg_server.url("postgres"))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
