"""JarlPM benchmarks: figures, not tests.

    python -m bench crud      [--quick] [--connections 32] [--seconds 10]
    python -m bench streams   [--quick] [--streams 15 50 200 500] [--pool-size 5 --max-overflow 10]
    python -m bench ceiling   [--quick]
    python -m bench all       [--quick]

Each run starts a throwaway embedded PostgreSQL (or uses BENCH_DATABASE_URL), migrates and seeds it,
starts the fake LLM provider and the service under Hypercorn as processes of their own, drives load
with wrk (and a Python client that holds the AI streams open), prints a table and writes JSON to
bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="jarlpm-xdg-"))

import asyncpg
import httpx
from cryptography.fernet import Fernet

from bench import seed, wrk
from jarlpm.db import embedded, migrate
from jarlpm.db.queries import queries
from jarlpm.db.urls import connect_target

RESULTS = Path(__file__).parent / "results"
# The portfolio reads run before create_epic, so they measure the seeded data set, not the load test's epics.
CRUD_ROUTES = ("list_epics", "get_epic", "dashboard", "list_initiatives", "create_epic", "list_features")


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

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        quick = args.quick
        return cls(
            quick=quick,
            users=args.users or (50 if quick else 200),
            connections=args.connections,
            seconds=args.seconds or (3 if quick else 10),
            streams=args.streams or ([15, 50] if quick else [15, 50, 200, 500]),
            reply_tokens=args.reply_tokens or (100 if quick else 300),
            tokens_per_second=args.tokens_per_second,
            pool_size=args.pool_size,
            max_overflow=args.max_overflow,
        )


@dataclass
class Bench:
    plan: Plan
    database_url: str
    encryption_key: str
    fake_url: str = ""
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
            raise SystemExit(f"{process.args} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {timeout} s")


@contextmanager
def process(command: list[str], *, env: dict | None = None, log: Path | None = None):  # type: ignore[no-untyped-def]
    output = open(log, "w") if log else subprocess.DEVNULL
    child = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
        if log:
            output.close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@asynccontextmanager
async def peak_connections(database_url: str):  # type: ignore[no-untyped-def]
    """Samples the service's server connections (application_name jarlpm) every 100 ms; yields a dict."""
    target = connect_target(database_url)
    conn = await asyncpg.connect(target.dsn, ssl=target.ssl)
    seen = {"peak": 0}

    async def sample() -> None:
        while True:
            count = await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'jarlpm'")
            seen["peak"] = max(seen["peak"], count)
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    try:
        yield seen
    finally:
        sampler.cancel()
        await asyncio.wait([sampler])
        await conn.close()


@contextmanager
def service(bench: Bench, logs: Path):  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        "DATABASE_URL": bench.database_url,
        "JARLPM_ENV": "development",
        "JARLPM_ENCRYPTION_KEY": bench.encryption_key,
        "DB_POOL_SIZE": str(bench.plan.pool_size),
        "DB_MAX_OVERFLOW": str(bench.plan.max_overflow),
        "RATE_LIMITS_ENABLED": "false",  # the load comes from a few users at machine speed
        "LLM_OPENAI_BASE_URL": f"{bench.fake_url}/v1",
    }
    command = [sys.executable, "-m", "jarlpm", "serve", "--port", str(port)]
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


async def crud(bench: Bench, label: str = "crud") -> dict[str, wrk.LoadResult]:
    results = {}
    async with peak_connections(bench.database_url) as connections:
        for route in CRUD_ROUTES:
            results[route] = await asyncio.to_thread(load, bench, route)
    bench.report[label] = {
        "routes": {route: result.as_dict() for route, result in results.items()},
        "peak_server_connections": connections["peak"],
        "server_rss_mb": round(rss_mb(bench.service_pid), 1),
    }
    return results


