"""/api/stories: user stories of approved features (generated, refined, approved)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from quart import Blueprint, Response
from quart_schema import validate_request, validate_response

from jarlpm import ai, db
from jarlpm.errors import APIError
from jarlpm.features.service import NOT_FOUND as FEATURE_NOT_FOUND
from jarlpm.features.service import owned_feature
from jarlpm.http import sse
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.idempotency import idempotent
from jarlpm.http.openapi import streams
from jarlpm.http.rate_limits import ai_route
from jarlpm.http.replies import conversation_idle
from jarlpm.stories import prompts, repo, service
from jarlpm.stories.models import (
    ChatIn,
    ConversationEventOut,
    GeneratedStory,
    GenerateIn,
    MessageOut,
    StoryIn,
    StoryOut,
    StoryUpdate,
    StoryUpdateIn,
)

blueprint = Blueprint("stories", __name__, url_prefix="/stories")

GeneratedStories = Annotated[list[GeneratedStory], Field(min_length=1)]
# A story id is never one of the fixed segments under /api/stories (see standalone_routes.py), else
# OPTIONS /api/stories/standalone would advertise PUT and DELETE, and PUT there would land here.
STORY_ID = '<except("standalone", "all", "feature", "ai"):story_id>'


@blueprint.get("/feature/<feature_id>")
@login_required
@validate_response(list[StoryOut])
async def list_feature_stories(feature_id: str) -> list[StoryOut]:
    """The feature's stories by priority, then creation (a plain array)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await owned_feature(conn, user_id=caller.id, feature_id=feature_id)  # 404, where the list alone would be []
        stories = await repo.list_feature_stories(conn, user_id=caller.id, feature_id=feature_id)
    return [StoryOut(**story) for story in stories]


@blueprint.post("/feature/<feature_id>")
@login_required
@idempotent
@validate_request(StoryIn)
@validate_response(StoryOut, 201)
async def create_feature_story(feature_id: str, data: StoryIn) -> tuple[StoryOut, int]:
    """Add a draft story to an approved feature."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.approved_feature(conn, user_id=caller.id, feature_id=feature_id)  # 400 until approved
        story = await repo.create_story(conn, user_id=caller.id, feature_id=feature_id, **data.model_dump())
    if story is None:  # the feature was deleted meanwhile
        raise APIError(404, *FEATURE_NOT_FOUND)
    return StoryOut(**story), 201


@blueprint.post("/feature/<feature_id>/generate")
@login_required
@ai_route
@validate_request(GenerateIn)
@streams(
    "chunk {content}*",
    "stories {stories: [{title, persona, action, benefit, acceptance_criteria, story_priority, labels, dependencies, "
    "risks, edge_cases, notes_for_engineering}]} | error {message}",
    "done",
)
async def generate_stories(feature_id: str, data: GenerateIn) -> Response:
    """Draft stories for an approved feature (Server-Sent Events: chunk*, stories | error, done). Nothing is saved."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        feature, epic = await service.approved_feature_with_epic(conn, user_id=caller.id, feature_id=feature_id)
    system, messages = prompts.generate_prompt(epic, feature, context, data.count)
    drafts = ai.drafts(call, system, messages, schema=GeneratedStories, event="stories")
    return sse.stream(drafts, after_error=ai.AFTER_FAILED_DRAFTS)


@blueprint.get(f"/{STORY_ID}")
@login_required
@validate_response(StoryOut)
async def get_story(story_id: str) -> StoryOut:
    """One feature-bound story (a standalone story is served under /standalone)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        story = await service.owned_story(conn, user_id=caller.id, story_id=story_id, standalone=False)
    return StoryOut(**story)


@blueprint.put(f"/{STORY_ID}")
@login_required
@validate_request(StoryUpdateIn)
@validate_response(StoryOut)
async def update_story(story_id: str, data: StoryUpdateIn) -> StoryOut:
    """Change a story's content; 400 once it is approved."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        # Read first: a standalone story is 404 here, and an approved one 400.
        story = await service.owned_story(conn, user_id=caller.id, story_id=story_id, standalone=False)
        updated = None
        if story["current_stage"] != "approved":
            changes = data.model_dump(exclude_none=True)
            updated = await repo.update_story(conn, user_id=caller.id, story_id=story_id, **changes)
    if updated is None:
        raise APIError(400, "STORY_APPROVED", "Cannot update approved stories")
    return StoryOut(**updated)


@blueprint.delete(f"/{STORY_ID}")
@login_required
@validate_response(MessageOut)
async def delete_story(story_id: str) -> MessageOut:
    """Delete a feature-bound story with its conversation."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        deleted = await repo.delete_story(conn, user_id=caller.id, story_id=story_id, standalone=False)
    if not deleted:
        raise APIError(404, *service.NOT_FOUND)
    return MessageOut(message="User story deleted")


@blueprint.post(f"/{STORY_ID}/approve")
@login_required
@validate_response(StoryOut)
async def approve_story(story_id: str) -> StoryOut:
    """Approve a story: its content is frozen from now on."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        # Read first: a standalone story is 404 here, and an approved one 400.
        await service.owned_story(conn, user_id=caller.id, story_id=story_id, standalone=False)
        approved = await repo.approve_story(conn, user_id=caller.id, story_id=story_id)
    if approved is None:
        raise APIError(400, "STORY_ALREADY_APPROVED", "Story is already approved")
    return StoryOut(**approved)


@blueprint.get(f"/{STORY_ID}/conversation")
@login_required
@validate_response(list[ConversationEventOut])
async def conversation(story_id: str) -> list[ConversationEventOut]:
    """The refinement conversation about a story, oldest first."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await service.owned_story(conn, user_id=caller.id, story_id=story_id, standalone=False)  # 404, not []
        events = await repo.list_events(conn, user_id=caller.id, story_id=story_id)
    return [ConversationEventOut(**event) for event in events]


@blueprint.post(f"/{STORY_ID}/chat")
@login_required
@ai_route
@validate_request(ChatIn)
@streams(
    "chunk {content}*",
    "story_updated {update: {persona?, action?, benefit?, acceptance_criteria?, story_points?, labels?, "
    "story_priority?, dependencies?, risks?, edge_cases?, notes_for_engineering?}}?",
    "done | error {message}",
)
async def chat(story_id: str, data: ChatIn) -> Response:
    """Refine a story with the assistant (Server-Sent Events: chunk*, story_updated?, done | error)."""
    caller = current_caller()
    conversation = await conversation_idle(caller.session_key, "story", story_id)
    async with db.transaction(caller.session) as conn:  # prelude: two statements (a refusal rolls the message back)
        call, context = await ai.prepare(conn, caller)
        user_id = caller.id
        opened = await repo.open_chat_turn(
            conn,
            user_id=user_id,
            story_id=story_id,
            standalone=False,
            content=data.content,
            history_limit=prompts.HISTORY_LIMIT,
        )
        story, feature, history = service.feature_chat_turn(opened)
    ids = {"story_id": story_id, "feature_id": feature["feature_id"], "epic_id": feature["epic_id"]}
    refinement = ai.Refinement(
        call,
        prompts.refine_system_prompt(story, feature, context),
        prompts.chat_messages(history, data.content),
        tag=prompts.UPDATE_TAG,
        update=StoryUpdate,
        event="story_updated",
        metadata=ai.call_metadata(call, prompts.PROMPT_VERSION),
        writes=service.refinement_writes(user_id=user_id, **ids),
    )
    return sse.stream(refinement.events(), save=refinement.save, conversation=conversation)
