"""PRD work that spans a handler and the database: the epic a PRD is written from, and the result's write."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm import db
from jarlpm.epics.service import NOT_FOUND
from jarlpm.errors import APIError
from jarlpm.http.auth import Caller
from jarlpm.prd import repo

PRD_NOT_FOUND = ("PRD_NOT_FOUND", "No PRD exists for this epic yet")
EPIC_GONE = ("EPIC_NOT_FOUND", "Epic not found (it was deleted while the document was being written)")


async def owned_prd_row(conn: Connection, *, user_id: str, epic_id: str) -> dict:
    """The epic's `get_prd` row (PRD columns null when it has none); 404 when the epic is not the user's."""
    row = await repo.get_prd(conn, user_id=user_id, epic_id=epic_id)
    if row is None:
        raise APIError(404, *NOT_FOUND)
    return row


async def keep_generated(caller: Caller, *, epic_id: str, title: str, sections: dict) -> None:
    """Upsert a generated PRD in one short transaction; 404 (nothing stored) if the epic is gone meanwhile."""
    async with db.transaction(caller) as conn:
        kept = await repo.upsert_prd(
            conn, user_id=caller.id, epic_id=epic_id, title=title, sections=sections, source="ai_generated"
        )
    if kept is None:
        raise APIError(404, *EPIC_GONE)
