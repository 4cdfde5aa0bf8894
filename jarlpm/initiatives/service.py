"""Library steps that span several statements: archiving with its activity row, a status change,
a duplicate with its history, the status counts."""

from __future__ import annotations

from collections import Counter

from asyncpg import Connection

from jarlpm.epics import repo as epics
from jarlpm.epics import service as epic_service
from jarlpm.errors import APIError
from jarlpm.initiatives import repo, rules
from jarlpm.initiatives.rules import Status

NOT_FOUND = ("INITIATIVE_NOT_FOUND", "Initiative not found")
FEATURE_NOT_FOUND = ("FEATURE_NOT_FOUND", "Feature not found")
ACTIVITY = {True: "archived", False: "restored"}


async def owned_initiative(conn: Connection, *, user_id: str, epic_id: str) -> dict:
    initiative = await repo.get_initiative(conn, user_id=user_id, epic_id=epic_id)
    if initiative is None:
        raise APIError(404, *NOT_FOUND)
    return initiative


async def set_archived(conn: Connection, *, user_id: str, epic_id: str, archived: bool) -> None:
    """Archive or restore (in the caller's transaction), with its activity row; asking again changes
    nothing and records nothing."""
    if await repo.set_archived(conn, user_id=user_id, epic_id=epic_id, archived=archived):
        await repo.add_activity(conn, user_id=user_id, epic_id=epic_id, event_type=ACTIVITY[archived])
    elif not await epics.epic_exists(conn, user_id=user_id, epic_id=epic_id):
        raise APIError(404, *NOT_FOUND)


async def set_status(conn: Connection, *, user_id: str, epic_id: str, requested: Status) -> None:
    """Show `requested` by archiving or restoring; a status only the conversation can reach is a 400.

    The epic's row stays locked until the caller's transaction ends, so a confirmation cannot move its
    stage between the check and the change.
    """
    epic = await epics.get_epic_for_update(conn, user_id=user_id, epic_id=epic_id)
    if epic is None:
        raise APIError(404, *NOT_FOUND)
    stage = epic["current_stage"]
    archived = rules.archived_for(stage, requested)
    if archived is None:
        raise APIError(
            400,
            "STATUS_NOT_REACHABLE",
            f"The initiative cannot become {requested}: its stage ({stage}) makes it "
            f"{rules.STAGE_STATUS[stage]}, and stages only move forward through the epic conversation",
        )
    await set_archived(conn, user_id=user_id, epic_id=epic_id, archived=archived)


async def duplicate(conn: Connection, *, user_id: str, epic_id: str, new_title: str | None) -> dict:
    """A copy of the epic restarting in Problem Capture with its own creation event, its snapshot text
    unconfirmed, and its features and stories in draft (in the caller's transaction)."""
    original = await epics.get_epic(conn, user_id=user_id, epic_id=epic_id)
    if original is None:
        raise APIError(404, *NOT_FOUND)
    title = rules.copy_title(original["title"], new_title)
    copy = await epic_service.create_epic(conn, user_id=user_id, title=title)
    ids = {"user_id": user_id, "source_epic_id": epic_id, "copy_epic_id": copy["epic_id"]}
    await repo.copy_snapshot_text(conn, **ids)
    await repo.copy_work(conn, **ids)
    return copy


async def status_summary(conn: Connection, *, user_id: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for row in await repo.count_by_stage(conn, user_id=user_id):
        counts[rules.display_status(row["current_stage"], row["is_archived"])] += row["epics"]
    return {"total": counts.total(), **{status: counts[status] for status in rules.STATUSES}}
