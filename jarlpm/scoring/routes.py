"""/api/scoring: MoSCoW and RICE set by hand, suggested by the model one item at a time (streamed, not
stored), or for a whole epic at once (JSON) and then applied. Every item is the caller's or a 404."""

from __future__ import annotations

from datetime import UTC, datetime

from quart import Blueprint, Response
from quart_schema import validate_request, validate_response

from jarlpm import ai, db
from jarlpm.errors import APIError
from jarlpm.http import sse
from jarlpm.http.auth import current_caller, login_required, public
from jarlpm.http.openapi import no_database, streams
from jarlpm.http.rate_limits import ai_route
from jarlpm.scoring import prompts, repo, rules, service
from jarlpm.scoring.models import (
    AppliedCounts,
    ApplyAllScoresIn,
    ApplyAllScoresOut,
    ApplyScoresIn,
    ApplyScoresOut,
    BugRiceOut,
    BulkAllScores,
    BulkScoreAllOut,
    BulkScoreOut,
    BulkScores,
    EpicMoscowOut,
    EpicScoresOut,
    FeatureScoresOut,
    FeatureSuggestion,
    ItemScore,
    ItemsForScoringOut,
    MoscowIn,
    MoscowSuggestion,
    OptionsOut,
    RiceIn,
    RiceSuggestion,
    ScoredItemsOut,
    StoryRiceOut,
)

blueprint = Blueprint("scoring", __name__, url_prefix="/scoring")

SUGGESTION_EVENTS = ("chunk {content}*", "suggestion {suggestion}", "done | error {message}")


@blueprint.get("/options")
@public
@no_database
@validate_response(OptionsOut)
async def options() -> OptionsOut:
    """The MoSCoW scores and the allowed RICE impact and confidence values, with their labels."""
    return OptionsOut(
        moscow_options=rules.MOSCOW_LABELS,
        rice_impact_options={str(value): label for value, label in rules.IMPACT_LABELS.items()},
        rice_confidence_options={str(value): label for value, label in rules.CONFIDENCE_LABELS.items()},
    )


# MoSCoW of an epic


@blueprint.get("/epic/<epic_id>/moscow")
@login_required
@validate_response(EpicMoscowOut)
async def get_epic_moscow(epic_id: str) -> EpicMoscowOut:
    """The epic's MoSCoW score."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        epic = await repo.get_epic_moscow(conn, user_id=caller.id, epic_id=epic_id)
    return EpicMoscowOut.from_row(service.found("epic", epic))


@blueprint.put("/epic/<epic_id>/moscow")
@login_required
@validate_request(MoscowIn)
@validate_response(EpicMoscowOut)
async def put_epic_moscow(epic_id: str, data: MoscowIn) -> EpicMoscowOut:
    """Set the epic's MoSCoW score (400 for an unknown score)."""
    caller = current_caller()
    score = service.valid_moscow(data.score)
    async with db.connection(caller) as conn:
        epic = await repo.set_epic_moscow(
            conn, user_id=caller.id, epic_id=epic_id, score=score, reasoning=data.reasoning
        )
    return EpicMoscowOut.from_row(service.found("epic", epic))


@blueprint.post("/epic/<epic_id>/moscow/suggest")
@login_required
@ai_route
@streams(*SUGGESTION_EVENTS)
async def suggest_epic_moscow(epic_id: str) -> Response:
    """A suggested MoSCoW score for the epic (Server-Sent Events; nothing is stored)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        epic = service.found("epic", await repo.get_epic_for_scoring(conn, user_id=caller.id, epic_id=epic_id))
    reply = ai.Reply(call, prompts.SYSTEM, prompts.epic_moscow(epic))
    return sse.stream(service.suggestion_events(reply, MoscowSuggestion))


# Features: MoSCoW and RICE


@blueprint.get("/feature/<feature_id>")
@login_required
@validate_response(FeatureScoresOut)
async def get_feature_scores(feature_id: str) -> FeatureScoresOut:
    """The feature's MoSCoW and RICE scores."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        feature = await repo.get_feature(conn, user_id=caller.id, feature_id=feature_id)
    return FeatureScoresOut.from_row(service.found("feature", feature))


