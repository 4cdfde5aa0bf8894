"""/api/admin: the operator's routes, each behind the admin guard (jarlpm/admin/guard.py)."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_response

from jarlpm import db
from jarlpm.admin import backups, health, maintenance, metrics
from jarlpm.admin.guard import admin_required
from jarlpm.admin.models import (
    AuditCleanupOut,
    AuditRetentionQuery,
    AuditStatsOut,
    BackupCleanupOut,
    BackupListOut,
    BackupRetentionQuery,
    CreatedBackupOut,
    HealthOut,
    MaintenanceOut,
    MetricsOut,
)
from jarlpm.db.scope import CrossUser
from jarlpm.http import current_settings
from jarlpm.http.openapi import downloads

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

PROMETHEUS_MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@blueprint.get("/backups")
@admin_required
@validate_response(BackupListOut)
async def list_backups() -> BackupListOut:
    """This service's database dumps in BACKUP_DIR, newest first, with totals."""
    found = backups.list_backups(current_settings().backups_path)
    return BackupListOut.model_validate({"backups": found, "stats": backups.backup_stats(found)})


@blueprint.post("/backups/create")
@admin_required
@validate_response(CreatedBackupOut)
async def create_backup() -> CreatedBackupOut:
    """Dump the database with pg_dump (custom format) into BACKUP_DIR; 503 with a clear code when it cannot."""
    settings = current_settings()
    async with db.connection() as conn:  # the server's version: nobody's rows
        major = await backups.server_major(conn)
    # No connection is held while pg_dump runs (it opens its own).
    owner = settings.owner_database_url  # pg_dump reads every user's rows
    assert owner is not None  # the app always serves a concrete URL
    created = await backups.create_backup(owner, settings.backups_path, settings.pg_bin_dir, major)
    return CreatedBackupOut.model_validate(created)


@blueprint.post("/backups/cleanup")
@admin_required
@validate_querystring(BackupRetentionQuery)
@validate_response(BackupCleanupOut)
async def cleanup_backups(query_args: BackupRetentionQuery) -> BackupCleanupOut:
    """Delete this service's dumps older than `retention_days` (default 30)."""
    result = backups.cleanup_backups(current_settings().backups_path, query_args.retention_days)
    return BackupCleanupOut.model_validate(result)


@blueprint.get("/audit-logs/stats")
@admin_required
@validate_response(AuditStatsOut)
async def audit_stats() -> AuditStatsOut:
    """How many push runs (the audit log) are kept, the oldest and newest, and the retention rules."""
    async with db.connection(CrossUser.ADMIN) as conn:
        stats = await maintenance.audit_stats(conn)
    return AuditStatsOut.model_validate(stats)


@blueprint.post("/audit-logs/cleanup")
@admin_required
@validate_querystring(AuditRetentionQuery)
@validate_response(AuditCleanupOut)
async def audit_cleanup(query_args: AuditRetentionQuery) -> AuditCleanupOut:
    """Delete every user's push runs older than `retention_days` (default 90)."""
    async with db.transaction(CrossUser.ADMIN) as conn:
        result = await maintenance.audit_cleanup(conn, query_args.retention_days)
    return AuditCleanupOut.model_validate(result)


@blueprint.post("/maintenance/run")
@admin_required
@validate_response(MaintenanceOut)
async def run_maintenance() -> MaintenanceOut:
    """Backup retention (30 days), audit-log retention (90 days) and the 100,000-record limit, in one call."""
    async with db.transaction(CrossUser.ADMIN) as conn:
        result = await maintenance.run_maintenance(conn, current_settings().backups_path)
    return MaintenanceOut.model_validate(result)


@blueprint.get("/health/detailed")
@admin_required
@validate_response(HealthOut)
async def health_detailed() -> HealthOut:
    """Database, pool, migrations (at head?), backups (latest age) and the backup disk's free space."""
    return HealthOut.model_validate(await health.detailed(db.current(), current_settings().backups_path))


@blueprint.get("/metrics")
@admin_required
@validate_response(MetricsOut)
async def metrics_json() -> MetricsOut:
    """The Prometheus series as JSON: {timestamp, metrics: {series: [{labels, value}]}}."""
    metrics.observe_pool(db.current().pool)
    return MetricsOut.model_validate(metrics.snapshot())


@blueprint.get("/metrics/prometheus")
@admin_required
@downloads(PROMETHEUS_MEDIA_TYPE)
async def metrics_prometheus() -> Response:
    """The Prometheus text format: requests, latency, pool, open streams, LLM calls and tokens."""
    metrics.observe_pool(db.current().pool)
    body, content_type = metrics.exposition()
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = 'attachment; filename="metrics.prom"'
    return response
