"""The asyncpg pool and the only two ways to get a connection: connection() and transaction().

Nothing acquires per request: a handler acquires for exactly the statements that need it, and a wait
longer than DB_POOL_TIMEOUT becomes a 503 the client can retry, never a hang.

An AI route's prelude is admitted instead (`admission()`, entered by `@ai_route`): it queues for at most
AI_ADMISSION_WAIT seconds behind at most AI_ADMISSION_QUEUE others; when the queue is full the request
is told at once (503 SERVICE_BUSY), not after a wait it could not win.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import asyncpg

from jarlpm.admin import metrics
from jarlpm.db.scope import CrossUser, Scope
from jarlpm.db.urls import connect_target
from jarlpm.errors import APIError

if TYPE_CHECKING:
    from jarlpm.config import Settings

log = logging.getLogger(__name__)

_request_connection: ContextVar[asyncpg.Connection | None] = ContextVar("jarlpm_request_connection", default=None)
# How many pooled connections this task holds: an LLM call made while it holds one raises (the
# connection rule, DESIGN.md section 2, checked at run time rather than in review).
_held_connections: ContextVar[int] = ContextVar("jarlpm_held_connections", default=0)


class Actor(Protocol):
    """Who acts on a connection: its scope goes with the transaction's BEGIN, and it is resolved on it
    (the signed-in caller's session is looked up on the request's first connection)."""

    def scope(self) -> Scope: ...

    async def resolve(self, conn: asyncpg.Connection) -> None: ...


# A user id, the request's caller (or its bare session), a reviewed cross-user path, a scope itself (a
# session named by its token hash), or None: nobody's rows.
ActingUser = Actor | str | CrossUser | Scope | None


def _scope(actor: ActingUser) -> Scope | None:
    if actor is None or isinstance(actor, Scope):
        return actor
    if isinstance(actor, str):
        return Scope(user_id=actor)
    if isinstance(actor, CrossUser):
        return Scope(cross_user=actor)
    return actor.scope()


@dataclass
class _Admission:
    """Marks the next acquisition of an AI route's task as its prelude (spent by that acquisition, so a
    stream's later save, whose task inherits the mark, acquires as any other work)."""

    spent: bool = False


_admission: ContextVar[_Admission | None] = ContextVar("jarlpm_admission", default=None)


@contextmanager
def admission() -> Iterator[None]:
    """The next acquisition in this task goes through the AI admission queue."""
    token = _admission.set(_Admission())
    try:
        yield
    finally:
        _admission.reset(token)


def _prelude_acquisition() -> bool:
    mark = _admission.get()
    if mark is None or mark.spent:
        return False
    mark.spent = True
    return True


def holding_connection() -> bool:
    """Whether the current task holds a pooled connection right now."""
    return _held_connections.get() > 0


async def _resolve(conn: asyncpg.Connection, actor: ActingUser) -> None:
    if actor is not None and not isinstance(actor, str | CrossUser | Scope):
        await actor.resolve(conn)


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


class OutcomeUnknown(APIError):
    """The connection broke while COMMIT was on its way: the change may or may not have been saved."""

    def __init__(self) -> None:
        super().__init__(
            503,
            "DB_OUTCOME_UNKNOWN",
            "The database connection was lost while saving; the change may or may not have been saved. "
            "Check before retrying, or retry with the same Idempotency-Key.",
        )


# What a server that is shutting down, restarting or gone raises, while connecting or mid-statement.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.InterfaceError,  # includes ConnectionDoesNotExistError: the connection closed under us
    asyncpg.PostgresConnectionError,  # class 08
    asyncpg.OperatorInterventionError,  # class 57: admin shutdown, crash shutdown, cannot connect now
    # The server's goodbye arrived while the connection sat idle: the next statement finds the
    # protocol in a state it cannot leave (seen when a backend is terminated before COMMIT).
    asyncpg.InternalClientError,
)


