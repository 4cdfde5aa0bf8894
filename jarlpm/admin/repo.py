"""The admin statements (sql/admin.sql): a connection in, plain dicts out."""

from __future__ import annotations

from datetime import datetime

from asyncpg import Connection

from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def session_admin(conn: Connection, *, token_hash: str) -> dict | None:
    return optional_row(await queries.admin.session_admin(conn, token_hash=token_hash))


async def push_run_stats(conn: Connection) -> dict:
    return dict(await queries.admin.push_run_stats(conn))


async def delete_push_runs_before(conn: Connection, *, cutoff: datetime) -> int:
    row = await queries.admin.delete_push_runs_before(conn, cutoff=cutoff)
    return int(row["deleted_count"])


async def trim_push_runs(conn: Connection, *, max_records: int) -> int:
    row = await queries.admin.trim_push_runs(conn, max_records=max_records)
    return int(row["deleted_count"])
