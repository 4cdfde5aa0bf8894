"""JarlPM benchmarks: figures, not tests.

    python -m bench crud      [--quick] [--connections 32] [--seconds 10]
    python -m bench streams   [--quick] [--streams 15 50 200 500] [--workers 1] [--pool-timeout 5]
                              [--pool-size 5 --max-overflow 10] [--tls]
    python -m bench ceiling   [--quick]
    python -m bench all       [--quick]

Each run starts a throwaway embedded PostgreSQL (or uses BENCH_DATABASE_URL, or with --tls a TLS-only
one of its own), migrates and seeds it, starts the fake LLM provider and the service
(`jarlpm serve --workers N`, each worker with a pool of DB_POOL_SIZE + DB_MAX_OVERFLOW and
DB_POOL_TIMEOUT=--pool-timeout) as processes of their own, drives load with wrk (and a Python client,
a third process, that holds the AI streams open), prints a table and writes JSON to bench/results/.

`streams`, per level of S chats opened at once: how many opened, were refused (503, by `code`), failed
or ended `done`; what the service adds to the first token (its first chunk event against the fake's
own first byte, with nothing else running); the service's CPU seconds per 1,000 relayed tokens (CPU of
the service's process tree from /proc over a stretch with only the streams running, divided by the
chunks the fake sent meanwhile; the tokens the client received in the same stretch are shown beside
it, and fall short when the service lags behind); the CRUD routes under wrk while the streams are open,
against the same routes idle; and the peak of server connections (pg_stat_activity rows named
`jarlpm`), per worker. The fake's replies last long enough for the streams to outlive the CRUD probe;
a level where they did not says so.

Over TLS: the embedded PostgreSQL is built without OpenSSL, so TLS needs a system PostgreSQL
(Debian: `apt-get install postgresql`). `--tls` starts a throwaway TLS-only one (bench/tls_postgres.py:
initdb, a self-signed certificate from `openssl req`, ssl=on, pg_hba accepting TCP only over TLS with
a SCRAM password) and stops it at the end. To keep one running across runs instead:

    python -m bench.tls_postgres start --dir /tmp/jarlpm-tls-pg
    export BENCH_DATABASE_URL="$(cat /tmp/jarlpm-tls-pg/bench_url)"     # postgresql://...?sslmode=require
    python -m bench streams ...
    python -m bench.tls_postgres stop --dir /tmp/jarlpm-tls-pg

The service and the bench map `sslmode` to asyncpg's `ssl` (jarlpm/db/urls.py); each level reports how
many of the service's connections pg_stat_ssl shows encrypted.

The service connects as the application role, under row-level security, as deployed (issue 2.12);
`crud` (and `all`) then serve RLS_ROUTES once more as the owner, whom the policies do not bind, and print
both: the cost of row-level security, from one run. (A BENCH_DATABASE_URL server that asks for passwords
needs BENCH_APP_DATABASE_URL, the application role's URL, too.)

Before / after: `BENCH_SERVICE_SRC=/tmp/before python -m bench streams ...` serves another checkout
(`git worktree add /tmp/before <commit>`) with everything else the same; run both back to back.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="jarlpm-xdg-"))

import asyncpg
import httpx
from cryptography.fernet import Fernet

from bench import cpu, seed, tls_postgres, wrk
from jarlpm.db import embedded, migrate, roles
from jarlpm.db.queries import queries
from jarlpm.db.urls import connect, connect_target

RESULTS = Path(__file__).parent / "results"
# The portfolio reads run before create_epic, so they measure the seeded data set, not the load test's epics.
# Row-level security's cost, measured on the routes that read the most rows per request (bench crud).
RLS_ROUTES = ("list_epics", "dashboard")
CRUD_ROUTES = ("list_epics", "get_epic", "dashboard", "list_initiatives", "create_epic", "list_features")
# --quick probes fewer routes while the streams are open, so the streams (and the run) stay short.
QUICK_PROBE_ROUTES = ("list_epics", "get_epic", "create_epic")
# Seconds a level may take from opening its streams until each has its first token (or was refused):
# the replies are made that much longer than the measurements that follow need.
RAMP_ALLOWANCE = {True: 2.0, False: 25.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Plan:
    quick: bool
    users: int
    connections: int
    seconds: float
    streams: list[int]
    reply_tokens: int
    tokens_per_second: float
    pool_size: int
    max_overflow: int
    pool_timeout: float
    workers: int
    relay_seconds: float
    probe_routes: tuple[str, ...]
    tls: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        quick = args.quick
        seconds = args.seconds or (2 if quick else 10)
        relay_seconds = args.relay_seconds or (2 if quick else 5)
        probe_routes = QUICK_PROBE_ROUTES if quick else CRUD_ROUTES
        # Each stream must outlive its level's measurements: the ramp, the relay stretch and the probe.
        reply_seconds = RAMP_ALLOWANCE[quick] + relay_seconds + seconds * len(probe_routes)
        return cls(
            quick=quick,
            users=args.users or (50 if quick else 200),
            connections=args.connections,
            seconds=seconds,
            streams=args.streams or ([15, 50] if quick else [15, 50, 200, 500]),
            reply_tokens=args.reply_tokens or math.ceil(reply_seconds * args.tokens_per_second),
            tokens_per_second=args.tokens_per_second,
            pool_size=args.pool_size,
            max_overflow=args.max_overflow,
            pool_timeout=args.pool_timeout,
            workers=args.workers,
            relay_seconds=relay_seconds,
            probe_routes=probe_routes,
            tls=args.tls,
        )


@dataclass
class Bench:
    plan: Plan
    database_url: str
    encryption_key: str
    fake_url: str = ""
    control_url: str = ""
    service_url: str = ""
    service_pid: int = 0
    report: dict = field(default_factory=dict)

    def tokens(self) -> list[str]:
        return [seed.token(n) for n in range(1, self.plan.users + 1)]

    def epics(self) -> list[str]:
        return [seed.user_epic(n, epic_number=2) for n in range(1, self.plan.users + 1)]


# --- processes ---------------------------------------------------------------------------------------------


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {timeout} s")


@contextmanager
def process(command: list[str], *, env: dict | None = None, log: Path | None = None):
    output = open(log, "w") if log else None
    stdout = output or subprocess.DEVNULL
    child = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=stdout, stderr=subprocess.STDOUT)
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
        if output:
            output.close()


PEAK_SQL = """
SELECT count(*) AS total, count(*) FILTER (WHERE s.ssl) AS tls
  FROM pg_stat_activity AS a
  LEFT JOIN pg_stat_ssl AS s ON s.pid = a.pid
 WHERE a.application_name = 'jarlpm'
