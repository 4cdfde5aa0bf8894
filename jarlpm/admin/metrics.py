"""Process metrics in prometheus_client's registry: HTTP requests, the pool, open streams, LLM calls.

Imports nothing from jarlpm, so the low layers (pool, access log, replies, usage) can feed it without
import cycles.

Several worker processes: prometheus_client picks its value storage when it is first imported. With
PROMETHEUS_MULTIPROC_DIR set (a directory shared by the workers, empty when they start), every worker
writes its values to files there and a scrape in any worker merges all of them (MultiProcessCollector);
gauges declare how they merge (`livesum`: the sum over live workers). Without it the plain in-process
registry is served.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "jarlpm_"
UNMATCHED_ROUTE = "<unmatched>"

REQUESTS = Counter(
    "jarlpm_http_requests", "HTTP requests answered, by route rule, method and status", ["route", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "jarlpm_http_request_duration_seconds",
    "Time to the response headers, by route rule and method (a stream's body runs on after it)",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
POOL_SIZE = Gauge("jarlpm_db_pool_size", "Open pooled connections", multiprocess_mode="livesum")
POOL_IN_USE = Gauge("jarlpm_db_pool_in_use", "Pooled connections checked out", multiprocess_mode="livesum")
POOL_WAITING = Gauge("jarlpm_db_pool_waiting", "Tasks waiting for a pooled connection", multiprocess_mode="livesum")
OPEN_STREAMS = Gauge("jarlpm_open_streams", "AI replies streaming or finishing", multiprocess_mode="livesum")
LLM_CALLS = Counter("jarlpm_llm_calls", "LLM provider calls, by provider and outcome", ["provider", "outcome"])
LLM_TOKENS = Counter(
    "jarlpm_llm_tokens",
    "LLM tokens as the provider reported them, by provider and direction",
    ["provider", "direction"],
)


class PoolLike(Protocol):
    def get_size(self) -> int: ...

    def get_idle_size(self) -> int: ...


def observe_request(method: str, rule: Any, status: int, seconds: float) -> None:
    """One answered request, labelled by its route RULE (never the raw path: ids would explode the series)."""
    route = getattr(rule, "rule", None) or UNMATCHED_ROUTE
    REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    REQUEST_SECONDS.labels(route=route, method=method).observe(seconds)


def observe_pool(pool: PoolLike) -> None:
    size = pool.get_size()
    POOL_SIZE.set(size)
    POOL_IN_USE.set(size - pool.get_idle_size())


@contextmanager
def waiting_for_connection() -> Iterator[None]:
    POOL_WAITING.inc()
    try:
        yield
    finally:
        POOL_WAITING.dec()


def stream_opened() -> None:
    OPEN_STREAMS.inc()


def stream_closed() -> None:
    OPEN_STREAMS.dec()


def llm_call(provider: str, outcome: str, input_tokens: int | None, output_tokens: int | None) -> None:
    LLM_CALLS.labels(provider=provider, outcome=outcome).inc()
    for direction, tokens in (("input", input_tokens), ("output", output_tokens)):
        if tokens:
            LLM_TOKENS.labels(provider=provider, direction=direction).inc(tokens)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def registry() -> CollectorRegistry:
    """What a scrape reads: every worker's files in multiprocess mode, this process's registry otherwise."""
    directory = multiprocess_dir()
    if directory is None:
        return REGISTRY
    merged = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(merged, path=directory)
    return merged


def exposition() -> tuple[bytes, str]:
    """The Prometheus text format and its content type."""
    return generate_latest(registry()), CONTENT_TYPE_LATEST


def snapshot() -> dict[str, Any]:
    """The same series as JSON, for the contract's `GET /api/admin/metrics`."""
    metrics: dict[str, list[dict[str, Any]]] = {}
    for family in registry().collect():
        if not family.name.startswith(PREFIX):
            continue
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            metrics.setdefault(sample.name, []).append({"labels": dict(sample.labels), "value": sample.value})
    return {"timestamp": datetime.now(UTC).isoformat(), "metrics": metrics}


def prepare_multiprocess_dir(directory: Path) -> None:
    """Before the workers start: an empty directory (a previous run's files would add to the totals)."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)


def worker_exited(pid: int) -> None:
    """After a worker exits: its live gauges stop counting (its counters stay in the totals)."""
    directory = multiprocess_dir()
    if directory is not None:
        prometheus_multiprocess.mark_process_dead(pid, directory)
