"""The operator's surface: backups and restore, audit-log retention, maintenance, health and metrics."""