"""


@asynccontextmanager
async def peak_connections(database_url: str):
    """Samples the service's server connections (application_name jarlpm) every 100 ms; yields a dict
    with the peak and how many of the connections at that peak were encrypted."""
    conn = await connect(database_url)
    seen = {"peak": 0, "tls_at_peak": 0}

    async def sample() -> None:
        while True:
            row = await conn.fetchrow(PEAK_SQL)
            if row["total"] > seen["peak"]:
                seen.update(peak=row["total"], tls_at_peak=row["tls"])
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    try:
        yield seen
    finally:
        sampler.cancel()
        await asyncio.wait([sampler])
        await conn.close()


def service_database(bench: Bench, row_level_security: bool) -> dict[str, str]:
    """As deployed (issue 2.12): the application role, under row-level security, and the owner for
    migrations and grants. Without: the owner (a superuser), whom the policies do not apply to."""
    if not row_level_security:
        return {"DATABASE_URL": bench.database_url}
    app_url = os.environ.get("BENCH_APP_DATABASE_URL") or roles.app_url(bench.database_url)
    return {"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": bench.database_url}


@contextmanager
def service(bench: Bench, logs: Path, row_level_security: bool = True):
    port = free_port()
    env = {
        **service_database(bench, row_level_security),
        "JARLPM_ENV": "development",
        "JARLPM_ENCRYPTION_KEY": bench.encryption_key,
        "DB_POOL_SIZE": str(bench.plan.pool_size),
        "DB_MAX_OVERFLOW": str(bench.plan.max_overflow),
        "DB_POOL_TIMEOUT": f"{bench.plan.pool_timeout:g}",
        "RATE_LIMITS_ENABLED": "false",  # the load comes from a few users at machine speed
        "LLM_OPENAI_BASE_URL": f"{bench.fake_url}/v1",
    }
    if source := os.environ.get("BENCH_SERVICE_SRC"):
        # Another checkout's service (e.g. `git worktree add /tmp/before <commit>`) against the same data,
        # fake and clients: a before/after comparison in one run of this bench.
        env["PYTHONPATH"] = source
    command = [sys.executable, "-m", "jarlpm", "serve", "--port", str(port), "--workers", str(bench.plan.workers)]
    with process(command, env=env, log=logs / "service.log") as child:
        bench.service_url = f"http://127.0.0.1:{port}"
        bench.service_pid = child.pid
        wait_until_answering(f"{bench.service_url}/api/health", child)
        yield child


# --- scenarios ---------------------------------------------------------------------------------------------


def load(bench: Bench, route: str, url: str | None = None, path: str | None = None) -> wrk.LoadResult:
    return wrk.run(
        url or bench.service_url,
        route,
        tokens=bench.tokens(),
        epics=bench.epics(),
        connections=bench.plan.connections,
        seconds=bench.plan.seconds,
        path=path,
    )


async def rls_cost(bench: Bench, logs: Path) -> None:
    """The routes RLS_ROUTES with the service under row-level security and without, one after the other,
    on the same data, fake and load."""
    runs = {}
    for label, enforced in (("with_rls", True), ("without_rls", False)):
        with service(bench, logs, row_level_security=enforced):
            runs[label] = {route: (await asyncio.to_thread(load, bench, route)).as_dict() for route in RLS_ROUTES}
    bench.report["rls"] = runs


async def crud(bench: Bench, routes: tuple[str, ...] = CRUD_ROUTES) -> dict[str, wrk.LoadResult]:
    results = {}
    async with peak_connections(bench.database_url) as connections:
        for route in routes:
            results[route] = await asyncio.to_thread(load, bench, route)
    bench.report["crud"] = {
        "routes": {route: result.as_dict() for route, result in results.items()},
        "peak_server_connections": connections["peak"],
        "server_rss_mb": round(cpu.rss_mb(bench.service_pid), 1),
    }
    return results


async def expect(client: asyncio.subprocess.Process, word: str) -> dict:
    """The JSON of the stream client's next line starting with `word`."""
    assert client.stdout is not None
    while line := (await client.stdout.readline()).decode():
        if line.startswith(word + " "):
            return json.loads(line.split(" ", 1)[1])
    raise SystemExit(f"the stream client exited (code {await client.wait()}) before printing {word}")


