"""Where request rate limits and sign-in failure counts live: shared by every worker and every instance.

Chosen once, at app creation: a Redis-compatible server when REDIS_URL is set, else PostgreSQL. Nothing
is kept per process. Every check is decided by the store in one atomic step (a Lua script, or one SQL
statement), never read in Python and written back, so concurrent requests on any worker count exactly.

Keys are HMAC-SHA-256 digests under a secret derived from JARLPM_ENCRYPTION_KEY (which every instance
shares): neither store ever holds an email, an IP address or a session hash.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from quart import Quart

from jarlpm.db import EXTENSION_KEY as DATABASE_KEY
from jarlpm.db.queries import queries
from jarlpm.errors import APIError

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from jarlpm.config import Settings
    from jarlpm.db import Database

log = logging.getLogger(__name__)

EXTENSION_KEY = "jarlpm.limit_store"
# PostgreSQL: every this many checks, one process deletes up to PURGE_BATCH expired rows.
PURGE_EVERY = 200
PURGE_BATCH = 1000
REDIS_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Slot:
    """One request against one limit: GCRA with `share` seconds per request and a burst of the whole period."""

    key: str
    share: float  # the period divided by the count
    max_ahead: float  # how far the key's theoretical arrival time may run ahead of now: period - share


class LimitStore(Protocol):
    """Request limits (`take`) and sign-in failure counts (jarlpm.auth.lockout.FailureCounter)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def take(self, slots: list[Slot]) -> float | None:
        """Admit one request against every slot, or none: None when admitted, else the seconds to wait."""
        ...

    async def add(self, key: str, window_seconds: int) -> tuple[int, float]: ...

    async def take_back(self, key: str) -> None: ...

    async def clear(self, key: str) -> None: ...


class LimitsUnavailable(APIError):
    """The shared store cannot be reached: limits are never skipped, so the request waits for it."""

    def __init__(self) -> None:
        super().__init__(
            503,
            "LIMITS_UNAVAILABLE",
            "The service cannot check its rate limits right now. Please retry.",
            headers={"Retry-After": "1"},
        )


def key_secret(settings: Settings) -> bytes:
    return hashlib.sha256(b"jarlpm limit keys\0" + settings.encryption_key.encode()).digest()


def key_digest(secret: bytes, key: str) -> str:
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def create_store(app: Quart, settings: Settings) -> LimitStore:
    secret = key_secret(settings)
    if settings.redis_url is not None:
        return RedisLimitStore(settings.redis_url, secret)
    return PostgresLimitStore(app, secret)


def current_store(app: Quart) -> LimitStore:
    store: LimitStore = app.extensions[EXTENSION_KEY]
    return store


class PostgresLimitStore:
    """One statement per check, each on its own short acquisition from the app's pool (opened before serving)."""

    def __init__(self, app: Quart, secret: bytes) -> None:
        self._app = app
        self._secret = secret
        self._checks = 0

    async def open(self) -> None:
        pass  # the app's pool is opened with the app

    async def close(self) -> None:
        pass

    def _database(self) -> Database:
        database: Database = self._app.extensions[DATABASE_KEY]
        return database

    def _due_for_purge(self) -> bool:
        # A per-process cadence for housekeeping only; the limits themselves live in the table.
        self._checks += 1
        return self._checks % PURGE_EVERY == 0

    async def take(self, slots: list[Slot]) -> float | None:
        async with self._database().connection() as conn:
            decided = queries.limits.take_request_slots(
                conn,
                limit_keys=[key_digest(self._secret, slot.key) for slot in slots],
                shares=[slot.share for slot in slots],
                max_aheads=[slot.max_ahead for slot in slots],
            )
            rows = [row async for row in decided]
            if self._due_for_purge():
                await queries.limits.purge_request_limits(conn, batch=PURGE_BATCH)
        refused = [float(row["wait_seconds"]) for row in rows if not row["admitted"]]
        return max(refused) if refused else None

    async def add(self, key: str, window_seconds: int) -> tuple[int, float]:
        async with self._database().connection() as conn:
            row = await queries.limits.add_login_failure(
                conn, failure_key=key_digest(self._secret, key), window_seconds=float(window_seconds)
            )
            if self._due_for_purge():
                await queries.limits.purge_login_failures(conn, batch=PURGE_BATCH)
        return int(row["failures"]), float(row["seconds_left"])

    async def take_back(self, key: str) -> None:
        async with self._database().connection() as conn:
            await queries.limits.take_back_login_failure(conn, failure_key=key_digest(self._secret, key))

    async def clear(self, key: str) -> None:
        async with self._database().connection() as conn:
            await queries.limits.clear_login_failures(conn, failure_key=key_digest(self._secret, key))


