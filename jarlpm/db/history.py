"""Append-only history (transcripts, conversations, decisions) and the one way to delete it.

Triggers refuse every UPDATE and DELETE of history rows (migrations 0004, 0005). Deleting a parent
(an epic, a feature, a story) must first call allow_history_delete() in the same transaction; the
permission ends with that transaction.
"""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.queries import queries


async def allow_history_delete(conn: Connection, *, parent_id: str) -> None:
    await queries.system.allow_history_delete(conn, parent_id=parent_id)
