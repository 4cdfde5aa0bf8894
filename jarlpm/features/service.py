"""Feature steps shared by several routes: ownership, the locked-epic rule, saving a refinement reply."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.ai import RefinementWrites
from jarlpm.epics.service import owned_epic
from jarlpm.errors import APIError
from jarlpm.features import prompts, repo

NOT_FOUND = ("FEATURE_NOT_FOUND", "Feature not found")


async def owned_feature(conn: Connection, *, user_id: str, feature_id: str) -> dict:
    feature = await repo.get_feature(conn, user_id=user_id, feature_id=feature_id)
    if feature is None:
        raise APIError(404, *NOT_FOUND)
    return feature


async def open_chat_turn(
    conn: Connection, *, user_id: str, feature_id: str, content: str
) -> tuple[dict, dict, list[dict]]:
    """The feature, its epic and the history a refinement's prompt needs, with the user's message stored;
    404 when not theirs, 400 (nothing stored) when the feature is approved."""
    opened = await repo.open_chat_turn(
        conn, user_id=user_id, feature_id=feature_id, content=content, history_limit=prompts.HISTORY_LIMIT
    )
    if opened is None:
        raise APIError(404, *NOT_FOUND)
    refuse_if_approved(opened[0], "refine")
    return opened


async def locked_epic(conn: Connection, *, user_id: str, epic_id: str) -> dict:
    """The user's epic, which must be locked before features are created or generated (400 otherwise)."""
    epic = await owned_epic(conn, user_id=user_id, epic_id=epic_id)
    if epic["current_stage"] != "epic_locked":
        raise APIError(400, "EPIC_NOT_LOCKED", "Epic must be locked before creating features")
    return epic


def refuse_if_approved(feature: dict, action: str) -> None:
    if feature["current_stage"] == "approved":
        raise APIError(400, "FEATURE_APPROVED", f"Cannot {action} approved features")


def refinement_writes(*, user_id: str, feature_id: str, epic_id: str) -> RefinementWrites:
    """What a refinement stores: the assistant's reply, then its validated update (`feature_updated`)."""

    async def save_reply(conn: Connection, text: str, reply_metadata: dict) -> None:
        await repo.add_event(
            conn,
            user_id=user_id,
            feature_id=feature_id,
            epic_id=epic_id,
            role="assistant",
            content=text,
            event_metadata=reply_metadata,
        )

    async def apply_update(conn: Connection, changes: dict) -> bool:
        return await repo.update_feature(conn, user_id=user_id, feature_id=feature_id, **changes) is not None

    return RefinementWrites(save_reply=save_reply, apply_update=apply_update)