async def streams(bench: Bench, count: int, baseline: dict[str, wrk.LoadResult]) -> None:
    before_rss = rss_mb(bench.service_pid)
    command = [
        sys.executable,
        "-m",
        "bench.streams",
        "--url",
        bench.service_url,
        "--fake-url",
        bench.fake_url,
        "--users",
        str(bench.plan.users),
        "--streams",
        str(count),
    ]
    client = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    async with peak_connections(bench.database_url) as connections:
        started = json.loads((await client.stdout.readline()).decode().split(" ", 1)[1])  # type: ignore[union-attr]
        open_rss = rss_mb(bench.service_pid)
        during = {route: await asyncio.to_thread(load, bench, route) for route in CRUD_ROUTES}
        finished_line = (await client.stdout.readline()).decode()  # type: ignore[union-attr]
        await client.wait()
    finished = json.loads(finished_line.split(" ", 1)[1]) if finished_line.startswith("FINISHED") else {}
    pool_timeouts = sum(result.statuses.get("503", 0) for result in during.values())
    bench.report.setdefault("streams", {})[str(count)] = {
        "streams": started,
        "stream_endings": finished.get("ended", {}),
        "crud_during": {route: result.as_dict() for route, result in during.items()},
        "crud_p99_ratio_to_baseline": {
            route: round(during[route].p99_ms / baseline[route].p99_ms, 2) for route in CRUD_ROUTES
        },
        "failed_requests": sum(result.failed for result in during.values()),
        "pool_timeouts": pool_timeouts,
        "peak_server_connections": connections["peak"],
        "server_rss_mb": round(open_rss, 1),
        "rss_per_open_stream_kb": round((open_rss - before_rss) * 1024 / max(count, 1), 1),
        "ttft_added_ms": round(started["idle_ttft_p50_ms"] - started["fake_ttft_p50_ms"], 2),
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
        opened = result["streams"]
        print(
            f"\nstreams S={count}: open {opened['open']}/{count}, endings {result['stream_endings']}, "
            f"failed requests {result['failed_requests']}, pool timeouts {result['pool_timeouts']}, "
            f"peak server connections {result['peak_server_connections']}"
        )
        print(
            f"  first token: fake alone {opened['fake_ttft_p50_ms']:.2f} ms, through idle JarlPM "
            f"{opened['idle_ttft_p50_ms']:.2f} ms (adds {result['ttft_added_ms']} ms), p50 of {count} opened at once "
            f"{opened['ttft_p50_ms']:.0f} ms; RSS {result['server_rss_mb']} MB, "
            f"{result['rss_per_open_stream_kb']} KB per open stream"
        )
        print(header)
        for route, route_result in result["crud_during"].items():
            print(row(route, route_result) + f"   p99 x{result['crud_p99_ratio_to_baseline'][route]} of baseline")
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


def write(report: dict, scenario: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{scenario}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    return path


# --- main --------------------------------------------------------------------------------------------------


@asynccontextmanager
async def database(users: int, encryption_key: str):  # type: ignore[no-untyped-def]
    existing = os.environ.get("BENCH_DATABASE_URL")
    url = existing or embedded.start(Path(tempfile.mkdtemp(prefix="jarlpm-bench-")))
    try:
        if existing:
            await asyncio.to_thread(migrate.reset_schema, url)
        else:
            await asyncio.to_thread(migrate.upgrade, url)
        started = time.monotonic()
        await seed.seed(url, users=users, encryption_key=encryption_key)
        print(f"seeded {users} users x {seed.EPICS_PER_USER} epics in {time.monotonic() - started:.1f} s", flush=True)
        yield url
    finally:
        embedded.stop_all()


async def run(scenario: str, plan: Plan) -> None:
    key = Fernet.generate_key().decode()
    logs = Path(tempfile.mkdtemp(prefix="jarlpm-bench-logs-"))
    async with database(plan.users, key) as url:
        bench = Bench(plan=plan, database_url=url, encryption_key=key)
        bench.report["settings"] = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "quick": plan.quick,
            "users": plan.users,
            "connections": plan.connections,
            "seconds_per_route": plan.seconds,
            "pool": f"DB_POOL_SIZE={plan.pool_size}, DB_MAX_OVERFLOW={plan.max_overflow}",
            "fake_llm": f"{plan.reply_tokens} tokens at {plan.tokens_per_second}/s",
            "load_generator": "wrk (4.1, 2 threads) for HTTP; a Python httpx client holds the streams",
        }
        fake_port = free_port()
        fake_command = [
            sys.executable,
            "-m",
            "bench.fake_llm",
            "--port",
            str(fake_port),
            "--tokens-per-second",
            str(plan.tokens_per_second),
            "--reply-tokens",
            str(plan.reply_tokens),
        ]
        with process(fake_command, log=logs / "fake.log") as fake:
            bench.fake_url = f"http://127.0.0.1:{fake_port}"
            wait_until_answering(f"{bench.fake_url}/v1/models", fake)
            with service(bench, logs):
                baseline = await crud(bench)
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
    parser.add_argument("--quick", action="store_true", help="small data, short runs: the whole set in under 2 minutes")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (concurrent clients)")
    parser.add_argument("--seconds", type=float, default=None, help="wrk duration per route")
    parser.add_argument("--streams", type=int, nargs="+", default=None, help="concurrent AI streams to hold open")
    parser.add_argument("--reply-tokens", type=int, default=None)
    parser.add_argument("--tokens-per-second", type=float, default=10.0)
    parser.add_argument("--pool-size", type=int, default=5)
    parser.add_argument("--max-overflow", type=int, default=10)
    asyncio.run(run(parser.parse_args().scenario, Plan.from_args(parser.parse_args())))


if __name__ == "__main__":
    main()
