"""Delivery-context rows: a connection in, plain dicts out."""

from __future__ import annotations

from datetime import date

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def get_or_create(conn: Connection, *, user_id: str) -> dict:
    """The user's full context, created empty when missing; an existing one is only read, never written.

    Three statements at most, each with its own snapshot: when a concurrent first read wins the insert,
    ours conflicts and returns nothing, and only a *new* statement can see the row it committed.
    """
    sql = queries.delivery_context
    row = await sql.get_full_context(conn, user_id=user_id)
    if row is None:
        row = await sql.create_empty_context(conn, context_id=new_id("ctx"), user_id=user_id)
    if row is None:
        row = await sql.get_full_context(conn, user_id=user_id)
    return dict(row)


# What a prompt reads of the context: get_context's columns (sql/ai.sql's ai_caller selects them too).
PROMPT_FIELDS = (
    "industry",
    "delivery_methodology",
    "sprint_cycle_length",
    "sprint_start_date",
    "num_developers",
    "num_qa",
    "delivery_platform",
    "points_per_dev_per_sprint",
    "quality_mode",
)


async def get_context(conn: Connection, *, user_id: str) -> dict | None:
    row = await queries.delivery_context.get_context(conn, user_id=user_id)
    return optional_row(row)


async def replace_context(
    conn: Connection,
    *,
    user_id: str,
    industry: str | None,
    delivery_methodology: str | None,
    sprint_cycle_length: int | None,
    sprint_start_date: date | None,
    num_developers: int | None,
    num_qa: int | None,
    delivery_platform: str | None,
    points_per_dev_per_sprint: int = 8,
    quality_mode: str = "standard",
) -> dict:
    row = await queries.delivery_context.replace_context(
        conn,
        context_id=new_id("ctx"),
        user_id=user_id,
        industry=industry,
        delivery_methodology=delivery_methodology,
        sprint_cycle_length=sprint_cycle_length,
        sprint_start_date=sprint_start_date,
        num_developers=num_developers,
        num_qa=num_qa,
        delivery_platform=delivery_platform,
        points_per_dev_per_sprint=points_per_dev_per_sprint,
        quality_mode=quality_mode,
    )
    return dict(row)
