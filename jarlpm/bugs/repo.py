"""Bug rows, links and status history: a connection in, plain dicts out."""

from __future__ import annotations

from datetime import datetime

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row

LINK_COLUMNS = {"epic": "epic_id", "feature": "feature_id", "story": "story_id"}
ALL_ROWS = 1_000_000


async def create_bug(
    conn: Connection,
    *,
    user_id: str,
    title: str,
    description: str,
    severity: str,
    steps_to_reproduce: str | None = None,
    expected_behavior: str | None = None,
    actual_behavior: str | None = None,
    environment: str | None = None,
    priority: str | None = None,
    due_date: datetime | None = None,
) -> str:
    return await queries.bugs.create_bug(
        conn,
        bug_id=new_id("bug"),
        user_id=user_id,
        title=title,
        description=description,
        severity=severity,
        steps_to_reproduce=steps_to_reproduce,
        expected_behavior=expected_behavior,
        actual_behavior=actual_behavior,
        environment=environment,
        priority=priority,
        due_date=due_date,
    )


async def get_bug(conn: Connection, *, user_id: str, bug_id: str) -> dict | None:
    row = await queries.bugs.get_bug(conn, user_id=user_id, bug_id=bug_id)
    return optional_row(row)


async def list_bugs(
    conn: Connection,
    *,
    user_id: str,
    status: str | None = None,
    severity: str | None = None,
    assignee_id: str | None = None,
    linked: bool | None = None,
    entity: tuple[str, str] | None = None,
    sort_by: str = "updated_at",
    descending: bool = True,
    limit: int = ALL_ROWS,
    offset: int = 0,
) -> list[dict]:
    entity_type, entity_id = entity or (None, None)
    rows = queries.bugs.list_bugs(
        conn,
        user_id=user_id,
        status=status,
        severity=severity,
        assignee_id=assignee_id,
        linked=linked,
        entity_type=entity_type,
        entity_id=entity_id,
        sort_by=sort_by,
        descending=descending,
        max_rows=limit,
        skip_rows=offset,
    )
    return [dict(row) async for row in rows]


async def update_bug(conn: Connection, *, user_id: str, bug_id: str, **changes: object) -> bool:
    """Apply the non-None changes to a draft bug; False when the bug is not the user's draft."""
    fields = (
        "title",
        "description",
        "severity",
        "steps_to_reproduce",
        "expected_behavior",
        "actual_behavior",
        "environment",
        "priority",
        "due_date",
        "assignee_id",
    )
    values = {field: changes.get(field) for field in fields}
    return await queries.bugs.update_bug(conn, user_id=user_id, bug_id=bug_id, **values) is not None


async def set_status(conn: Connection, *, user_id: str, bug_id: str, from_status: str, to_status: str) -> bool:
    moved = await queries.bugs.set_status(
        conn, user_id=user_id, bug_id=bug_id, from_status=from_status, to_status=to_status
    )
    return moved is not None


async def soft_delete(conn: Connection, *, user_id: str, bug_id: str) -> bool:
    return await queries.bugs.soft_delete(conn, user_id=user_id, bug_id=bug_id) is not None


async def add_history(
    conn: Connection, *, user_id: str, bug_id: str, from_status: str | None, to_status: str, notes: str | None
) -> bool:
    """A status change the user made to their bug; False when the bug is not theirs (nothing is written)."""
    added = await queries.bugs.add_history(
        conn,
        history_id=new_id("hist"),
        user_id=user_id,
        bug_id=bug_id,
        from_status=from_status,
        to_status=to_status,
        notes=notes,
    )
    return added is not None


async def list_history(conn: Connection, *, user_id: str, bug_id: str) -> list[dict]:
    return [dict(row) async for row in queries.bugs.list_history(conn, user_id=user_id, bug_id=bug_id)]


async def entity_owned(conn: Connection, *, user_id: str, entity_type: str, entity_id: str) -> bool:
    return await queries.bugs.entity_owned(conn, user_id=user_id, entity_type=entity_type, entity_id=entity_id)


async def add_link(conn: Connection, *, user_id: str, bug_id: str, entity_type: str, entity_id: str) -> dict | None:
    """The new link; None when the bug already links to that target, or the bug or the target is not the user's."""
    targets: dict[str, str | None] = {column: None for column in LINK_COLUMNS.values()}
    targets[LINK_COLUMNS[entity_type]] = entity_id
    row = await queries.bugs.add_link(
        conn, link_id=new_id("link"), user_id=user_id, bug_id=bug_id, entity_type=entity_type, **targets
    )
    return optional_row(row)


async def list_links(conn: Connection, *, user_id: str, bug_id: str) -> list[dict]:
    return [dict(row) async for row in queries.bugs.list_links(conn, user_id=user_id, bug_id=bug_id)]


async def delete_link(conn: Connection, *, user_id: str, bug_id: str, link_id: str) -> bool:
    return await queries.bugs.delete_link(conn, user_id=user_id, bug_id=bug_id, link_id=link_id) is not None
