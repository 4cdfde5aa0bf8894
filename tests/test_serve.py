"""`jarlpm serve` as a user runs it: a real process, a real port, SIGTERM, nothing left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from jarlpm.db import migrate
from jarlpm.db.embedded import pgdata_dir

START_TIMEOUT_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "JARLPM_", "DB_"))}
    env.update({"JARLPM_DATA_DIR": str(tmp_path / "data"), **extra})
    return env


def _postgres_processes_for(pgdata: Path) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "postgres" in cmdline and str(pgdata) in cmdline:
            pids.append(int(entry.name))
    return pids


def _wait_for_health(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"jarlpm serve exited early: {process.communicate()}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("jarlpm serve did not answer /api/health in time")


def test_serve_on_the_embedded_default_migrates_answers_and_stops_cleanly(tmp_path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jarlpm", "serve", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(base, process)
        ready = httpx.get(f"{base}/api/ready", timeout=10)
        assert ready.status_code == 200
        assert ready.json()["revision"] == migrate.head_revision()
        assert _postgres_processes_for(pgdata_dir(tmp_path / "data"))
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "migrated to head" in output
    assert '"path": "/api/ready"' in output  # the JSON access log line
    assert _postgres_processes_for(pgdata_dir(tmp_path / "data")) == []


def test_serve_refuses_a_database_behind_head(tmp_path, empty_database_url) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jarlpm", "serve", "--port", str(_free_port())],
        env=_env(tmp_path, DATABASE_URL=empty_database_url, JARLPM_ENV="development"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert migrate.head_revision() in result.stderr
    assert "alembic upgrade head" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DB_POOL_SIZE", "abc"), ("JARLPM_ENV", "staging")])
def test_serve_stops_on_a_bad_setting_with_one_line(tmp_path, name, value) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jarlpm", "serve"],
        env=_env(tmp_path, **{name: value}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert name in result.stderr and repr(value) in result.stderr


def test_serve_says_when_the_database_is_unreachable(tmp_path) -> None:
    url = "postgresql://jarlpm:s3cret@127.0.0.1:1/jarlpm"
    result = subprocess.run(
        [sys.executable, "-m", "jarlpm", "serve", "--port", str(_free_port())],
        env=_env(tmp_path, DATABASE_URL=url, JARLPM_ENV="development"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert "not reachable" in result.stderr and "s3cret" not in result.stderr


def test_serve_says_when_its_port_is_taken(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "jarlpm", "serve", "--port", str(port)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert result.returncode == 4
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "in use" in result.stderr and "database" not in result.stderr
    assert _postgres_processes_for(pgdata_dir(tmp_path / "data")) == []