@blueprint.put("/feature/<feature_id>/moscow")
@login_required
@validate_request(MoscowIn)
@validate_response(FeatureScoresOut)
async def put_feature_moscow(feature_id: str, data: MoscowIn) -> FeatureScoresOut:
    """Set the feature's MoSCoW score (400 for an unknown score); approved features too."""
    caller = current_caller()
    score = service.valid_moscow(data.score)
    async with db.connection(caller) as conn:
        feature = await repo.set_feature_moscow(
            conn, user_id=caller.id, feature_id=feature_id, score=score, reasoning=data.reasoning
        )
    return FeatureScoresOut.from_row(service.found("feature", feature))


@blueprint.put("/feature/<feature_id>/rice")
@login_required
@validate_request(RiceIn)
@validate_response(FeatureScoresOut)
async def put_feature_rice(feature_id: str, data: RiceIn) -> FeatureScoresOut:
    """Set the feature's RICE score (422 out of range, 400 off the allowed impact or confidence)."""
    caller = current_caller()
    rice = service.valid_rice(**data.model_dump())
    async with db.connection(caller) as conn:
        feature = await repo.set_rice(conn, "feature", user_id=caller.id, item_id=feature_id, rice=rice, epic_id=None)
    return FeatureScoresOut.from_row(service.found("feature", feature))


@blueprint.post("/feature/<feature_id>/suggest")
@login_required
@ai_route
@streams(*SUGGESTION_EVENTS)
async def suggest_feature_scores(feature_id: str) -> Response:
    """Suggested MoSCoW and RICE scores for the feature (Server-Sent Events; nothing is stored)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        feature = service.found("feature", await repo.get_feature(conn, user_id=caller.id, feature_id=feature_id))
    reply = ai.Reply(call, prompts.SYSTEM, prompts.feature(feature))
    return sse.stream(service.suggestion_events(reply, FeatureSuggestion))


# Stories and bugs: RICE


async def _stored_story_rice(story_id: str, data: RiceIn, *, standalone: bool) -> StoryRiceOut:
    caller = current_caller()
    rice = service.valid_rice(**data.model_dump())
    async with db.transaction(caller) as conn:
        story = await repo.get_story(conn, user_id=caller.id, story_id=story_id, standalone=standalone)
        if story is not None:
            story = await repo.set_rice(conn, "story", user_id=caller.id, item_id=story_id, rice=rice, epic_id=None)
    return StoryRiceOut.from_row(service.found("story", story))


@blueprint.get("/story/<story_id>")
@login_required
@validate_response(StoryRiceOut)
async def get_story_rice(story_id: str) -> StoryRiceOut:
    """The story's RICE score (feature-bound or standalone)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        story = await repo.get_story(conn, user_id=caller.id, story_id=story_id)
    return StoryRiceOut.from_row(service.found("story", story))


@blueprint.put("/story/<story_id>/rice")
@login_required
@validate_request(RiceIn)
@validate_response(StoryRiceOut)
async def put_story_rice(story_id: str, data: RiceIn) -> StoryRiceOut:
    """Set the story's RICE score (422 out of range, 400 off the allowed impact or confidence)."""
    return await _stored_story_rice(story_id, data, standalone=False)


@blueprint.post("/standalone-story/<story_id>/score")
@login_required
@validate_request(RiceIn)
@validate_response(StoryRiceOut)
async def score_standalone_story(story_id: str, data: RiceIn) -> StoryRiceOut:
    """Set a standalone story's RICE score (a feature-bound story is 404 here)."""
    return await _stored_story_rice(story_id, data, standalone=True)


@blueprint.post("/story/<story_id>/suggest")
@login_required
@ai_route
@streams(*SUGGESTION_EVENTS)
async def suggest_story_rice(story_id: str) -> Response:
    """A suggested RICE score for the story (Server-Sent Events; nothing is stored)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        story = service.found("story", await repo.get_story(conn, user_id=caller.id, story_id=story_id))
    reply = ai.Reply(call, prompts.SYSTEM, prompts.story(story))
    return sse.stream(service.suggestion_events(reply, RiceSuggestion))


async def _stored_bug_rice(bug_id: str, data: RiceIn) -> BugRiceOut:
    caller = current_caller()
    rice = service.valid_rice(**data.model_dump())
    async with db.connection(caller) as conn:
        bug = await repo.set_rice(conn, "bug", user_id=caller.id, item_id=bug_id, rice=rice, epic_id=None)
    return BugRiceOut.from_row(service.found("bug", bug))


@blueprint.get("/bug/<bug_id>")
@login_required
@validate_response(BugRiceOut)
async def get_bug_rice(bug_id: str) -> BugRiceOut:
    """The bug's RICE score."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        bug = await repo.get_bug(conn, user_id=caller.id, bug_id=bug_id)
    return BugRiceOut.from_row(service.found("bug", bug))


