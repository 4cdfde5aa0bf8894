"""`jarlpm serve` as a user runs it: a real process, a real port, SIGTERM, nothing left behind."""

from __future__ import annotations

import contextlib
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
    ours = ("DATABASE_URL", "JARLPM_", "DB_", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR")
    env = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
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


@pytest.mark.parametrize(
    ("name", "value"), [("DB_POOL_SIZE", "abc"), ("JARLPM_ENV", "staging"), ("WEB_CONCURRENCY", "0")]
)
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


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_says_when_its_port_is_taken(tmp_path, workers) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "jarlpm", "serve", "--port", str(port), "--workers", workers],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert result.returncode == 4
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "in use" in result.stderr and "database" not in result.stderr
    assert _postgres_processes_for(pgdata_dir(tmp_path / "data")) == []


ADMIN_TOKEN = "workers-test-admin-token-0123456789abcdef"


def _descendants_of(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):
            # The command name in parentheses may hold spaces: the parent pid is the second field after it.
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _owner_of_server_side(connection: socket.socket, pids: set[int]) -> int | None:
    """Which process holds the accepted end of this client connection (/proc/net/tcp, then each fd)."""
    client_port = connection.getsockname()[1]
    server_port = connection.getpeername()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, remote_port = (int(address.split(":")[1], 16) for address in fields[1:3])
        if local_port == server_port and remote_port == client_port:
            inode = fields[9]
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
        except OSError:
            continue
    return None


def _cmdline(pid: int | None) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "(gone)"


def _gone_soon(pids: set[int | None], seconds: float = 3.0) -> bool:
    """Orphans are reaped by init a moment after their parent exits."""
    deadline = time.monotonic() + seconds
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _health_on_a_new_connection(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert connection.recv(4096).startswith(b"HTTP/1.1 200")
    return connection


def _requests_counted(base: str, route: str) -> float:
    page = httpx.get(f"{base}/api/admin/metrics/prometheus", headers={"X-Admin-Token": ADMIN_TOKEN}, timeout=10)
    assert page.status_code == 200
    prefix = f'jarlpm_http_requests_total{{method="GET",route="{route}",status="200"}} '
    return sum(float(line.removeprefix(prefix)) for line in page.text.splitlines() if line.startswith(prefix))


def test_serve_with_two_workers_shares_the_embedded_database_and_stops_it_once(tmp_path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jarlpm", "serve", "--port", str(port), "--workers", "2"],
        env=_env(tmp_path, ADMIN_TOKEN=ADMIN_TOKEN),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    pgdata = pgdata_dir(tmp_path / "data")
    connections: list[socket.socket] = []
    try:
        _wait_for_health(base, process)
        children = _descendants_of(process.pid)
        owners: set[int | None] = set()
        # Whichever worker wakes first accepts: keep opening connections until both have answered.
        while len(owners) < 2 and len(connections) < 100:
            connections.append(_health_on_a_new_connection(port))
            owners.add(_owner_of_server_side(connections[-1], children))
        assert len(owners) == 2 and None not in owners, owners
        # One scrape merges both workers' counters: /api/health once while waiting, then one per connection.
        assert _requests_counted(base, "/api/health") == 1 + len(connections)
        assert (pgdata / "postmaster.pid").exists()
    finally:
        for connection in connections:
            connection.close()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert time.monotonic() - started < 30
    assert _gone_soon(owners | children), [_cmdline(pid) for pid in owners | children]
    assert not (pgdata / "postmaster.pid").exists() and _postgres_processes_for(pgdata) == []
    assert output.count("embedded PostgreSQL running") == 1 and output.count("migrated to head") == 1
    # The server stops once, after the last worker has gone.
    assert output.count("embedded PostgreSQL stopped") == 1
    assert output.rindex("exited (code 0)") < output.index("embedded PostgreSQL stopped")
