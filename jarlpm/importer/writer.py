"""Writing one user's rows into our database, parents first, inside the caller's transaction.

Every row goes through its rule (mapping.py) and one insert of sql/importer.sql that keeps the
original's public id and skips a row whose id is already here, so a second run writes only what is
missing. History rows (transcripts, conversations, decisions, status history) are plain inserts in
their original order: the append-only guards stay on and our `seq` keeps that order.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from asyncpg import Connection
from sqlalchemy import Column

from jarlpm.db.queries import queries
from jarlpm.db.schema import metadata
from jarlpm.importer import mapping
from jarlpm.importer.mapping import RULES, Skip, UserContext
from jarlpm.importer.report import Report

ALREADY_PRESENT = "already present (imported before)"
USER_NOT_IMPORTED = "its user was not imported"


def _writable(column: Column) -> bool:
    return column.computed is None and column.identity is None


@cache
def writable_columns(table: str) -> tuple[str, ...]:
    """The columns an insert of sql/importer.sql names: every column but computed and identity ones."""
    return tuple(column.name for column in metadata.tables[table].columns if _writable(column))


async def insert(conn: Connection, table: str, row: dict[str, Any], *, owner: str) -> bool:
    """True when the row was written, False when a row with its id is already here.

    Every insert is bound to the owner: a row with a user_id must name them, and a row under a parent
    is written only when that parent is theirs (the SQL checks it).
    """
    columns = writable_columns(table)
    unknown = row.keys() - set(columns)
    if unknown:
        raise ValueError(f"the {table} rule produced columns {sorted(unknown)} that the table does not have")
    if row.get("user_id", owner) != owner:
        raise ValueError(f"a {table} row names another user than the one being imported")
    statement = getattr(queries.importer, f"insert_{table}")
    params = {column: row.get(column) for column in columns} | {"user_id": owner}
    return await statement(conn, **params) is not None


async def write_user(conn: Connection, account: dict, rows: dict[str, list[dict]], ctx: UserContext) -> Report:
    """One user and everything they own; the returned counts join the report once the caller commits."""
    part = Report()
    for rule in RULES:
        part.table(rule.original).read += len(rows.get(rule.original, []))
    part.table("users").read += 1
    reason = await _write_account(conn, account, ctx, part)
    if reason is not None:
        for rule in RULES:
            part.table(rule.original).skipped[reason] += len(rows.get(rule.original, []))
        return part
    mapping.complete_snapshots(rows, ctx)
    for rule in RULES:
        for row in rows.get(rule.original, []):
            await _write_row(conn, rule, row, ctx, part)
    part.notes.update(ctx.notes)
    return part


async def _write_account(conn: Connection, account: dict, ctx: UserContext, part: Report) -> str | None:
    """Writes the user row; returns why the user is not imported, or None."""
    counts = part.table("users")
    mapped = mapping.user(account, ctx)
    if isinstance(mapped, Skip):
        counts.skipped[mapped.reason] += 1
        return USER_NOT_IMPORTED
    holder = await queries.importer.account_with_email(conn, email=mapped["email"])
    if holder is not None and holder != mapped["user_id"]:
        counts.skipped["email already used by another account here"] += 1
        return USER_NOT_IMPORTED
    if await insert(conn, "users", mapped, owner=ctx.owner):
        counts.written += 1
    else:
        counts.skipped[ALREADY_PRESENT] += 1
    ctx.present.setdefault("users", set()).add(mapped["user_id"])
    part.users_done = 1
    return None


async def _write_row(conn: Connection, rule: mapping.TableRule, row: dict, ctx: UserContext, part: Report) -> None:
    counts = part.table(rule.original)
    mapped = rule.rule(row, ctx)
    if isinstance(mapped, Skip):
        counts.skipped[mapped.reason] += 1
        return
    assert rule.target is not None  # rules without a target always skip
    if await insert(conn, rule.target, mapped, owner=ctx.owner):
        counts.written += 1
    else:
        counts.skipped[ALREADY_PRESENT] += 1
    ctx.present.setdefault(rule.target, set()).add(mapped[rule.key])
