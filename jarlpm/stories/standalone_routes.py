"""/api/stories standalone routes, the AI story interview, and /all (every story the user owns).

Their fixed segments (/all, /standalone, /ai, and /feature in routes.py) are never taken for a story
id: the feature-bound routes' id converter refuses them, so each path has only its own methods.
"""

from __future__ import annotations

from asyncpg import Connection
from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import ai, db
from jarlpm.ai import InterviewIn
from jarlpm.errors import APIError
from jarlpm.http import sse
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.idempotency import idempotent
from jarlpm.http.openapi import streams
from jarlpm.http.rate_limits import ai_route
from jarlpm.http.replies import conversation_idle
from jarlpm.stories import prompts, repo, service
from jarlpm.stories.models import (
    AllStoriesFilter,
    MessageOut,
    StandaloneChatIn,
    StandaloneStoryIn,
    StoryFilter,
    StoryOut,
    StoryProposal,
    StoryUpdate,
    StoryUpdateIn,
)

blueprint = Blueprint("standalone_stories", __name__, url_prefix="/stories")


NOT_STANDALONE = "This is not a standalone story"


async def _standalone(conn: Connection, *, user_id: str, story_id: str) -> dict:
    """The user's standalone story; 400 for one of their feature-bound stories, 404 otherwise."""
    story = await repo.get_story(conn, user_id=user_id, story_id=story_id, standalone=True)
    if story is not None:
        return story
    if await repo.get_story(conn, user_id=user_id, story_id=story_id, standalone=False) is not None:
        raise APIError(400, "NOT_STANDALONE", NOT_STANDALONE)
    raise APIError(404, *service.NOT_FOUND)


def _refuse_approved(story: dict, action: str, *, status: int = 409) -> None:
    # The contract's lock policy answers 409 to editing or deleting an approved story; refining one
    # is an ordinary business-rule refusal (400), as for feature-bound stories.
    if story["current_stage"] == "approved":
        raise APIError(status, "STORY_APPROVED", f"Cannot {action} an approved story")


@blueprint.get("/all")
@login_required
@validate_querystring(AllStoriesFilter)
@validate_response(list[StoryOut])
async def list_all(query_args: AllStoriesFilter) -> list[StoryOut]:
    """Every story the user owns, feature-bound and standalone, newest first."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        stories = await repo.list_stories(
            conn, user_id=caller.id, stage=query_args.stage, standalone=query_args.standalone
        )
    return [StoryOut(**story) for story in stories]


@blueprint.get("/standalone")
@login_required
@validate_querystring(StoryFilter)
@validate_response(list[StoryOut])
async def list_standalone(query_args: StoryFilter) -> list[StoryOut]:
    """The user's standalone stories, newest first, optionally of one stage."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        stories = await repo.list_stories(conn, user_id=caller.id, stage=query_args.stage, standalone=True)
    return [StoryOut(**story) for story in stories]


@blueprint.post("/standalone")
@login_required
@idempotent
@validate_request(StandaloneStoryIn)
@validate_response(StoryOut, 201)
async def create_standalone(data: StandaloneStoryIn) -> tuple[StoryOut, int]:
    """Create a story that belongs to no feature."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        story = await repo.create_story(conn, user_id=caller.id, feature_id=None, **data.model_dump())
    assert story is not None  # only a feature that is not the user's makes it None
    return StoryOut(**story), 201


@blueprint.get("/standalone/<story_id>")
@login_required
@validate_response(StoryOut)
async def get_standalone(story_id: str) -> StoryOut:
    """One standalone story."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        story = await _standalone(conn, user_id=caller.id, story_id=story_id)
    return StoryOut(**story)


@blueprint.put("/standalone/<story_id>")
@login_required
@validate_request(StoryUpdateIn)
@validate_response(StoryOut)
async def update_standalone(story_id: str, data: StoryUpdateIn) -> StoryOut:
    """Change a standalone story; 409 once it is approved."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        # Read first: a feature-bound story is 400 here, and an approved one 409.
        story = await _standalone(conn, user_id=caller.id, story_id=story_id)
        _refuse_approved(story, "update")
        changes = data.model_dump(exclude_none=True)
        updated = await repo.update_story(conn, user_id=caller.id, story_id=story_id, **changes)
    if updated is None:  # approved by a concurrent request
        raise APIError(409, "STORY_APPROVED", "Cannot update an approved story")
    return StoryOut(**updated)


@blueprint.delete("/standalone/<story_id>")
@login_required
@validate_response(MessageOut)
async def delete_standalone(story_id: str) -> MessageOut:
    """Delete a standalone story with its conversation; 409 once it is approved."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        _refuse_approved(await _standalone(conn, user_id=caller.id, story_id=story_id), "delete")
        await repo.delete_story(conn, user_id=caller.id, story_id=story_id, standalone=True)
    return MessageOut(message="User story deleted")


