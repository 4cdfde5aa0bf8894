"""Scoring steps the routes share: the owner's items (404 otherwise), the suggestion stream body,
bulk suggestions matched back by id, and applying them in the caller's transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from asyncpg import Connection
from pydantic import BaseModel

from jarlpm import ai
from jarlpm.ai.structured import parse_update
from jarlpm.errors import APIError
from jarlpm.scoring import repo, rules
from jarlpm.scoring.models import FeatureScore, ItemScore, RiceSuggestion

SUGGESTION_TAG = "SUGGESTION"
NO_SUGGESTION = "The AI reply carried no usable suggestion; please try again"
NOT_FOUND = {
    "epic": ("EPIC_NOT_FOUND", "Epic not found"),
    "feature": ("FEATURE_NOT_FOUND", "Feature not found"),
    "story": ("STORY_NOT_FOUND", "Story not found"),
    "bug": ("BUG_NOT_FOUND", "Bug not found"),
}


def not_found(kind: str) -> APIError:
    return APIError(404, *NOT_FOUND[kind])


def found(kind: str, row: dict | None) -> dict:
    """The row, or the 404 of a missing item (another user's item is missing to the caller)."""
    if row is None:
        raise not_found(kind)
    return row


def valid_moscow(score: str) -> str:
    """The stored MoSCoW key of a hand-entered score; 400 INVALID_MOSCOW_SCORE otherwise."""
    key = rules.moscow_key(score)
    if key is None:
        raise APIError(400, "INVALID_MOSCOW_SCORE", f"Score must be one of {', '.join(rules.MOSCOW_LABELS)}")
    return key


def valid_rice(reach: int, impact: float, confidence: float, effort: float, reasoning: str | None) -> dict[str, Any]:
    """Hand-entered RICE as column values; 400 when impact or confidence is off its allowed set."""
    for code, error in (
        ("INVALID_RICE_IMPACT", rules.impact_error(impact)),
        ("INVALID_RICE_CONFIDENCE", rules.confidence_error(confidence)),
    ):
        if error:
            raise APIError(400, code, error)
    values = {"reach": reach, "impact": impact, "confidence": confidence, "effort": effort}
    return {**values, "total": rules.rice_total(**values), "reasoning": reasoning}


async def suggestion_events(reply: ai.Reply, schema: type[BaseModel]) -> AsyncIterator[dict]:
    """chunk*, then `suggestion` with the reply's [SUGGESTION] block validated (repaired if needed).
    A reply without a usable block ends in the stream's `error` event: the client must not be left
    waiting for a suggestion that will not come."""
    async for event in ai.chunks(reply):
        yield event
    suggestion: BaseModel | None = await parse_update(
        reply.call, reply.system, reply.messages, reply.text, SUGGESTION_TAG, schema
    )
    if suggestion is None:
        raise ai.AIFailure(NO_SUGGESTION)
    yield {"type": "suggestion", "suggestion": suggestion.model_dump()}


def matched(suggestions: Iterable[ItemScore], items: Sequence[dict], id_key: str) -> list[ItemScore]:
    """The suggestions for `items`, matched by id (a title the model rewrote does not matter), in the
    items' order, titled as stored; the first suggestion of an id wins and unknown ids are dropped."""
    by_id: dict[str, ItemScore] = {}
    for suggestion in suggestions:
        by_id.setdefault(suggestion.item_id, suggestion)
    return [by_id[item[id_key]].model_copy(update={"title": item["title"]}) for item in items if item[id_key] in by_id]


def matched_features(suggestions: Iterable[FeatureScore], features: Sequence[dict]) -> list[FeatureScore]:
    as_items = (ItemScore(item_id=s.feature_id, moscow=s.moscow, rice=s.rice) for s in suggestions)
    return [
        FeatureScore(feature_id=item.item_id, title=item.title, moscow=item.moscow, rice=item.rice)
        for item in matched(as_items, features, "feature_id")
    ]


async def _apply_rice(
    conn: Connection, kind: str, *, user_id: str, epic_id: str, item_id: str, rice: RiceSuggestion | None
) -> None:
    if rice is None:
        return
    if not await repo.set_rice(conn, kind, user_id=user_id, item_id=item_id, rice=rice.stored(), epic_id=epic_id):
        raise not_found(kind)


async def apply_feature(conn: Connection, *, user_id: str, epic_id: str, item: ItemScore) -> bool:
    """One feature's MoSCoW and RICE, only when the feature belongs to the caller's epic (404 otherwise,
    and the caller's transaction rolls back everything applied before it). False when the item carries
    no score at all: nothing to apply, and nothing learnt about the id."""
    if item.moscow is None and item.rice is None:
        return False
    if item.moscow is not None:
        stored = await repo.set_feature_moscow(
            conn,
            user_id=user_id,
            feature_id=item.item_id,
            epic_id=epic_id,
            score=item.moscow.score,
            reasoning=item.moscow.reasoning,
        )
        if not stored:
            raise not_found("feature")
    await _apply_rice(conn, "feature", user_id=user_id, epic_id=epic_id, item_id=item.item_id, rice=item.rice)
    return True


async def apply_rice_items(
    conn: Connection, kind: str, *, user_id: str, epic_id: str, items: Iterable[ItemScore]
) -> int:
    """RICE of stories or bugs under the caller's epic; the number applied."""
    applied = 0
    for item in items:
        if item.rice is not None:
            await _apply_rice(conn, kind, user_id=user_id, epic_id=epic_id, item_id=item.item_id, rice=item.rice)
            applied += 1
    return applied


def scored_item(item_type: str, row: dict) -> dict:
    """A scored-items entry: an epic counts its features as children."""
    children = row.get("children_total", 0)
    return {**row, "item_type": item_type, "has_children": children > 0, "children_total": children}