class ServiceBusy(APIError):
    def __init__(self) -> None:
        super().__init__(
            503,
            "SERVICE_BUSY",
            "The service is busy with other AI requests. Please retry shortly.",
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


async def keep_session(conn: asyncpg.Connection) -> None:
    """Released connections skip asyncpg's reset query (RESET ALL, UNLISTEN *, CLOSE ALL, advisory
    unlock): one round trip per acquisition saved. Nothing here outlives a transaction: every setting is
    set_config(..., true), and nothing listens, locks a session or keeps a cursor. (asyncpg still rolls
    back a transaction left open.)"""


class Database:
    """One pool per app; opened before serving and closed (bounded in time) after."""

    def __init__(self, settings: Settings) -> None:
        if settings.database_url is None:
            raise ValueError("Database needs settings with a database_url")
        self._settings = settings
        self._target = connect_target(settings.database_url)
        self._pool: asyncpg.Pool | None = None
        self._admission_waiting = 0  # AI preludes queued for a connection right now

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
            reset=keep_session,
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
    async def connection(self, actor: ActingUser = None) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection for the statements of `actor` (see ActingUser). For anyone but None it
        is a transaction, since row-level security reads who acts from transaction-local settings."""
        if actor is not None:
            async with self.transaction(actor) as conn:
                yield conn
            return
        held = _request_connection.get()
        if held is not None:
            yield held  # the whole request runs in one transaction (see hold_for_request)
            return
        async with self._acquired() as conn:
            yield conn

    @asynccontextmanager
    async def hold_for_request(self, actor: ActingUser = None) -> AsyncIterator[asyncpg.Connection]:
        """One transaction for everything the request does: each connection() / transaction() inside
        uses it (a transaction inside becomes a savepoint). For short, non-AI writes only."""
        async with self.transaction(actor) as conn:
            token = _request_connection.set(conn)
            try:
                yield conn
            finally:
                _request_connection.reset(token)

    async def _acquire(self, wait_seconds: float, busy: APIError) -> asyncpg.Connection:
        try:
            with metrics.waiting_for_connection():
                return await self.pool.acquire(timeout=wait_seconds)
        except TimeoutError:
            raise busy from None
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            # Acquiring may have to connect: a server that is down, restarting or gone answers here.
            log.error("cannot open a database connection: %s", type(error).__name__)
            raise DatabaseUnavailable from None

    def _connection_free(self) -> bool:
        pool = self.pool
        return pool.get_idle_size() > 0 or pool.get_size() < pool.get_max_size()

    async def _admit(self) -> asyncpg.Connection:
        settings = self._settings
        if self._admission_waiting >= settings.ai_admission_queue and not self._connection_free():
            raise ServiceBusy()
        self._admission_waiting += 1
        try:
            return await self._acquire(settings.admission_wait, ServiceBusy())
        finally:
            self._admission_waiting -= 1

    @asynccontextmanager
    async def _acquired(self) -> AsyncIterator[asyncpg.Connection]:
        if _prelude_acquisition():
            conn = await self._admit()
        else:
            conn = await self._acquire(self._settings.db_pool_timeout, PoolTimeout(self._settings.db_pool_timeout))
        metrics.observe_pool(self.pool)
        holding = _held_connections.set(_held_connections.get() + 1)
        try:
            yield conn
        except CONNECTION_ERRORS as error:
            # Mid-statement, outside a COMMIT: nothing of this request's writes was kept.
            log.error("database connection lost: %s", type(error).__name__)
            raise DatabaseUnavailable from None
        finally:
            _held_connections.reset(holding)
            await self._release(conn)

    async def _release(self, conn: asyncpg.Connection) -> None:
        try:
            await self.pool.release(conn)
        except CONNECTION_ERRORS:
            # A broken connection cannot be reset; the pool replaces it on the next acquire.
            conn.terminate()
        metrics.observe_pool(self.pool)

    @asynccontextmanager
    async def transaction(self, actor: ActingUser = None) -> AsyncIterator[asyncpg.Connection]:
        held = _request_connection.get()
        if held is not None:
            async with _savepoint(held, _scope(actor)):  # inside the request's transaction
                await _resolve(held, actor)
                yield held
            return
        async with self._acquired() as conn:
            try:
                # BEGIN and who acts, in one round trip (asyncpg's Transaction would need a second).
                await conn.execute(_begin(_scope(actor)))
                await _resolve(conn, actor)
                yield conn
            except BaseException:
                await _roll_back(conn)
                raise
            try:
                await conn.execute("COMMIT")
            except CONNECTION_ERRORS as error:
                log.error("database connection lost during COMMIT: %s", type(error).__name__)
                raise OutcomeUnknown from None


def _begin(scope: Scope | None) -> str:
    return scope.after("BEGIN") if scope is not None else "BEGIN"


_savepoints: ContextVar[int] = ContextVar("jarlpm_savepoints", default=0)


@asynccontextmanager
async def _savepoint(conn: asyncpg.Connection, scope: Scope | None) -> AsyncIterator[None]:
    depth = _savepoints.get() + 1
    name = f"jarlpm_{depth}"
    # An actor named inside the request brings its settings (the request's own caller, now resolved,
    # in practice); they stay for the rest of the request's transaction unless a ROLLBACK TO undoes them.
    await conn.execute(scope.after(f"SAVEPOINT {name}") if scope is not None else f"SAVEPOINT {name}")
    token = _savepoints.set(depth)
    try:
        yield
    except BaseException:
        await conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
        raise
    finally:
        _savepoints.reset(token)
    await conn.execute(f"RELEASE SAVEPOINT {name}")


async def _roll_back(conn: asyncpg.Connection) -> None:
    try:
        await conn.execute("ROLLBACK")
    except CONNECTION_ERRORS:
        pass  # the server already dropped the transaction with the connection
