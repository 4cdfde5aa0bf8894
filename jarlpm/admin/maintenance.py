"""Audit-log retention (the push runs of every user) and the maintenance run that combines it with
the backup retention and the record limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asyncpg import Connection

from jarlpm.admin import backups, repo

AUDIT_RETENTION_DAYS = 90
MAX_AUDIT_RECORDS = 100_000


async def audit_stats(conn: Connection) -> dict[str, Any]:
    stats = await repo.push_run_stats(conn)
    return {**stats, "retention_days": AUDIT_RETENTION_DAYS, "max_records": MAX_AUDIT_RECORDS}


async def audit_cleanup(conn: Connection, retention_days: int) -> dict[str, Any]:
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    deleted = await repo.delete_push_runs_before(conn, cutoff=cutoff)
    return {"retention_days": retention_days, "cutoff_date": cutoff, "deleted_count": deleted}


async def record_limit(conn: Connection, max_records: int = MAX_AUDIT_RECORDS) -> dict[str, Any]:
    return {"max_records": max_records, "deleted_count": await repo.trim_push_runs(conn, max_records=max_records)}


async def run_maintenance(conn: Connection, backup_dir: Path) -> dict[str, Any]:
    """Backup retention (default days), audit retention (default days), then the record limit."""
    return {
        "timestamp": datetime.now(UTC),
        "backup_cleanup": backups.cleanup_backups(backup_dir, backups.DEFAULT_RETENTION_DAYS),
        "audit_cleanup": await audit_cleanup(conn, AUDIT_RETENTION_DAYS),
        "record_limit": await record_limit(conn),
    }
