"""/api/features: features of a locked epic, generated, refined by conversation, approved."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from quart import Blueprint, Response
from quart_schema import validate_request, validate_response

from jarlpm import ai, db
from jarlpm.epics.service import NOT_FOUND as EPIC_NOT_FOUND
from jarlpm.epics.service import owned_epic
from jarlpm.errors import APIError
from jarlpm.features import prompts, repo, service
from jarlpm.features.models import (
    ChatIn,
    ConversationEventOut,
    FeatureIn,
    FeatureOut,
    FeatureUpdate,
    FeatureUpdateIn,
    GeneratedFeature,
    GenerateIn,
    MessageOut,
)
from jarlpm.http import sse
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.idempotency import idempotent
from jarlpm.http.openapi import streams
from jarlpm.http.rate_limits import ai_route
from jarlpm.http.replies import conversation_idle

blueprint = Blueprint("features", __name__, url_prefix="/features")

GeneratedFeatures = Annotated[list[GeneratedFeature], Field(min_length=1)]


@blueprint.get("/epic/<epic_id>")
@login_required
@validate_response(list[FeatureOut])
async def list_features(epic_id: str) -> list[FeatureOut]:
    """The epic's features, oldest first (a plain array)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await owned_epic(conn, user_id=caller.id, epic_id=epic_id)  # 404, where the list alone would be []
        features = await repo.list_features(conn, user_id=caller.id, epic_id=epic_id)
    return [FeatureOut(**feature) for feature in features]


@blueprint.post("/epic/<epic_id>")
@login_required
@idempotent
@validate_request(FeatureIn)
@validate_response(FeatureOut, 201)
async def create_feature(epic_id: str, data: FeatureIn) -> tuple[FeatureOut, int]:
    """Add a draft feature to a locked epic."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.locked_epic(conn, user_id=caller.id, epic_id=epic_id)  # 400 while it is not locked
        feature = await repo.create_feature(conn, user_id=caller.id, epic_id=epic_id, **data.model_dump())
    if feature is None:  # the epic was deleted meanwhile
        raise APIError(404, *EPIC_NOT_FOUND)
    return FeatureOut(**feature), 201


@blueprint.post("/epic/<epic_id>/generate")
@login_required
@ai_route
@validate_request(GenerateIn)
@streams(
    "chunk {content}*", "features {features: [{title, description, acceptance_criteria}]} | error {message}", "done"
)
async def generate_features(epic_id: str, data: GenerateIn) -> Response:
    """Draft features for a locked epic (Server-Sent Events: chunk*, features | error, done). Nothing is saved."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        epic = await service.locked_epic(conn, user_id=caller.id, epic_id=epic_id)
    system, messages = prompts.generate_prompt(epic, context, data.count)
    drafts = ai.drafts(call, system, messages, schema=GeneratedFeatures, event="features")
    return sse.stream(drafts, after_error=ai.AFTER_FAILED_DRAFTS)


@blueprint.get("/<feature_id>")
@login_required
@validate_response(FeatureOut)
async def get_feature(feature_id: str) -> FeatureOut:
    """One feature."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        feature = await service.owned_feature(conn, user_id=caller.id, feature_id=feature_id)
    return FeatureOut(**feature)


@blueprint.put("/<feature_id>")
@login_required
@validate_request(FeatureUpdateIn)
@validate_response(FeatureOut)
async def update_feature(feature_id: str, data: FeatureUpdateIn) -> FeatureOut:
    """Change a feature's content; 400 once it is approved."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        feature = await service.owned_feature(conn, user_id=caller.id, feature_id=feature_id)
        service.refuse_if_approved(feature, "update")
        updated = await repo.update_feature(conn, user_id=caller.id, feature_id=feature_id, **data.model_dump())
    if updated is None:
        raise APIError(400, "FEATURE_APPROVED", "Cannot update approved features")
    return FeatureOut(**updated)


@blueprint.delete("/<feature_id>")
@login_required
@validate_response(MessageOut)
async def delete_feature(feature_id: str) -> MessageOut:
    """Delete a feature (approved ones too) with its stories and conversation."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        deleted = await repo.delete_feature(conn, user_id=caller.id, feature_id=feature_id)
    if not deleted:
        raise APIError(404, *service.NOT_FOUND)
    return MessageOut(message="Feature deleted")


@blueprint.post("/<feature_id>/approve")
@login_required
@validate_response(FeatureOut)
async def approve_feature(feature_id: str) -> FeatureOut:
    """Approve a feature: its content is frozen from now on."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.owned_feature(conn, user_id=caller.id, feature_id=feature_id)  # 404 before 400
        approved = await repo.approve_feature(conn, user_id=caller.id, feature_id=feature_id)
    if approved is None:
        raise APIError(400, "FEATURE_ALREADY_APPROVED", "Feature is already approved")
    return FeatureOut(**approved)


@blueprint.get("/<feature_id>/conversation")
@login_required
@validate_response(list[ConversationEventOut])
async def conversation(feature_id: str) -> list[ConversationEventOut]:
    """The refinement conversation about a feature, oldest first."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await service.owned_feature(conn, user_id=caller.id, feature_id=feature_id)  # 404, not []
        events = await repo.list_events(conn, user_id=caller.id, feature_id=feature_id)
    return [ConversationEventOut(**event) for event in events]


@blueprint.post("/<feature_id>/chat")
@login_required
@ai_route
@validate_request(ChatIn)
@streams(
    "chunk {content}*",
    "feature_updated {update: {title?, description?, acceptance_criteria?}}?",
    "done | error {message}",
)
async def chat(feature_id: str, data: ChatIn) -> Response:
    """Refine a feature with the assistant (Server-Sent Events: chunk*, feature_updated?, done | error)."""
    caller = current_caller()
    conversation = await conversation_idle(caller.session_key, "feature", feature_id)
    async with db.transaction(caller.session) as conn:  # prelude: two statements
        call, context = await ai.prepare(conn, caller)
        user_id = caller.id
        feature, epic, history = await service.open_chat_turn(
            conn, user_id=user_id, feature_id=feature_id, content=data.content
        )
    refinement = ai.Refinement(
        call,
        prompts.refine_system_prompt(epic, feature, context),
        prompts.chat_messages(history, data.content),
        tag=prompts.UPDATE_TAG,
        update=FeatureUpdate,
        event="feature_updated",
        metadata=ai.call_metadata(call, prompts.PROMPT_VERSION),
        writes=service.refinement_writes(user_id=user_id, feature_id=feature_id, epic_id=feature["epic_id"]),
    )
    return sse.stream(refinement.events(), save=refinement.save, conversation=conversation)
