"""Database access for handlers: `async with db.connection() as conn` / `async with db.transaction() as conn`.

Streaming generators run after the request context is gone: they take `db.current()` in the prelude
and reach the pool through that object.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import asyncpg
from quart import current_app

from jarlpm.db.pool import Database, PoolTimeout

EXTENSION_KEY = "jarlpm.database"

__all__ = ["Database", "PoolTimeout", "connection", "current", "transaction"]


def current() -> Database:
    return current_app.extensions[EXTENSION_KEY]


def connection() -> AbstractAsyncContextManager[asyncpg.Connection]:
    return current().connection()


def transaction() -> AbstractAsyncContextManager[asyncpg.Connection]:
    return current().transaction()
