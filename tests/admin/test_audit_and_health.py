"""Audit-log (push run) stats and retention over every user's runs, maintenance, and detailed health."""

from __future__ import annotations

from tests.admin.helpers import TOKEN, seed_push_runs, user_id_of
from tests.db.helpers import fetch
from tests.helpers import sign_up


async def test_audit_stats_cleanup_and_maintenance_on_seeded_push_runs(admin_app, database_url) -> None:  # type: ignore[no-untyped-def]
    await sign_up(admin_app, "a@jarlpm.dev")
    await sign_up(admin_app, "b@jarlpm.dev")
    await seed_push_runs(database_url, await user_id_of(database_url, "a@jarlpm.dev"), [1, 100, 200])
    await seed_push_runs(database_url, await user_id_of(database_url, "b@jarlpm.dev"), [2, 95])
    client = admin_app.test_client()

    stats = await (await client.get("/api/admin/audit-logs/stats", headers=TOKEN)).get_json()
    assert stats["total_records"] == 5 and stats["retention_days"] == 90 and stats["max_records"] == 100_000
    assert stats["oldest_record"] < stats["newest_record"]

    cleanup = await client.post("/api/admin/audit-logs/cleanup?retention_days=150", headers=TOKEN)
    assert cleanup.status_code == 200
    body = await cleanup.get_json()
    assert body["retention_days"] == 150 and body["deleted_count"] == 1 and body["cutoff_date"]
    assert await fetch(database_url, "SELECT count(*) AS n FROM external_push_runs") == [{"n": 4}]

    maintenance = await client.post("/api/admin/maintenance/run", headers=TOKEN)
    assert maintenance.status_code == 200
    result = await maintenance.get_json()
    assert result["audit_cleanup"]["deleted_count"] == 2  # the two runs older than 90 days, both users'
    assert result["record_limit"] == {"max_records": 100_000, "deleted_count": 0}
    assert result["backup_cleanup"]["retention_days"] == 30
    remaining = await fetch(database_url, "SELECT run_id FROM external_push_runs ORDER BY run_id")
    assert len(remaining) == 2


async def test_detailed_health_reports_every_check(admin_app, backup_dir) -> None:  # type: ignore[no-untyped-def]
    client = admin_app.test_client()
    before = await (await client.get("/api/admin/health/detailed", headers=TOKEN)).get_json()
    assert set(before["checks"]) >= {"database", "pool", "migrations", "backups", "disk"}
    assert before["checks"]["database"]["status"] == "healthy"
    assert before["checks"]["migrations"]["status"] == "healthy"
    assert before["checks"]["migrations"]["current"] == before["checks"]["migrations"]["head"]
    assert before["checks"]["backups"] == {
        "status": "warning",
        "backup_count": 0,
        "latest_backup": None,
        "latest_age_hours": None,
    }
    assert before["checks"]["disk"]["free_mb"] > 0 and before["checks"]["pool"]["max_size"] >= 1
    assert before["status"] == "degraded"  # no backup yet

    assert (await client.post("/api/admin/backups/create", headers=TOKEN)).status_code == 200
    after = await (await client.get("/api/admin/health/detailed", headers=TOKEN)).get_json()
    assert after["checks"]["backups"]["backup_count"] == 1
    assert after["checks"]["backups"]["latest_age_hours"] < 1
    assert after["status"] in ("healthy", "degraded")  # a nearly full test disk may still warn