async def fake_stats(bench: Bench) -> dict:
    async with httpx.AsyncClient() as http:
        return (await http.get(f"{bench.control_url}/stats")).json()


async def relay_mark(bench: Bench, client: asyncio.subprocess.Process) -> dict:
    """The service's CPU seconds, the fake's chunks sent and the client's tokens received, read together."""
    assert client.stdin is not None
    client.stdin.write(b"MARK\n")
    await client.stdin.drain()
    # Read at once rather than one after the other: the three counters move thousands of times a second.
    received, stats, cpu_seconds = await asyncio.gather(
        expect(client, "MARK"), fake_stats(bench), asyncio.to_thread(cpu.cpu_seconds, bench.service_pid)
    )
    return {"cpu": cpu_seconds, "sent": stats["chunks_sent"], **received}


async def relay_cost(bench: Bench, client: asyncio.subprocess.Process) -> dict:
    """CPU per relayed token over a stretch with only the streams running (no wrk load alongside)."""
    first = await relay_mark(bench, client)
    await asyncio.sleep(bench.plan.relay_seconds)
    last = await relay_mark(bench, client)
    seconds = last["at"] - first["at"]
    cpu_seconds = last["cpu"] - first["cpu"]
    sent = last["sent"] - first["sent"]
    received = last["tokens_received"] - first["tokens_received"]
    per_sent = cpu.per_thousand_tokens(cpu_seconds, sent)
    per_received = cpu.per_thousand_tokens(cpu_seconds, received)
    return {
        "seconds": round(seconds, 2),
        "service_cpu_seconds": round(cpu_seconds, 3),
        "service_cores_busy": round(cpu_seconds / seconds, 2) if seconds else None,
        "tokens_sent_by_fake": sent,
        "tokens_received_by_client": received,
        "cpu_s_per_1k_tokens": round(per_sent, 4) if per_sent is not None else None,
        "cpu_s_per_1k_received_tokens": round(per_received, 4) if per_received is not None else None,
        # CPU seconds per unit of work grow when other processes share the cores: compare runs made under
        # the same load only.
        "load_average_1min": os.getloadavg()[0],
    }


