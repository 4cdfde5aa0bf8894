"""Serving the app with Hypercorn: one process (the default), or `--workers N` processes.

With N workers the parent does everything once: it binds the listening socket, makes the Prometheus
multiprocess directory, prepares the database (the embedded server and its migrations) while a fork
server imports the app, then forks N workers from that server; they share the socket. Each worker opens
its own pool (DB_POOL_SIZE + DB_MAX_OVERFLOW per worker). SIGTERM or Ctrl-C to the parent stops every
worker gracefully; the parent returns only once all of them have exited, so its caller stops the embedded
server after the last connection to it is gone. A worker that dies on its own stops the others and the
parent exits 1, for the platform to restart the whole service.

Our own supervisor rather than Hypercorn's multiprocess runner: that one terminates the other workers as
soon as the first has exited, cutting their graceful shutdown (and the replies still streaming) short.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from hypercorn.asyncio import serve
from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config as HypercornConfig
from hypercorn.config import Sockets
from hypercorn.utils import wrap_app

from jarlpm.admin import metrics
from jarlpm.config import ConfigError, Settings
from jarlpm.logs import configure_logging

log = logging.getLogger("jarlpm.serving")

GRACEFUL_TIMEOUT_SECONDS = 10
WORKERS_ENV = "WEB_CONCURRENCY"
MAX_WORKERS = 64
# A worker still running this long after its graceful budget is killed rather than waited for forever.
KILL_MARGIN_SECONDS = 5.0
POLL_SECONDS = 0.2


def workers_from_env(environ: Mapping[str, str]) -> int:
    """WEB_CONCURRENCY (the name Heroku, Gunicorn and Uvicorn read), default 1."""
    raw = environ.get(WORKERS_ENV, "").strip()
    if not raw:
        return 1
    try:
        return check_workers(int(raw))
    except ValueError:
        raise ConfigError(f"{WORKERS_ENV}={raw!r} is invalid; accepted: an integer from 1 to {MAX_WORKERS}") from None


def check_workers(count: int) -> int:
    if not 1 <= count <= MAX_WORKERS:
        raise ValueError(count)
    return count


def hypercorn_config(host: str, port: int) -> HypercornConfig:
    config = HypercornConfig()
    config.bind = [f"{host}:{port}"]
    config.accesslog = None  # the app writes one JSON line per request itself
    config.errorlog = logging.getLogger("hypercorn.error")  # through our JSON handler
    config.graceful_timeout = GRACEFUL_TIMEOUT_SECONDS
    return config


def serve_in_process(settings: Settings, host: str, port: int) -> None:
    """One process: the app in this event loop until SIGTERM or Ctrl-C."""
    asyncio.run(_serve_until_signal(settings, host, port))


async def _serve_until_signal(settings: Settings, host: str, port: int) -> None:
    from jarlpm.app import create_app

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("serving on http://%s:%d (environment %s)", host, port, settings.env)
    await serve(create_app(settings), hypercorn_config(host, port), shutdown_trigger=stop.wait)
    log.info("stopped")


def serve_workers(host: str, port: int, count: int, prepare: Callable[[], Settings]) -> int:
    """N worker processes until SIGTERM or Ctrl-C; 0 when every worker stopped cleanly, 1 otherwise.

    `prepare` readies the database (the embedded server, its migrations) and returns the settings the
    workers get; it runs while the fork server imports the app. The port is bound before anything else,
    so a taken port fails at once (OSError) without starting the database."""
    sockets = hypercorn_config(host, port).create_sockets()
    own_metrics_dir = _prepare_metrics_dir()
    try:
        context = _worker_context()
        settings = prepare()
        log.info(
            "serving on http://%s:%d with %d workers (environment %s), up to %d database connections each",
            host,
            port,
            count,
            settings.env,
            settings.pool_max_size,
        )
        return _Supervisor(context, settings, sockets, count).run()
    finally:
        for sock in (*sockets.secure_sockets, *sockets.insecure_sockets, *sockets.quic_sockets):
            sock.close()
        if own_metrics_dir is not None:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)
            os.environ.pop(metrics.MULTIPROC_ENV, None)


def _worker_context() -> ForkServerContext:
    """A fork server that imports the app once (while the parent prepares the database); every worker is
    a fork of it, so N workers cost one import, and none inherits the parent's threads or connections."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["jarlpm.app"])
    # Ctrl-C reaches the whole process group: the fork server and the workers it forks inherit this
    # SIG_IGN (as their first disposition, before any code of ours runs); the parent decides how they stop.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
    return context


