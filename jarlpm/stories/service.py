"""Story steps shared by several routes: ownership, the approved-feature rule, saving a refinement reply."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.ai import RefinementWrites
from jarlpm.errors import APIError
from jarlpm.features import repo as features_repo
from jarlpm.features.service import NOT_FOUND as FEATURE_NOT_FOUND
from jarlpm.features.service import owned_feature
from jarlpm.stories import repo

NOT_FOUND = ("STORY_NOT_FOUND", "User story not found")


async def owned_story(conn: Connection, *, user_id: str, story_id: str, standalone: bool) -> dict:
    story = await repo.get_story(conn, user_id=user_id, story_id=story_id, standalone=standalone)
    if story is None:
        raise APIError(404, *NOT_FOUND)
    return story


def feature_chat_turn(opened: tuple[dict, dict | None, list[dict]] | None) -> tuple[dict, dict, list[dict]]:
    """A feature-bound story's refinement turn (repo.open_chat_turn): 404 when it is not theirs, standalone or
    its feature is gone; 400 when approved (nothing was stored for either)."""
    if opened is None or opened[0]["is_standalone"]:
        raise APIError(404, *NOT_FOUND)
    story, feature, history = opened
    if story["current_stage"] == "approved":
        raise APIError(400, "STORY_APPROVED", "Cannot refine approved stories")
    if feature is None:
        raise APIError(404, *FEATURE_NOT_FOUND)
    return story, feature, history


async def approved_feature(conn: Connection, *, user_id: str, feature_id: str) -> dict:
    """The user's feature, which must be approved before stories are created or generated (400 otherwise)."""
    return _approved(await owned_feature(conn, user_id=user_id, feature_id=feature_id))


async def approved_feature_with_epic(conn: Connection, *, user_id: str, feature_id: str) -> tuple[dict, dict]:
    """approved_feature and its epic (what a generation prompt reads), in one statement."""
    found = await features_repo.get_feature_with_epic(conn, user_id=user_id, feature_id=feature_id)
    if found is None:
        raise APIError(404, *FEATURE_NOT_FOUND)
    return _approved(found[0]), found[1]


def _approved(feature: dict) -> dict:
    if feature["current_stage"] != "approved":
        raise APIError(400, "FEATURE_NOT_APPROVED", "Feature must be approved before creating stories")
    return feature


def refinement_writes(*, user_id: str, story_id: str, feature_id: str | None, epic_id: str | None) -> RefinementWrites:
    """What a refinement stores: the assistant's reply, then its validated update (`story_updated`)."""

    async def save_reply(conn: Connection, text: str, reply_metadata: dict) -> None:
        await repo.add_event(
            conn,
            user_id=user_id,
            story_id=story_id,
            feature_id=feature_id,
            epic_id=epic_id,
            role="assistant",
            content=text,
            event_metadata=reply_metadata,
        )

    async def apply_update(conn: Connection, changes: dict) -> bool:
        return await repo.update_story(conn, user_id=user_id, story_id=story_id, **changes) is not None

    return RefinementWrites(save_reply=save_reply, apply_update=apply_update)