def stream_client(bench: Bench, count: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.streams",
        "--url",
        bench.service_url,
        "--fake-url",
        bench.fake_url,
        "--control-url",
        bench.control_url,
        "--users",
        str(bench.plan.users),
        "--streams",
        str(count),
    ]


def ratios(during: dict[str, wrk.LoadResult], baseline: dict[str, wrk.LoadResult], key: str) -> dict[str, float]:
    return {
        route: round(getattr(result, key) / getattr(baseline[route], key), 2) if getattr(baseline[route], key) else 0
        for route, result in during.items()
    }


async def streams(bench: Bench, count: int, baseline: dict[str, wrk.LoadResult]) -> None:
    before_rss = cpu.rss_mb(bench.service_pid)
    client = await asyncio.create_subprocess_exec(
        *stream_client(bench, count), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    async with peak_connections(bench.database_url) as connections:
        started = await expect(client, "STARTED")
        open_rss = cpu.rss_mb(bench.service_pid)
        relay = await relay_cost(bench, client)
        during = {route: await asyncio.to_thread(load, bench, route) for route in bench.plan.probe_routes}
        open_after_probe = (await fake_stats(bench))["open_streams"]
        finished = await expect(client, "FINISHED")
    assert client.stdin is not None
    client.stdin.close()
    await client.wait()
    workers = bench.plan.workers
    bench.report.setdefault("streams", {})[str(count)] = {
        "streams": started,
        "opened": finished["opened_200"],
        "refused": finished["refused"],
        "failed": finished["failed"],
        "done": finished["done"],
        "stream_endings": finished["ended"],
        "ttft_added_ms": round(started["idle_ttft_p50_ms"] - started["fake_ttft_p50_ms"], 2),
        "relay": relay,
        "crud_during": {route: result.as_dict() for route, result in during.items()},
        "crud_p50_ratio_to_baseline": ratios(during, baseline, "p50_ms"),
        "crud_p99_ratio_to_baseline": ratios(during, baseline, "p99_ms"),
        "failed_requests": sum(result.failed for result in during.values()),
        "pool_timeouts": sum(result.statuses.get("503", 0) for result in during.values()),
        # The fake's streams still open when the probe ended: fewer than opened means some CRUD routes
        # were measured after streams had ended (the replies were too short for this level's ramp).
        "streams_open_after_probe": open_after_probe,
        "peak_server_connections": connections["peak"],
        "peak_server_connections_per_worker": round(connections["peak"] / workers, 1),
        "tls_connections_at_peak": connections["tls_at_peak"],
        "server_rss_mb": round(open_rss, 1),
        "rss_per_open_stream_kb": round((open_rss - before_rss) * 1024 / max(count, 1), 1),
    }


async def plain_asyncpg_reads(bench: Bench) -> dict:
    """The list-epics read as plain pooled asyncpg queries, no HTTP, at the same concurrency."""
    target = connect_target(bench.database_url)
    pool = await asyncpg.create_pool(
        target.dsn,
        ssl=target.ssl,
        min_size=bench.plan.pool_size,
        max_size=bench.plan.pool_size + bench.plan.max_overflow,
    )
    latencies: list[float] = []
    deadline = time.monotonic() + bench.plan.seconds

    async def worker(index: int) -> None:
        user = f"user_b{index % bench.plan.users + 1:06d}"
        while time.monotonic() < deadline:
            started = time.perf_counter()
            async with pool.acquire() as conn:
                [row async for row in queries.epics.list_epics(conn, user_id=user)]
            latencies.append(time.perf_counter() - started)

    started = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(bench.plan.connections)))
    elapsed = time.monotonic() - started
    await pool.close()
    ordered = sorted(latencies)
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 2),
    }


