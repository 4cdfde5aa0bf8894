"""Admin request and response models (reference 3.3, routes/admin.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from jarlpm.admin.backups import DEFAULT_RETENTION_DAYS
from jarlpm.admin.maintenance import AUDIT_RETENTION_DAYS

MAX_RETENTION_DAYS = 36_500


class BackupRetentionQuery(BaseModel):
    retention_days: int = Field(DEFAULT_RETENTION_DAYS, ge=1, le=MAX_RETENTION_DAYS)


class AuditRetentionQuery(BaseModel):
    retention_days: int = Field(AUDIT_RETENTION_DAYS, ge=1, le=MAX_RETENTION_DAYS)


class BackupOut(BaseModel):
    filename: str
    path: str
    size_bytes: int
    size_mb: float
    created_at: datetime


class CreatedBackupOut(BackupOut):
    success: bool = True
    duration_seconds: float


class BackupStatsOut(BaseModel):
    backup_count: int
    total_size_mb: float
    oldest_backup: datetime | None
    newest_backup: datetime | None
    retention_days: int


class BackupListOut(BaseModel):
    backups: list[BackupOut]
    stats: BackupStatsOut


class BackupCleanupOut(BaseModel):
    retention_days: int
    cutoff_date: datetime
    deleted_count: int
    deleted_files: list[str]
    kept_count: int


class AuditStatsOut(BaseModel):
    total_records: int
    oldest_record: datetime | None
    newest_record: datetime | None
    retention_days: int
    max_records: int


class AuditCleanupOut(BaseModel):
    retention_days: int
    cutoff_date: datetime
    deleted_count: int


class RecordLimitOut(BaseModel):
    max_records: int
    deleted_count: int


class MaintenanceOut(BaseModel):
    timestamp: datetime
    backup_cleanup: BackupCleanupOut
    audit_cleanup: AuditCleanupOut
    record_limit: RecordLimitOut


class HealthOut(BaseModel):
    timestamp: datetime
    status: str
    checks: dict[str, dict[str, Any]]


class MetricsOut(BaseModel):
    timestamp: datetime
    metrics: dict[str, list[dict[str, Any]]]
