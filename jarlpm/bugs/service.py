"""Bug steps that span several statements: creation with its history and links, links, transitions."""

from __future__ import annotations

from collections.abc import Iterable

from asyncpg import Connection

from jarlpm.bugs import repo, rules
from jarlpm.errors import APIError

NOT_FOUND = ("BUG_NOT_FOUND", "Bug not found")


def check_value(field: str, value: str | None) -> None:
    error = rules.invalid_value(field, value)
    if error:
        raise APIError(400, f"INVALID_{field.upper()}", error)


def check_entity_type(entity_type: str) -> None:
    """400 for a type that bugs cannot link to, in the words the contract's by-entity route uses."""
    if entity_type not in rules.ENUMS["entity_type"]:
        raise APIError(400, "INVALID_ENTITY_TYPE", f"Invalid entity type: {entity_type}")


async def owned_bug(conn: Connection, *, user_id: str, bug_id: str) -> dict:
    bug = await repo.get_bug(conn, user_id=user_id, bug_id=bug_id)
    if bug is None:
        raise APIError(404, *NOT_FOUND)
    return bug


async def add_links(conn: Connection, *, user_id: str, bug_id: str, links: Iterable[tuple[str, str]]) -> list[dict]:
    """Link the bug to epics, features or stories the user owns (400 otherwise); duplicates are skipped."""
    created = []
    for entity_type, entity_id in links:
        check_value("entity_type", entity_type)
        if not await repo.entity_owned(conn, user_id=user_id, entity_type=entity_type, entity_id=entity_id):
            raise APIError(400, "LINK_TARGET_NOT_FOUND", f"No {entity_type} {entity_id!r} of yours to link to")
        link = await repo.add_link(conn, user_id=user_id, bug_id=bug_id, entity_type=entity_type, entity_id=entity_id)
        if link is not None:
            created.append(link)
    return created


async def create_bug(
    conn: Connection, *, user_id: str, fields: dict, links: Iterable[tuple[str, str]] = (), notes: str = "Bug created"
) -> dict:
    """A draft bug with its first history row and its links (in the caller's transaction)."""
    check_value("severity", fields.get("severity"))
    check_value("priority", fields.get("priority"))
    bug_id = await repo.create_bug(conn, user_id=user_id, **fields)
    await repo.add_history(conn, user_id=user_id, bug_id=bug_id, from_status=None, to_status="draft", notes=notes)
    await add_links(conn, user_id=user_id, bug_id=bug_id, links=links)
    return await owned_bug(conn, user_id=user_id, bug_id=bug_id)


async def transition(conn: Connection, *, user_id: str, bug_id: str, new_status: str, notes: str | None) -> dict:
    bug = await owned_bug(conn, user_id=user_id, bug_id=bug_id)
    error = rules.transition_error(bug["status"], new_status)
    if error:
        raise APIError(400, "INVALID_TRANSITION", error)
    moved = await repo.set_status(conn, user_id=user_id, bug_id=bug_id, from_status=bug["status"], to_status=new_status)
    if not moved:  # a concurrent transition won
        raise APIError(409, "STATUS_CHANGED", "The bug's status changed meanwhile; reload and try again")
    await repo.add_history(
        conn, user_id=user_id, bug_id=bug_id, from_status=bug["status"], to_status=new_status, notes=notes
    )
    return await owned_bug(conn, user_id=user_id, bug_id=bug_id)