async def ceiling(bench: Bench, logs: Path, crud_results: dict[str, wrk.LoadResult]) -> None:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "bench.ceiling_app",
        "--port",
        str(port),
        "--database-url",
        bench.database_url,
        "--pool-size",
        str(bench.plan.pool_size),
        "--max-overflow",
        str(bench.plan.max_overflow),
    ]
    with process(command, log=logs / "ceiling.log") as child:
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(f"{url}/bare", child)
        bare = await asyncio.to_thread(load, bench, "bare", url, "/bare")
        one_query = await asyncio.to_thread(load, bench, "one_query", url, "/one-query")
    asyncpg_reads = await plain_asyncpg_reads(bench)
    list_epics = crud_results["list_epics"]
    bench.report["ceiling"] = {
        "bare_quart": bare.as_dict(),
        "quart_one_query": one_query.as_dict(),
        "plain_asyncpg_list_epics": asyncpg_reads,
        "list_epics_share_of_one_query_ceiling": round(list_epics.rps / one_query.rps, 2),
        "list_epics_share_of_asyncpg": round(list_epics.rps / asyncpg_reads["rps"], 2),
    }


# --- reporting ---------------------------------------------------------------------------------------------


def print_table(report: dict) -> None:
    def row(name: str, result: dict) -> str:
        statuses = ", ".join(f"{status}:{n}" for status, n in sorted(result["statuses"].items()))
        return (
            f"  {name:<22}{result['rps']:>9.1f}{result['p50_ms']:>9.2f}{result['p95_ms']:>9.2f}"
            f"{result['p99_ms']:>9.2f}   {statuses}"
        )

    header = f"  {'route':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}   statuses"
    if "crud" in report:
        crud_report = report["crud"]
        print(
            f"\ncrud ({report['settings']['connections']} connections, no streams)  "
            f"peak server connections {crud_report['peak_server_connections']}, RSS {crud_report['server_rss_mb']} MB"
        )
        print(header)
        for route, result in crud_report["routes"].items():
            print(row(route, result))
    for count, result in report.get("streams", {}).items():
        print_level(count, result, header, row)
    if "rls" in report:
        print("\nrow-level security (the service as the application role, then as the owner, whom it does not bind)")
        print(header)
        for label, results in report["rls"].items():
            for route, result in results.items():
                print(row(f"{route} {label.replace('_', ' ')}", result))
    if "ceiling" in report:
        ceiling_report = report["ceiling"]
        print("\nceiling")
        print(header)
        print(row("bare Quart", ceiling_report["bare_quart"]))
        print(row("Quart + one query", ceiling_report["quart_one_query"]))
        reads = ceiling_report["plain_asyncpg_list_epics"]
        print(f"  {'plain asyncpg reads':<22}{reads['rps']:>9.1f}{reads['p50_ms']:>9.2f}{'':>9}{reads['p99_ms']:>9.2f}")
        print(
            f"  GET /api/epics = {ceiling_report['list_epics_share_of_one_query_ceiling']:.0%} "
            "of the Quart + one-query "
            f"ceiling, {ceiling_report['list_epics_share_of_asyncpg']:.0%} of plain asyncpg"
        )
        if report["settings"]["workers"] > 1:
            print("  (the ceiling app runs in one process: compare it with a --workers 1 run)")


