"""`GET /api/admin/health/detailed`: the database, the pool, the migrations, the backups and the disk."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jarlpm.admin import backups, repo
from jarlpm.db import Database, migrate
from jarlpm.db.scope import CrossUser

# A backup older than this (or none at all) makes the check a warning, not a failure.
BACKUP_STALE_HOURS = 48.0
DISK_LOW_PERCENT = 10.0


async def database_checks(database: Database) -> dict[str, Any]:
    """database, migrations and audit_logs, on one short connection."""
    started = time.perf_counter()
    try:
        async with database.connection(CrossUser.ADMIN) as conn:  # counts every user's push runs
            await conn.fetchval("SELECT 1")
            latency_ms = round((time.perf_counter() - started) * 1000, 2)
            current = await migrate.current_revision(conn)
            audit = await repo.push_run_stats(conn)
    except Exception as error:  # a health page reports a broken database, it does not fail with it
        return {
            "database": {"status": "unhealthy", "error": type(error).__name__},
            "migrations": {"status": "unknown", "current": None, "head": migrate.head_revision()},
        }
    head = migrate.head_revision()
    return {
        "database": {"status": "healthy", "latency_ms": latency_ms},
        "migrations": {"status": "healthy" if current == head else "unhealthy", "current": current, "head": head},
        "audit_logs": {"status": "healthy", "total_records": audit["total_records"]},
    }


def pool_check(database: Database) -> dict[str, Any]:
    pool = database.pool
    size = pool.get_size()
    return {
        "status": "healthy",
        "size": size,
        "in_use": size - pool.get_idle_size(),
        "idle": pool.get_idle_size(),
        "max_size": pool.get_max_size(),
    }


def backups_check(directory: Path, now: datetime) -> dict[str, Any]:
    found = backups.list_backups(directory)
    if not found:
        return {"status": "warning", "backup_count": 0, "latest_backup": None, "latest_age_hours": None}
    latest = found[0]["created_at"]
    age_hours = round((now - latest).total_seconds() / 3600, 2)
    return {
        "status": "healthy" if age_hours <= BACKUP_STALE_HOURS else "warning",
        "backup_count": len(found),
        "latest_backup": latest,
        "latest_age_hours": age_hours,
    }


def disk_check(directory: Path) -> dict[str, Any]:
    """Free space where the backups go (the nearest existing parent before the first backup)."""
    probe = directory
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    usage = shutil.disk_usage(probe)
    free_percent = round(usage.free / usage.total * 100, 1) if usage.total else 0.0
    return {
        "status": "healthy" if free_percent >= DISK_LOW_PERCENT else "warning",
        "path": str(directory),
        "free_mb": round(usage.free / (1024 * 1024), 1),
        "total_mb": round(usage.total / (1024 * 1024), 1),
        "free_percent": free_percent,
    }


def overall(checks: dict[str, dict[str, Any]]) -> str:
    statuses = {check["status"] for check in checks.values()}
    if "unhealthy" in statuses or "unknown" in statuses:
        return "unhealthy"
    return "degraded" if "warning" in statuses else "healthy"


async def detailed(database: Database, backup_dir: Path) -> dict[str, Any]:
    now = datetime.now(UTC)
    checks = await database_checks(database)
    checks["pool"] = pool_check(database)
    checks["backups"] = backups_check(backup_dir, now)
    checks["disk"] = disk_check(backup_dir)
    return {"timestamp": now, "status": overall(checks), "checks": checks}
