"""DATABASE_URL handling shared by the pool, Alembic and the connections of their own.

asyncpg and SQLAlchemy's asyncpg dialect reject `sslmode` as a connect keyword, so it is taken out of
the URL and passed as asyncpg's `ssl` argument. TLS is used only when the URL asks for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import asyncpg

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# libpq options that asyncpg does not understand and that carry no meaning for it.
_DROPPED_OPTIONS = ("sslmode", "channel_binding")


@dataclass(frozen=True)
class ConnectTarget:
    dsn: str
    ssl: str | bool

    def __repr__(self) -> str:  # the DSN may hold a password
        return f"ConnectTarget(ssl={self.ssl!r})"

    def sqlalchemy_url(self) -> str:
        return "postgresql+asyncpg" + self.dsn[len("postgresql") :]

    @property
    def connect_args(self) -> dict[str, str | bool]:
        return {"ssl": self.ssl}


def connect_target(url: str) -> ConnectTarget:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = dict(query)
    sslmode = options.get("sslmode", "disable").lower()
    if sslmode not in SSL_MODES:
        raise ValueError(f"sslmode={sslmode!r} is not one of {', '.join(SSL_MODES)}")
    kept = [(key, value) for key, value in query if key not in _DROPPED_OPTIONS]
    dsn = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(kept), parts.fragment))
    return ConnectTarget(dsn=dsn, ssl=False if sslmode == "disable" else sslmode)


def user_of(url: str) -> str:
    return urlsplit(url).username or ""


def with_user(url: str, user: str) -> str:
    """The same URL for another role, without a password (the embedded and test servers trust local roles)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{quote(user, safe='')}@{host}", parts.path, parts.query, parts.fragment))


async def connect(url: str) -> asyncpg.Connection:
    """A connection of its own, outside any pool (the CLI, startup, migrations, the importer, the bench)."""
    target = connect_target(url)
    return await asyncpg.connect(target.dsn, ssl=target.ssl)


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[asyncpg.Connection]:
    """`connect`, closed when the block ends."""
    conn = await connect(url)
    try:
        yield conn
    finally:
        await conn.close()