def print_level(count: str, result: dict, header: str, row: Callable[[str, dict], str]) -> None:
    opened, relay = result["streams"], result["relay"]
    refused = ", ".join(f"{code}:{n}" for code, n in result["refused"].items()) or "none"
    print(
        f"\nstreams S={count}: opened {result['opened']}, refused {sum(result['refused'].values())} ({refused}), "
        f"failed {result['failed']}, ended done {result['done']}; endings {result['stream_endings']}"
    )
    print(
        f"  first token: fake alone {opened['fake_ttft_p50_ms']:.2f} ms, through idle JarlPM "
        f"{opened['idle_ttft_p50_ms']:.2f} ms (adds {result['ttft_added_ms']} ms at p50), p50/p95 of {count} "
        f"opened at once {opened['ttft_p50_ms']:.0f}/{opened['ttft_p95_ms']:.0f} ms"
    )
    print(
        f"  relay over {relay['seconds']} s with streams only: {relay['service_cpu_seconds']} CPU s "
        f"({relay['service_cores_busy']} cores), {relay['tokens_sent_by_fake']} tokens sent by the fake, "
        f"{relay['tokens_received_by_client']} received by the client: "
        f"{relay['cpu_s_per_1k_tokens']} CPU s per 1,000 relayed tokens (load average {relay['load_average_1min']:.1f})"
    )
    print(
        f"  server connections at peak {result['peak_server_connections']} "
        f"({result['peak_server_connections_per_worker']} per worker, {result['tls_connections_at_peak']} over TLS); "
        f"RSS {result['server_rss_mb']} MB, {result['rss_per_open_stream_kb']} KB per open stream"
    )
    if result["streams_open_after_probe"] < result["opened"]:
        print(
            f"  NOTE: only {result['streams_open_after_probe']} of {result['opened']} streams were still open when the "
            "CRUD probe ended: raise --reply-tokens for this level"
        )
    print(f"  CRUD during the streams: failed {result['failed_requests']}, 503 {result['pool_timeouts']}")
    print(header)
    for route, route_result in result["crud_during"].items():
        print(
            row(route, route_result) + f"   p50 x{result['crud_p50_ratio_to_baseline'][route]}, "
            f"p99 x{result['crud_p99_ratio_to_baseline'][route]} of idle"
        )


def write(report: dict, scenario: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{scenario}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    return path


# --- main --------------------------------------------------------------------------------------------------


@contextmanager
def server_url(tls: bool):
    """BENCH_DATABASE_URL (kept: its schema is reset), a TLS-only server of our own, or the embedded one."""
    existing = os.environ.get("BENCH_DATABASE_URL")
    if existing:
        yield existing, True
        return
    if tls:
        directory = Path(tempfile.mkdtemp(prefix="jarlpm-bench-tls-"))
        try:
            yield tls_postgres.start(directory), False
        finally:
            tls_postgres.stop(directory)
            shutil.rmtree(directory, ignore_errors=True)
        return
    try:
        yield embedded.start(Path(tempfile.mkdtemp(prefix="jarlpm-bench-"))), False
    finally:
        embedded.stop_all()


@asynccontextmanager
async def database(users: int, encryption_key: str, tls: bool):
    with server_url(tls) as (url, existing):
        if existing:
            await asyncio.to_thread(migrate.reset_schema, url)
        else:
            await asyncio.to_thread(migrate.upgrade, url)
        started = time.monotonic()
        await seed.seed(url, users=users, encryption_key=encryption_key)
        print(f"seeded {users} users x {seed.EPICS_PER_USER} epics in {time.monotonic() - started:.1f} s", flush=True)
        yield url


def settings_report(plan: Plan, url: str) -> dict:
    target = connect_target(url)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "quick": plan.quick,
        "users": plan.users,
        "connections": plan.connections,
        "seconds_per_route": plan.seconds,
        "workers": plan.workers,
        "pool": f"DB_POOL_SIZE={plan.pool_size}, DB_MAX_OVERFLOW={plan.max_overflow} per worker, "
        f"DB_POOL_TIMEOUT={plan.pool_timeout:g}",
        "database": f"{'TCP' if urlsplit(url).hostname else 'Unix socket'}, sslmode={target.ssl or 'disable'}",
        "fake_llm": f"{plan.reply_tokens} tokens at {plan.tokens_per_second}/s",
        "relay_seconds": plan.relay_seconds,
        "probe_routes_during_streams": list(plan.probe_routes),
        "load_generator": "wrk (4.1, 2 threads) for HTTP; a Python httpx client (its own process) holds the streams",
    }