def _prepare_metrics_dir() -> Path | None:
    """A directory the workers' metric files share, set in the environment they inherit.

    The operator's PROMETHEUS_MULTIPROC_DIR is kept but cleared of a previous run's files (they would add
    to the totals); otherwise a temporary one is made, returned so it is removed at exit."""
    configured = metrics.multiprocess_dir()
    if configured is not None:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink(missing_ok=True)
        return None
    directory = Path(tempfile.mkdtemp(prefix="jarlpm-metrics-"))
    metrics.prepare_multiprocess_dir(directory)
    os.environ[metrics.MULTIPROC_ENV] = str(directory)
    return directory


class _Supervisor:
    def __init__(self, context: ForkServerContext, settings: Settings, sockets: Sockets, count: int) -> None:
        self.context = context
        self.settings = settings
        self.sockets = sockets
        self.count = count
        self.workers: list[BaseProcess] = []
        self.stop_requested = False
        self.stop_deadline: float | None = None
        self.failed = False

    def run(self) -> int:
        previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
        signal.signal(signal.SIGTERM, self._request_stop)
        signal.signal(signal.SIGINT, self._request_stop)
        try:
            self._start_workers()
            self._supervise()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return 1 if self.failed else 0

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        # Only flags: the loop in _supervise signals the workers (no list mutation inside a handler).
        # A second SIGTERM or Ctrl-C means "now": the workers are killed without waiting for their grace.
        if self.stop_requested and self.stop_deadline is not None:
            self.stop_deadline = min(self.stop_deadline, time.monotonic())
        self.stop_requested = True

    def _start_workers(self) -> None:
        for _ in range(self.count):
            if self.stop_requested:
                return
            worker = self.context.Process(target=_worker_main, args=(self.settings, self.sockets), daemon=False)
            worker.start()
            self.workers.append(worker)

    def _supervise(self) -> None:
        while self.workers:
            if self.stop_requested and self.stop_deadline is None:
                self._stop_workers()
            # A worker's sentinel (a pipe fd) becomes readable when it exits: sleep until one does.
            select.select([worker.sentinel for worker in self.workers], [], [], POLL_SECONDS)
            for worker in [worker for worker in self.workers if not worker.is_alive()]:
                self._reap(worker)
            if self.stop_deadline is not None and time.monotonic() > self.stop_deadline:
                self._kill_stragglers()

    def _stop_workers(self) -> None:
        log.info("stopping %d worker(s)", len(self.workers))
        budget = GRACEFUL_TIMEOUT_SECONDS + self.settings.shutdown_grace_seconds + KILL_MARGIN_SECONDS
        self.stop_deadline = time.monotonic() + budget
        for worker in self.workers:
            _signal(worker, signal.SIGTERM)

    def _reap(self, worker: BaseProcess) -> None:
        worker.join()
        self.workers.remove(worker)
        assert worker.pid is not None
        metrics.worker_exited(worker.pid)
        code = worker.exitcode
        # A SIGTERM that lands before the worker installed its handler kills it: still a requested stop.
        expected = self.stop_requested and code in (0, -signal.SIGTERM)
        if expected:
            log.info("worker %d exited (code %s)", worker.pid, code)
            return
        self.failed = True
        log.error("worker %d exited (code %s); stopping the others", worker.pid, code)
        self.stop_requested = True

    def _kill_stragglers(self) -> None:
        for worker in self.workers:
            log.error("worker %d did not stop in time; killing it", worker.pid)
            _signal(worker, signal.SIGKILL)
        self.failed = True
        self.stop_deadline = float("inf")  # killed once; now only reap


def _signal(worker: BaseProcess, signum: int) -> None:
    if worker.pid is None:
        return
    try:
        os.kill(worker.pid, signum)
    except ProcessLookupError:
        pass  # already gone; the loop reaps it


def _worker_main(settings: Settings, sockets: Sockets) -> None:
    """One worker: the app on the shared sockets until the parent sends SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # already inherited; stated for whoever starts us otherwise
    configure_logging()
    asyncio.run(_serve_sockets(settings, sockets))
    log.info("worker %d stopped", os.getpid())
    # The lifespan has closed everything this worker opened (replies, HTTP clients, pool). Tearing down
    # the interpreter's few hundred thousand objects would take seconds on a busy machine and release
    # nothing the exit does not: leave at once.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


async def _serve_sockets(settings: Settings, sockets: Sockets) -> None:
    from jarlpm.app import create_app

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    config = hypercorn_config("", 0)  # the bind is unused: the sockets come bound from the parent
    app = wrap_app(create_app(settings), config.wsgi_max_body_size, None)
    await worker_serve(app, config, sockets=sockets, shutdown_trigger=stop.wait)
