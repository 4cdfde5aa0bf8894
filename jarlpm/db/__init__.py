"""Database access for handlers: `async with db.connection() as conn` / `async with db.transaction() as conn`.

Streaming generators run after the request context is gone: they take `db.current()` in the prelude
and reach the pool through that object.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import asyncpg
from quart import current_app

from jarlpm.db.pool import ActingUser, Database, PoolTimeout, holding_connection

EXTENSION_KEY = "jarlpm.database"

__all__ = ["ActingUser", "Database", "PoolTimeout", "connection", "current", "holding_connection", "transaction"]


def current() -> Database:
    return current_app.extensions[EXTENSION_KEY]


def connection(actor: ActingUser = None) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """`async with db.connection(current_caller()) as conn`: the caller's session is checked on it."""
    return current().connection(actor)


def transaction(actor: ActingUser = None) -> AbstractAsyncContextManager[asyncpg.Connection]:
    return current().transaction(actor)