# GCRA over every key of one request, all or nothing, on the server's clock (microseconds).
# KEYS: the limit keys; ARGV: each key's share and max_ahead, in turn. Returns 0 when admitted, else the wait.
TAKE_SCRIPT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tats = {}
local wait = 0
for i, key in ipairs(KEYS) do
    local ahead = tonumber(ARGV[2 * i])
    local tat = math.max(tonumber(redis.call('GET', key) or '0'), now)
    tats[i] = tat
    if tat - now > ahead then
        wait = math.max(wait, math.ceil(tat - ahead - now), 1)
    end
end
if wait > 0 then
    return wait
end
for i, key in ipairs(KEYS) do
    local tat = tats[i] + tonumber(ARGV[2 * i - 1])
    redis.call('SET', key, string.format('%.0f', tat), 'PX', math.max(math.ceil((tat - now) / 1000), 1))
end
return 0
"""

# A failure in a window that opens at the key's first failure: the count and the milliseconds left.
ADD_FAILURE_SCRIPT = """
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {failures, redis.call('PTTL', KEYS[1])}
"""

# DECR on a missing key would create one without expiry: only an open window's count is taken back.
TAKE_BACK_SCRIPT = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then
    redis.call('DECR', KEYS[1])
end
return 0
"""


class RedisLimitStore:
    """One Lua script per check (atomic on the server); every key expires by itself, so nothing needs purging."""

    def __init__(self, url: str, secret: bytes) -> None:
        self._url = url
        self._secret = secret
        self._client: Redis | None = None
        self._scripts: dict[str, Any] = {}

    async def open(self) -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(
            self._url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._scripts = {
            "take": client.register_script(TAKE_SCRIPT),
            "add": client.register_script(ADD_FAILURE_SCRIPT),
            "take_back": client.register_script(TAKE_BACK_SCRIPT),
        }
        self._client = client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _key(self, kind: str, key: str) -> str:
        return f"jarlpm:{kind}:{key_digest(self._secret, key)}"

    async def _run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        from redis.exceptions import RedisError

        if script not in self._scripts:
            raise LimitsUnavailable  # not opened: the app is not serving
        try:
            return await self._scripts[script](keys=keys, args=args)
        except (RedisError, OSError) as error:
            log.error("the rate-limit store is unreachable: %s", type(error).__name__)
            raise LimitsUnavailable from None

    async def take(self, slots: list[Slot]) -> float | None:
        args: list[Any] = []
        for slot in slots:
            args += [round(slot.share * 1_000_000), round(slot.max_ahead * 1_000_000)]
        wait = int(await self._run("take", [self._key("limit", slot.key) for slot in slots], args))
        return wait / 1_000_000 if wait > 0 else None

    async def add(self, key: str, window_seconds: int) -> tuple[int, float]:
        failures, left_ms = await self._run("add", [self._key("login", key)], [window_seconds * 1000])
        return int(failures), max(int(left_ms), 0) / 1000

    async def take_back(self, key: str) -> None:
        await self._run("take_back", [self._key("login", key)], [])

    async def clear(self, key: str) -> None:
        from redis.exceptions import RedisError

        if self._client is None:
            raise LimitsUnavailable
        try:
            await self._client.delete(self._key("login", key))
        except (RedisError, OSError):
            raise LimitsUnavailable from None


def seconds_to_wait(wait: float) -> int:
    """Whole seconds for Retry-After: never 0, or a client would retry at once."""
    return max(math.ceil(wait), 1)