@blueprint.put("/bug/<bug_id>/rice")
@login_required
@validate_request(RiceIn)
@validate_response(BugRiceOut)
async def put_bug_rice(bug_id: str, data: RiceIn) -> BugRiceOut:
    """Set the bug's RICE score (422 out of range, 400 off the allowed impact or confidence)."""
    return await _stored_bug_rice(bug_id, data)


@blueprint.post("/standalone-bug/<bug_id>/score")
@login_required
@validate_request(RiceIn)
@validate_response(BugRiceOut)
async def score_standalone_bug(bug_id: str, data: RiceIn) -> BugRiceOut:
    """Set a bug's RICE score (the same as PUT /bug/{id}/rice)."""
    return await _stored_bug_rice(bug_id, data)


@blueprint.post("/bug/<bug_id>/suggest")
@login_required
@ai_route
@streams(*SUGGESTION_EVENTS)
async def suggest_bug_rice(bug_id: str) -> Response:
    """A suggested RICE score for the bug (Server-Sent Events; nothing is stored)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        bug = service.found("bug", await repo.get_bug(conn, user_id=caller.id, bug_id=bug_id))
    reply = ai.Reply(call, prompts.SYSTEM, prompts.bug(bug))
    return sse.stream(service.suggestion_events(reply, RiceSuggestion))


# A whole epic at once


@blueprint.post("/epic/<epic_id>/bulk-score")
@login_required
@ai_route
@validate_response(BulkScoreOut)
async def bulk_score(epic_id: str) -> BulkScoreOut:
    """Suggested MoSCoW and RICE for every feature of the epic, matched back by id (nothing is stored)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        epic = service.found(
            "epic",
            await repo.epic_for_bulk_scoring(conn, user_id=caller.id, epic_id=epic_id, with_stories_and_bugs=False),
        )
    features = epic["features"]
    if not features:
        raise APIError(400, "NO_FEATURES", "The epic has no features to score")
    found: BulkScores = await ai.structured(call, prompts.SYSTEM, prompts.bulk_features(epic, features), BulkScores)
    suggestions = service.matched_features(found.suggestions, features)
    return BulkScoreOut(epic_id=epic_id, epic_title=epic["title"], suggestions=suggestions, generated_at=_now())


@blueprint.post("/epic/<epic_id>/apply-scores")
@login_required
@validate_request(ApplyScoresIn)
@validate_response(ApplyScoresOut)
async def apply_scores(epic_id: str, data: ApplyScoresIn) -> ApplyScoresOut:
    """Store the features' suggested scores, on the allowed values, all or none (404 for an item not
    under the epic)."""
    caller = current_caller()
    items = [ItemScore(item_id=s.feature_id, moscow=s.moscow, rice=s.rice) for s in data.root]
    async with db.transaction(caller) as conn:
        service.found("epic", await repo.get_epic_moscow(conn, user_id=caller.id, epic_id=epic_id))
        applied = [
            item.item_id
            for item in items
            if await service.apply_feature(conn, user_id=caller.id, epic_id=epic_id, item=item)
        ]
    feature_ids = list(dict.fromkeys(applied))
    return ApplyScoresOut(applied=len(feature_ids), feature_ids=feature_ids)


