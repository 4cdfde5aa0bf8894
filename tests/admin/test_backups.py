"""Backups with the server's own pg_dump, the restore drill (`jarlpm restore FILE`), clear errors that
leave no file behind, and retention that only touches this service's dumps."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from jarlpm import cli
from jarlpm.app import create_app
from tests.admin.helpers import ADMIN_TOKEN, TOKEN
from tests.db.helpers import fetch
from tests.helpers import sign_up

USERS = "SELECT email FROM users ORDER BY email"


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(5)


async def test_backup_then_change_then_restore_brings_the_data_back(  # type: ignore[no-untyped-def]
    admin_app, database_url, backup_dir, monkeypatch, tmp_path
) -> None:
    await sign_up(admin_app, "kept@jarlpm.dev")
    created = await admin_app.test_client().post("/api/admin/backups/create", headers=TOKEN)
    assert created.status_code == 200, await created.get_data(as_text=True)
    backup = await created.get_json()
    assert backup["success"] is True and backup["size_bytes"] > 0
    dump = Path(backup["path"])
    assert dump.parent == backup_dir
    assert _head(dump) == b"PGDMP"  # pg_restore's own format, no gzip around it
    assert [p.name for p in backup_dir.iterdir()] == [backup["filename"]]  # no temporary file left

    listing = await (await admin_app.test_client().get("/api/admin/backups", headers=TOKEN)).get_json()
    assert [item["filename"] for item in listing["backups"]] == [backup["filename"]]
    assert listing["stats"]["backup_count"] == 1 and listing["stats"]["retention_days"] == 30

    await sign_up(admin_app, "added@jarlpm.dev")
    await fetch(database_url, "DELETE FROM users WHERE email = 'kept@jarlpm.dev' RETURNING user_id")
    assert await fetch(database_url, USERS) == [{"email": "added@jarlpm.dev"}]

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("JARLPM_ENV", "test")
    monkeypatch.setenv("JARLPM_DATA_DIR", str(tmp_path / "cli-data"))
    assert await asyncio.to_thread(cli.main, ["restore", str(dump)]) == 0
    assert await fetch(database_url, USERS) == [{"email": "kept@jarlpm.dev"}]


async def test_a_missing_pg_dump_is_a_clear_error_and_leaves_no_file(  # type: ignore[no-untyped-def]
    make_settings, database_url, tmp_path
) -> None:
    empty_bin, backups = tmp_path / "bin", tmp_path / "backups"
    empty_bin.mkdir()
    settings = make_settings(database_url, admin_token=ADMIN_TOKEN, backup_dir=backups, pg_bin_dir=empty_bin)
    async with create_app(settings).test_app() as app:
        response = await app.test_client().post("/api/admin/backups/create", headers=TOKEN)
        assert response.status_code == 503
        body = await response.get_json()
        assert body["code"] == "PG_DUMP_MISSING" and "PG_BIN_DIR" in body["detail"]
        assert not backups.exists() or list(backups.iterdir()) == []

        # An older client than the server is refused before it runs.
        (empty_bin / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 15.2'\n")
        (empty_bin / "pg_dump").chmod(0o755)
        response = await app.test_client().post("/api/admin/backups/create", headers=TOKEN)
        body = await response.get_json()
        assert response.status_code == 503 and body["code"] == "PG_DUMP_TOO_OLD", body
        assert "15" in body["detail"]

        # A pg_dump that fails half-way leaves nothing behind either.
        (empty_bin / "pg_dump").write_text(
            '#!/bin/sh\n[ "$1" = --version ] && { echo "pg_dump (PostgreSQL) 99.0"; exit 0; }\n'
            'for a; do case "$a" in --file=*) echo partial > "${a#--file=}";; esac; done\n'
            "echo 'connection failed' >&2; exit 1\n"
        )
        response = await app.test_client().post("/api/admin/backups/create", headers=TOKEN)
        assert response.status_code == 503 and (await response.get_json())["code"] == "BACKUP_FAILED"
        assert list(backups.iterdir()) == []


def _dump_file(directory: Path, name: str, days_old: float) -> Path:
    path = directory / name
    path.write_bytes(b"PGDMP")
    stamp = time.time() - days_old * 86400
    os.utime(path, (stamp, stamp))
    return path


async def test_cleanup_deletes_only_our_dumps_older_than_the_retention(admin_app, backup_dir) -> None:  # type: ignore[no-untyped-def]
    backup_dir.mkdir()
    old = _dump_file(backup_dir, "jarlpm_20250101T000000Z_aaaaaa.dump", 40)
    recent = _dump_file(backup_dir, "jarlpm_20260101T000000Z_bbbbbb.dump", 5)
    foreign = _dump_file(backup_dir, "someone_elses.dump", 400)
    response = await admin_app.test_client().post("/api/admin/backups/cleanup", headers=TOKEN)
    assert response.status_code == 200
    body = await response.get_json()
    assert body["retention_days"] == 30 and body["deleted_files"] == [old.name]
    assert body["deleted_count"] == 1 and body["kept_count"] == 1
    assert sorted(p.name for p in backup_dir.iterdir()) == sorted([recent.name, foreign.name])

    shorter = await admin_app.test_client().post("/api/admin/backups/cleanup?retention_days=3", headers=TOKEN)
    assert (await shorter.get_json())["deleted_files"] == [recent.name]
    assert [p.name for p in backup_dir.iterdir()] == [foreign.name]
