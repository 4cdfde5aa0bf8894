"""The asyncpg pool and the only two ways to get a connection: connection() and transaction().

Nothing acquires per request: a handler acquires for exactly the statements that need it, and a wait
longer than DB_POOL_TIMEOUT becomes a 503 the client can retry, never a hang.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import asyncpg

from jarlpm.db.urls import connect_target
from jarlpm.errors import APIError

if TYPE_CHECKING:
    from jarlpm.config import Settings

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_SECONDS = 10.0
RETRY_AFTER_SECONDS = 1


class DatabaseUnavailable(APIError):
    def __init__(self) -> None:
        super().__init__(
            503,
            "DB_UNAVAILABLE",
            "The database is not reachable right now. Please retry.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


class PoolTimeout(APIError):
    def __init__(self, waited: float) -> None:
        super().__init__(
            503,
            "DB_POOL_TIMEOUT",
            f"The service is busy: no database connection became free within {waited:g} s. Please retry.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


async def init_connection(conn: asyncpg.Connection) -> None:
    # json/jsonb in and out as Python values, so repositories never see raw JSON text.
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


class Database:
    """One pool per app; opened before serving and closed (bounded in time) after."""

    def __init__(self, settings: Settings) -> None:
        if settings.database_url is None:
            raise ValueError("Database needs settings with a database_url")
        self._settings = settings
        self._target = connect_target(settings.database_url)
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database pool is not open")
        return self._pool

    async def open(self) -> None:
        settings = self._settings
        self._pool = await asyncpg.create_pool(
            self._target.dsn,
            ssl=self._target.ssl,
            min_size=settings.db_pool_size,
            max_size=settings.pool_max_size,
            max_inactive_connection_lifetime=settings.db_pool_recycle,
            statement_cache_size=settings.db_statement_cache_size,
            server_settings={"application_name": "jarlpm"},
            init=init_connection,
        )
        log.info("database pool open (min %d, max %d)", settings.db_pool_size, settings.pool_max_size)

    async def close(self) -> None:
        if self._pool is None:
            return
        pool = self._pool
        try:
            # close() waits for every connection to be released (an epilogue may still be saving, and
            # must be able to release through self.pool); a stuck one must not hang shutdown.
            await asyncio.wait_for(pool.close(), CLOSE_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("database pool did not close within %g s; terminating it", CLOSE_TIMEOUT_SECONDS)
            pool.terminate()
        finally:
            self._pool = None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        timeout = self._settings.db_pool_timeout
        try:
            conn = await self.pool.acquire(timeout=timeout)
        except TimeoutError:
            raise PoolTimeout(timeout) from None
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            # Acquiring may have to connect: a server that is down, restarting or gone answers here.
            log.error("cannot open a database connection: %s", type(error).__name__)
            raise DatabaseUnavailable from None
        try:
            yield conn
        finally:
            await self.pool.release(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.connection() as conn, conn.transaction():
            yield conn
