"""Sign-in failure limits: failed passwords are limited, not requests, so a stranger cannot lock an owner out.

Three limits, each counted in a window that opens at its key's first failure:

- per email and client IP, low: one client guessing one account;
- per client IP, moderate: one client spraying many accounts;
- per email, high: a backstop against guessing one account from many clients. Only this one can lock the
  owner out, and only after far more failures than one client may make.

An attempt is counted as a failure before its password is checked, and taken back when it succeeds or
is refused: counting first and comparing the new count (rather than checking, then counting) stays exact
when concurrent guesses arrive together, in memory or in a shared store. A refused attempt costs no
password hashing and does not prolong the lock.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask.sansio.app import App
from quart import current_app

from jarlpm.http import current_settings
from jarlpm.http.client_ip import client_ip
from jarlpm.http.limit_store import EXTENSION_KEY as LIMIT_STORE_KEY

EXTENSION_KEY = "jarlpm.login_failures"


@dataclass(frozen=True)
class FailureLimit:
    scope: str
    failures: int
    window_seconds: int


PER_EMAIL_AND_IP = FailureLimit("email+ip", 5, 15 * 60)
PER_IP = FailureLimit("ip", 20, 15 * 60)
PER_EMAIL = FailureLimit("email", 100, 60 * 60)


class LoginLocked(Exception):
    """A failure limit is reached: answered 429 before the password is looked at."""

    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"sign-in locked for {retry_after} s (limit {limit})")
        self.retry_after = retry_after
        self.limit = limit


class FailureCounter(Protocol):
    """Failures per key, in a window that opens at the key's first failure (in Redis: INCR, PEXPIRE on the
    first, PTTL, in one script; in PostgreSQL: one upsert)."""

    async def add(self, key: str, window_seconds: int) -> tuple[int, float]:
        """Count one failure; the failures now in the key's window and the seconds until it closes."""
        ...

    async def take_back(self, key: str) -> None: ...

    async def clear(self, key: str) -> None: ...


@dataclass(slots=True)
class _Window:
    failures: int
    closes_at: float


class MemoryFailureCounter:
    """Counts in this process, on a clock a test may move: never installed by the app, whose counts are
    shared by every worker and instance (jarlpm.http.limit_store)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._windows: dict[str, _Window] = {}

    async def add(self, key: str, window_seconds: int) -> tuple[int, float]:
        window = self._open_window(key)
        if window is None:
            self._make_room()
            window = self._windows[key] = _Window(0, self._clock() + window_seconds)
        window.failures += 1
        return window.failures, window.closes_at - self._clock()

    async def take_back(self, key: str) -> None:
        window = self._open_window(key)
        if window is not None:
            window.failures = max(window.failures - 1, 0)

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)

    def __len__(self) -> int:
        return len(self._windows)

    def _open_window(self, key: str) -> _Window | None:
        window = self._windows.get(key)
        if window is not None and window.closes_at <= self._clock():
            del self._windows[key]
            return None
        return window

    def _make_room(self) -> None:
        if len(self._windows) < self._max_keys:
            return
        now = self._clock()
        self._windows = {key: window for key, window in self._windows.items() if window.closes_at > now}
        # A flood of distinct keys must not exhaust memory: forget the oldest windows, a tenth at a time so
        # the sweep above does not run on every new key.
        excess = len(self._windows) - int(self._max_keys * 0.9)
        for key in list(self._windows)[: max(excess, 0)]:
            del self._windows[key]


def normalise_email(email: str) -> str:
    """Emails sign in case-insensitively, so they are counted that way too."""
    return email.strip().lower()


def keys(email: str, ip: str) -> list[tuple[FailureLimit, str]]:
    """Each limit with the key it counts under (an email holds no space, so `email ip` is unambiguous)."""
    email = normalise_email(email)
    return [
        (PER_EMAIL_AND_IP, f"login:email+ip:{email} {ip}"),
        (PER_IP, f"login:ip:{ip}"),
        (PER_EMAIL, f"login:email:{email}"),
    ]


def lock_for(states: list[tuple[FailureLimit, int, float]]) -> LoginLocked | None:
    """Given each limit's failures (this attempt included) and seconds left, the lock with the longest wait
    among the limits this attempt would exceed; None when it may go on."""
    exceeded = [(math.ceil(left), limit.failures) for limit, failures, left in states if failures > limit.failures]
    if not exceeded:
        return None
    retry_after, limit = max(exceeded)
    return LoginLocked(max(retry_after, 1), limit)


def install(app: App) -> None:
    # The store every worker and instance shares (Redis with REDIS_URL, else PostgreSQL), chosen with the
    # request limits at app creation; MemoryFailureCounter only serves tests that move a clock by hand.
    app.extensions[EXTENSION_KEY] = app.extensions[LIMIT_STORE_KEY]


def _counter() -> FailureCounter | None:
    # The same switch as the request limits: tests that are not about limits sign in as often as they like.
    if not current_settings().rate_limits_enabled:
        return None
    return current_app.extensions[EXTENSION_KEY]


async def charge_attempt(email: str) -> None:
    """Count this attempt as a failure before its password is checked; raise LoginLocked if a limit is reached."""
    counter = _counter()
    if counter is None:
        return
    counted = keys(email, client_ip())
    locked = lock_for([(limit, *await counter.add(key, limit.window_seconds)) for limit, key in counted])
    if locked is not None:
        for _, key in counted:
            await counter.take_back(key)
        raise locked


async def forgive_attempt(email: str) -> None:
    """The password was right: this attempt was no failure, and this client's failures on the email are forgotten.

    The per-IP and per-email counts keep their earlier failures: a sprayer must not reset them by signing in
    to an account of its own, nor a guesser by waiting for the owner to sign in.
    """
    counter = _counter()
    if counter is None:
        return
    for limit, key in keys(email, client_ip()):
        await (counter.clear(key) if limit is PER_EMAIL_AND_IP else counter.take_back(key))