@blueprint.post("/epic/<epic_id>/bulk-score-all")
@login_required
@ai_route
@validate_response(BulkScoreAllOut)
async def bulk_score_all(epic_id: str) -> BulkScoreAllOut:
    """Suggested scores for the epic's features, their stories and the bugs linked under the epic,
    matched back by id (nothing is stored)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        epic = service.found(
            "epic",
            await repo.epic_for_bulk_scoring(conn, user_id=caller.id, epic_id=epic_id, with_stories_and_bugs=True),
        )
    features, stories, bugs = epic["features"], epic["stories"], epic["bugs"]
    if not (features or stories or bugs):
        raise APIError(400, "NOTHING_TO_SCORE", "The epic has no features, stories or bugs to score")
    stories = [{**story, "title": story["title"] or story["story_text"]} for story in stories]
    messages = prompts.bulk_all(epic, features, stories, bugs)
    found: BulkAllScores = await ai.structured(call, prompts.SYSTEM, messages, BulkAllScores)
    return BulkScoreAllOut(
        epic_id=epic_id,
        epic_title=epic["title"],
        feature_suggestions=_typed(service.matched(found.features, features, "feature_id"), "feature"),
        story_suggestions=_typed(service.matched(found.stories, stories, "story_id"), "story"),
        bug_suggestions=_typed(service.matched(found.bugs, bugs, "bug_id"), "bug"),
        generated_at=_now(),
    )


@blueprint.post("/epic/<epic_id>/apply-all-scores")
@login_required
@validate_request(ApplyAllScoresIn)
@validate_response(ApplyAllScoresOut)
async def apply_all_scores(epic_id: str, data: ApplyAllScoresIn) -> ApplyAllScoresOut:
    """Store the suggested scores of features, stories and bugs, on the allowed values, all or none
    (404 for an item not under the epic)."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        service.found("epic", await repo.get_epic_moscow(conn, user_id=caller.id, epic_id=epic_id))
        features = [
            item
            for item in data.feature_suggestions
            if await service.apply_feature(conn, user_id=caller.id, epic_id=epic_id, item=item)
        ]
        stories = await service.apply_rice_items(
            conn, "story", user_id=caller.id, epic_id=epic_id, items=data.story_suggestions
        )
        bugs = await service.apply_rice_items(
            conn, "bug", user_id=caller.id, epic_id=epic_id, items=data.bug_suggestions
        )
    counts = AppliedCounts(features=len(features), stories=stories, bugs=bugs)
    return ApplyAllScoresOut(applied=counts, total=counts.features + stories + bugs)


# Lists


@blueprint.get("/scored-items")
@login_required
@validate_response(ScoredItemsOut)
async def scored_items() -> ScoredItemsOut:
    """The user's scored epics, standalone stories and standalone bugs (linked to nothing)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        groups = await repo.scored_items(conn, user_id=caller.id)
    items = [service.scored_item(item_type, row) for item_type, rows in groups.items() for row in rows]
    return ScoredItemsOut(items=items, total=len(items))


@blueprint.get("/items-for-scoring")
@login_required
@validate_response(ItemsForScoringOut)
async def items_for_scoring() -> ItemsForScoringOut:
    """What can be scored: locked, non-archived epics, standalone stories, bugs linked to nothing."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        groups = await repo.items_for_scoring(conn, user_id=caller.id)
    return ItemsForScoringOut(
        epics=[{**row, "has_moscow": row["moscow_score"] is not None} for row in groups["epics"]],
        standalone_stories=[{**row, "has_rice": row["rice_total"] is not None} for row in groups["standalone_stories"]],
        standalone_bugs=[{**row, "has_rice": row["rice_total"] is not None} for row in groups["standalone_bugs"]],
    )


@blueprint.get("/epic/<epic_id>/scores")
@login_required
@validate_response(EpicScoresOut)
async def epic_scores(epic_id: str) -> EpicScoresOut:
    """The epic's score with those of its features, their stories and the bugs linked under it."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        epic = service.found("epic", await repo.get_epic_moscow(conn, user_id=caller.id, epic_id=epic_id))
        features = await repo.epic_features(conn, user_id=caller.id, epic_id=epic_id)
        stories = await repo.epic_stories(conn, user_id=caller.id, epic_id=epic_id)
        bugs = await repo.epic_bugs(conn, user_id=caller.id, epic_id=epic_id)
    return EpicScoresOut(**epic, features=features, stories=stories, bugs=bugs)


def _typed(items: list[ItemScore], item_type: str) -> list[ItemScore]:
    return [item.model_copy(update={"item_type": item_type}) for item in items]


def _now() -> datetime:
    return datetime.now(UTC)