def fake_command(plan: Plan, port: int, control_port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.fake_llm",
        "--port",
        str(port),
        "--control-port",
        str(control_port),
        "--tokens-per-second",
        str(plan.tokens_per_second),
        "--reply-tokens",
        str(plan.reply_tokens),
    ]


async def run(scenario: str, plan: Plan) -> None:
    key = Fernet.generate_key().decode()
    logs = Path(tempfile.mkdtemp(prefix="jarlpm-bench-logs-"))
    async with database(plan.users, key, plan.tls) as url:
        bench = Bench(plan=plan, database_url=url, encryption_key=key)
        # The application role the service connects as, made and granted as the embedded default does.
        await roles.provision(url, os.environ.get("BENCH_APP_DATABASE_URL") or roles.app_url(url))
        bench.report["settings"] = settings_report(plan, url)
        fake_port, control_port = free_port(), free_port()
        with process(fake_command(plan, fake_port, control_port), log=logs / "fake.log") as fake:
            bench.fake_url = f"http://127.0.0.1:{fake_port}"
            bench.control_url = f"http://127.0.0.1:{control_port}"
            wait_until_answering(f"{bench.fake_url}/v1/models", fake)
            wait_until_answering(f"{bench.control_url}/stats", fake)
            if scenario in ("crud", "all"):  # first, on a quiet machine: no stream of a later level lingers
                await rls_cost(bench, logs)
            with service(bench, logs):
                # `streams` alone needs only the routes it probes while the streams are open, idle.
                baseline = await crud(bench, plan.probe_routes if scenario == "streams" else CRUD_ROUTES)
                if scenario in ("streams", "all"):
                    for count in plan.streams:
                        await streams(bench, count, baseline)
                if scenario in ("ceiling", "all"):
                    await ceiling(bench, logs, baseline)
    print_table(bench.report)
    print(f"\nJSON: {write(bench.report, scenario)}   logs: {logs}")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenario", choices=["crud", "streams", "ceiling", "all"])
    parser.add_argument("--quick", action="store_true", help="small data, short runs: streams in under a minute")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (concurrent clients)")
    parser.add_argument("--seconds", type=float, default=None, help="wrk duration per route")
    parser.add_argument("--streams", type=int, nargs="+", default=None, help="concurrent AI streams to hold open")
    parser.add_argument("--reply-tokens", type=int, default=None, help="default: long enough to outlive the probe")
    parser.add_argument("--tokens-per-second", type=float, default=10.0)
    parser.add_argument("--relay-seconds", type=float, default=None, help="stretch the relay CPU is measured over")
    parser.add_argument("--workers", type=int, default=1, help="jarlpm serve --workers N")
    parser.add_argument("--pool-size", type=int, default=5, help="DB_POOL_SIZE, per worker")
    parser.add_argument("--max-overflow", type=int, default=10, help="DB_MAX_OVERFLOW, per worker")
    parser.add_argument("--pool-timeout", type=float, default=5.0, help="DB_POOL_TIMEOUT, seconds")
    parser.add_argument("--tls", action="store_true", help="a TLS-only PostgreSQL of its own (bench/tls_postgres.py)")
    args = parser.parse_args()
    asyncio.run(run(args.scenario, Plan.from_args(args)))


if __name__ == "__main__":
    main()
