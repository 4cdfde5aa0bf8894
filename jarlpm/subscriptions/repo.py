"""Subscription rows: a connection in, plain values out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def create_inactive(conn: Connection, *, user_id: str) -> None:
    await queries.subscriptions.create_inactive(conn, subscription_id=new_id("sub"), user_id=user_id)


async def activate_for_days(conn: Connection, *, user_id: str, days: int) -> None:
    await queries.subscriptions.activate_for_days(conn, subscription_id=new_id("sub"), user_id=user_id, days=days)


async def get_subscription(conn: Connection, *, user_id: str) -> dict | None:
    row = await queries.subscriptions.get_subscription(conn, user_id=user_id)
    return optional_row(row)
