"""Database access for handlers: `async with db.connection(caller) as conn` /
`async with db.transaction(caller) as conn`, where `caller = current_caller()` (its session is checked
on that connection) or a user id; nothing for work that is no user's.

Streaming bodies run after the request context is gone: the stream transport reaches the pool through
the app's reply tracker, never through `current_app`.
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
