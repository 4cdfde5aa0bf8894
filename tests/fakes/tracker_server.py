"""What every fake tracker (Jira, Linear, Azure DevOps) shares: a real HTTP server on a loopback port,
run by Hypercorn on its own event loop in a thread (so it serves whichever loop the app under test
runs on), a record of every request it received, and injected failures.

A tracker fake subclasses `FakeTracker`, registers its routes on `self.app` in `routes()`, keeps what
the tracker would hold in plain attributes (reset in `reset_state()`). Before any handler runs, a test
can make the next matching requests fail (`fail("POST", "/rest/api/3/issue", 500)`),
be rate limited (`fail(..., 429, retry_after=0)`), or see credentials revoked (`fail(..., 401)`).
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Self

from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart, Response, jsonify, request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One request as the tracker saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # parsed JSON, form fields as a dict, or None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Failure:
    method: str
    path: re.Pattern[str]
    status: int
    times: int
    retry_after: float | None = None
    body: Any = None


@dataclass
class FakeTracker:
    name: str = "tracker"
    port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._started = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.app = Quart(f"fake-{self.name}")
        self.app.before_request(self._record)
        self.routes()
        self.reset()

    # --- what a subclass provides -------------------------------------------------------------
    def routes(self) -> None:
        """Register the tracker's endpoints on self.app."""

    def reset_state(self) -> None:
        """Forget what the tracker holds."""

    # --- for tests ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        with self._lock:
            self.received: list[Received] = []
            self._failures: list[Failure] = []
        self.reset_state()

    def fail(
        self,
        method: str,
        path_pattern: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        """The next `times` requests matching method and path (a regex, matched in full) get `status`."""
        with self._lock:
            self._failures.append(Failure(method.upper(), re.compile(path_pattern), status, times, retry_after, body))

    def requests(self, method: str | None = None, path_pattern: str | None = None) -> list[Received]:
        """What was received, oldest first, optionally only the matching ones."""
        with self._lock:
            seen = list(self.received)
        return [
            item
            for item in seen
            if (method is None or item.method == method.upper())
            and (path_pattern is None or re.fullmatch(path_pattern, item.path))
        ]

    def writes(self) -> list[str]:
        """The requests that change something (everything but GET), as "METHOD /path"."""
        return [str(item) for item in self.requests() if item.method != "GET"]

    # --- internals ----------------------------------------------------------------------------
    def injected(self) -> Response | None:
        """The injected failure this request must get, if any (applied before every handler)."""
        with self._lock:
            for failure in self._failures:
                if failure.method == request.method and failure.path.fullmatch(request.path):
                    failure.times -= 1
                    if failure.times == 0:
                        self._failures.remove(failure)
                    break
            else:
                return None
        response = jsonify(failure.body or {"errorMessages": [f"injected {failure.status}"]})
        response.status_code = failure.status
        if failure.retry_after is not None:
            response.headers["Retry-After"] = str(failure.retry_after)
        return response

    async def _record(self) -> Response | None:
        body: Any = None
        if request.mimetype == "application/x-www-form-urlencoded":
            body = dict((await request.form).items())
        elif await request.get_data():
            body = await request.get_json(force=True, silent=True)
        received = Received(
            request.method, request.path, dict(request.args.items()), dict(request.headers.items()), body
        )
        with self._lock:
            self.received.append(received)
        return self.injected()

    # --- lifecycle ----------------------------------------------------------------------------
    @classmethod
    @contextmanager
    def running(cls) -> Iterator[Self]:
        """A fresh fake, listening until the block ends (a test session's fixture)."""
        server = cls().start()
        try:
            yield server
        finally:
            server.stop()

    def start(self) -> Self:
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError(f"the fake {self.name} did not start")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"the fake {self.name} is not listening")

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.accesslog = None
        config.errorlog = None
        config.graceful_timeout = 0.5
        self._started.set()
        await serve(self.app, config, shutdown_trigger=self._stop.wait)
