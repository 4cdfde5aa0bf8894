"""Several worker processes: with PROMETHEUS_MULTIPROC_DIR each writes its own files and a scrape in any
of them sums every worker's counters and live gauges (what `--workers N` relies on)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from jarlpm.admin import metrics

WORKER = """
import os, sys
from types import SimpleNamespace
from jarlpm.admin import metrics
for _ in range(int(sys.argv[1])):
    metrics.observe_request("GET", SimpleNamespace(rule="/api/epics/<epic_id>"), 200, 0.01)
metrics.llm_call("openai", "ok", 11, 7)
metrics.stream_opened()
print(os.getpid())
"""
SCRAPE = "from jarlpm.admin import metrics; print(metrics.exposition()[0].decode())"


def _run(code: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def _scrape(env: dict[str, str]) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(_run(SCRAPE, env))
        for sample in family.samples
    }


def test_a_scrape_sums_every_workers_series(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / "prometheus"
    metrics.prepare_multiprocess_dir(directory)
    env = {**os.environ, metrics.MULTIPROC_ENV: str(directory)}
    pids = [int(_run(WORKER, env, count)) for count in ("2", "3")]
    values = _scrape(env)
    route = ("method", "GET"), ("route", "/api/epics/<epic_id>"), ("status", "200")
    assert values[("jarlpm_http_requests_total", route)] == 5
    assert values[("jarlpm_llm_tokens_total", (("direction", "input"), ("provider", "openai")))] == 22
    assert values[("jarlpm_open_streams", ())] == 2

    # Once the server notes that its workers exited, their live gauges stop counting; counters stay.
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(directory))
    for pid in pids:
        metrics.worker_exited(pid)
    values = _scrape(env)
    assert values.get(("jarlpm_open_streams", ()), 0) == 0
    assert values[("jarlpm_http_requests_total", route)] == 5
