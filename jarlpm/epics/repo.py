"""Epic rows and their history: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.history import allow_history_delete
from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row

SNAPSHOT_FIELDS = (
    "problem_statement",
    "problem_confirmed_at",
    "desired_outcome",
    "outcome_confirmed_at",
    "epic_summary",
    "acceptance_criteria",
    "epic_details",
    "epic_locked_at",
)


def with_snapshot(row: object) -> dict:
    """A joined epic row as {..., "snapshot": {...}}."""
    values = dict(row)  # type: ignore[call-overload]
    values["snapshot"] = {field: values.pop(field) for field in SNAPSHOT_FIELDS}
    return values


async def create_epic(conn: Connection, *, user_id: str, title: str) -> str:
    epic_id = await queries.epics.create_epic(conn, epic_id=new_id("epic"), user_id=user_id, title=title)
    await queries.epics.create_snapshot(conn, user_id=user_id, epic_id=epic_id)
    return epic_id


async def list_epics(conn: Connection, *, user_id: str) -> list[dict]:
    return [with_snapshot(row) async for row in queries.epics.list_epics(conn, user_id=user_id)]


async def get_epic(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    row = await queries.epics.get_epic(conn, user_id=user_id, epic_id=epic_id)
    return with_snapshot(row) if row else None


async def get_epic_for_update(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    """The epic, with its row locked until the caller's transaction ends."""
    if await queries.epics.lock_epic_row(conn, user_id=user_id, epic_id=epic_id) is None:
        return None
    return await get_epic(conn, user_id=user_id, epic_id=epic_id)


async def epic_exists(conn: Connection, *, user_id: str, epic_id: str) -> bool:
    return await queries.epics.epic_exists(conn, user_id=user_id, epic_id=epic_id)


async def delete_epic(conn: Connection, *, user_id: str, epic_id: str) -> bool:
    """Delete the epic and everything under it (in the caller's transaction)."""
    await allow_history_delete(conn, parent_id=epic_id)
    return await queries.epics.delete_epic(conn, user_id=user_id, epic_id=epic_id) is not None


async def add_event(
    conn: Connection,
    *,
    user_id: str,
    epic_id: str,
    role: str,
    content: str,
    stage: str,
    event_metadata: dict | None = None,
) -> bool:
    """False when the epic is not the user's (nothing is written)."""
    added = await queries.epics.add_event(
        conn,
        event_id=new_id("evt"),
        user_id=user_id,
        epic_id=epic_id,
        role=role,
        content=content,
        stage=stage,
        event_metadata=event_metadata,
    )
    return added is not None


async def open_chat_turn(
    conn: Connection, *, user_id: str, epic_id: str, content: str, history_limit: int
) -> tuple[dict, list[dict]] | None:
    """The user's epic and its last `history_limit` messages (oldest first), with the user's new message
    stored at the epic's stage, in one statement; None (nothing stored) when the epic is not theirs."""
    row = await queries.epics.open_chat_turn(
        conn, event_id=new_id("evt"), user_id=user_id, epic_id=epic_id, content=content, max_rows=history_limit
    )
    if row is None:
        return None
    epic = with_snapshot(row)
    return epic, epic.pop("history")


async def list_events(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.epics.list_events(conn, user_id=user_id, epic_id=epic_id)]


async def set_pending_proposal(conn: Connection, *, user_id: str, epic_id: str, stage: str, proposal: dict) -> bool:
    stored = await queries.epics.set_pending_proposal(
        conn, user_id=user_id, epic_id=epic_id, stage=stage, proposal=proposal
    )
    return stored is not None


async def clear_pending_proposal(conn: Connection, *, user_id: str, epic_id: str) -> None:
    await queries.epics.clear_pending_proposal(conn, user_id=user_id, epic_id=epic_id)


async def set_stage(conn: Connection, *, user_id: str, epic_id: str, stage: str) -> None:
    await queries.epics.set_stage(conn, user_id=user_id, epic_id=epic_id, stage=stage)


async def confirm_problem(conn: Connection, *, user_id: str, epic_id: str, problem_statement: str) -> None:
    await queries.epics.confirm_problem(conn, user_id=user_id, epic_id=epic_id, problem_statement=problem_statement)


async def confirm_outcome(conn: Connection, *, user_id: str, epic_id: str, desired_outcome: str) -> None:
    await queries.epics.confirm_outcome(conn, user_id=user_id, epic_id=epic_id, desired_outcome=desired_outcome)


async def confirm_final(
    conn: Connection,
    *,
    user_id: str,
    epic_id: str,
    epic_summary: str,
    acceptance_criteria: list[str],
    epic_details: dict,
) -> None:
    await queries.epics.confirm_final(
        conn,
        user_id=user_id,
        epic_id=epic_id,
        epic_summary=epic_summary,
        acceptance_criteria=acceptance_criteria,
        epic_details=epic_details,
    )


async def add_decision(
    conn: Connection,
    *,
    epic_id: str,
    user_id: str,
    decision_type: str,
    from_stage: str,
    to_stage: str | None,
    proposal_id: str | None = None,
    content_snapshot: str | None = None,
) -> bool:
    """A decision the user made on their epic; False when the epic is not theirs (nothing is written)."""
    added = await queries.epics.add_decision(
        conn,
        decision_id=new_id("dec"),
        user_id=user_id,
        epic_id=epic_id,
        decision_type=decision_type,
        from_stage=from_stage,
        to_stage=to_stage,
        proposal_id=proposal_id,
        content_snapshot=content_snapshot,
    )
    return added is not None


async def list_decisions(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.epics.list_decisions(conn, user_id=user_id, epic_id=epic_id)]


async def list_artifacts(conn: Connection, *, user_id: str, epic_id: str) -> list[dict]:
    return [dict(row) async for row in queries.epics.list_artifacts(conn, user_id=user_id, epic_id=epic_id)]


async def create_artifact(
    conn: Connection,
    *,
    user_id: str,
    epic_id: str,
    artifact_type: str,
    title: str,
    description: str,
    acceptance_criteria: list[str] | None,
    priority: int | None,
) -> dict | None:
    """The new artifact; None when the epic is not the user's."""
    row = await queries.epics.create_artifact(
        conn,
        artifact_id=new_id("art"),
        user_id=user_id,
        epic_id=epic_id,
        artifact_type=artifact_type,
        title=title,
        description=description,
        acceptance_criteria=acceptance_criteria,
        priority=priority,
    )
    return optional_row(row)


async def delete_artifact(conn: Connection, *, user_id: str, epic_id: str, artifact_id: str) -> bool:
    deleted = await queries.epics.delete_artifact(conn, user_id=user_id, epic_id=epic_id, artifact_id=artifact_id)
    return deleted is not None


async def epic_outline(conn: Connection, *, user_id: str, epic_id: str) -> dict | None:
    """The user's epic with its snapshot, features and their stories (as JSON), in one query."""
    return optional_row(await queries.epics.epic_outline(conn, user_id=user_id, epic_id=epic_id))