@blueprint.post("/standalone/<story_id>/approve")
@login_required
@validate_response(StoryOut)
async def approve_standalone(story_id: str) -> StoryOut:
    """Approve a standalone story: its content is frozen from now on."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        # Read first: a feature-bound story is NOT_STANDALONE and a missing one 404, not STORY_ALREADY_APPROVED.
        await _standalone(conn, user_id=caller.id, story_id=story_id)
        approved = await repo.approve_story(conn, user_id=caller.id, story_id=story_id)
    if approved is None:
        raise APIError(400, "STORY_ALREADY_APPROVED", "Story is already approved")
    return StoryOut(**approved)


@blueprint.post("/standalone/<story_id>/chat")
@login_required
@ai_route
@validate_request(StandaloneChatIn)
@streams(
    "chunk {content}*",
    "story_updated {update: {persona?, action?, benefit?, acceptance_criteria?, story_points?, labels?, "
    "story_priority?, dependencies?, risks?, edge_cases?, notes_for_engineering?}}?",
    "done | error {message}",
)
async def chat_standalone(story_id: str, data: StandaloneChatIn) -> Response:
    """Refine a standalone story (Server-Sent Events: chunk*, story_updated?, done | error).

    The server keeps the history."""
    caller = current_caller()
    conversation = await conversation_idle(caller.session_key, "story", story_id)
    async with db.transaction(caller.session) as conn:  # prelude: two statements (a refusal rolls the message back)
        call, context = await ai.prepare(conn, caller)
        user_id = caller.id
        opened = await repo.open_chat_turn(
            conn,
            user_id=user_id,
            story_id=story_id,
            standalone=True,
            content=data.content,
            history_limit=prompts.HISTORY_LIMIT,
        )
        if opened is None:
            raise APIError(404, *service.NOT_FOUND)
        story, _, history = opened
        if not story["is_standalone"]:
            raise APIError(400, "NOT_STANDALONE", NOT_STANDALONE)
        _refuse_approved(story, "refine", status=400)
    refinement = ai.Refinement(
        call,
        prompts.refine_system_prompt(story, None, context),
        prompts.chat_messages(history, data.content),
        tag=prompts.UPDATE_TAG,
        update=StoryUpdate,
        event="story_updated",
        metadata=ai.call_metadata(call, prompts.PROMPT_VERSION),
        writes=service.refinement_writes(user_id=user_id, story_id=story_id, feature_id=None, epic_id=None),
    )
    return sse.stream(refinement.events(), save=refinement.save, conversation=conversation)


@blueprint.post("/ai/chat")
@login_required
@ai_route
@validate_request(InterviewIn)
@streams(
    "chunk {content}*",
    "done {proposal: {title, persona, action, benefit, acceptance_criteria, story_points} | null, is_complete}"
    " | error {message}",
)
async def interview(data: InterviewIn) -> Response:
    """The story interview, one question at a time (Server-Sent Events: chunk*, done {proposal, is_complete}).
    The client keeps the history; nothing is stored."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
    interview = ai.Interview(call, prompts.interview_system_prompt(context), data.messages(), proposal=StoryProposal)
    return sse.stream(interview.events(), done=interview.done)


@blueprint.post("/ai/create-from-proposal")
@login_required
@idempotent
@validate_request(StoryProposal)
@validate_response(StoryOut)
async def create_from_proposal(data: StoryProposal) -> StoryOut:
    """Save the interview's proposal as a standalone story."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        story = await repo.create_story(
            conn, user_id=caller.id, feature_id=None, source="ai_generated", **data.model_dump()
        )
    assert story is not None  # only a feature that is not the user's makes it None
    return StoryOut(**story)
