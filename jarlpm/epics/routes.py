"""/api/epics: epics, their streamed conversation, proposals, transcript, decisions and artifacts."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import validate_request, validate_response

from jarlpm import ai, db
from jarlpm.epics import prompts, repo, rules, service
from jarlpm.epics.models import (
    ArtifactIn,
    ArtifactOut,
    ChatIn,
    CreateEpicIn,
    DecisionIn,
    DecisionsOut,
    EpicListOut,
    EpicOut,
    MessageOut,
    PermissionsOut,
    TranscriptOut,
)
from jarlpm.errors import APIError
from jarlpm.http import sse
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.idempotency import idempotent
from jarlpm.http.openapi import streams
from jarlpm.http.rate_limits import ai_route
from jarlpm.http.replies import conversation_idle

blueprint = Blueprint("epics", __name__, url_prefix="/epics")


@blueprint.get("")
@login_required
@validate_response(EpicListOut)
async def list_epics() -> EpicListOut:
    """The user's epics, most recently changed first."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        epics = await repo.list_epics(conn, user_id=caller.id)
    return EpicListOut(epics=[EpicOut.from_row(epic) for epic in epics])


@blueprint.post("")
@login_required
@idempotent
@validate_request(CreateEpicIn)
@validate_response(EpicOut, 201)
async def create_epic(data: CreateEpicIn) -> tuple[EpicOut, int]:
    """Create an epic; it starts in Problem Capture."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        epic = await service.create_epic(conn, user_id=caller.id, title=data.title.strip())
    return EpicOut.from_row(epic), 201


@blueprint.get("/<epic_id>")
@login_required
@validate_response(EpicOut)
async def get_epic(epic_id: str) -> EpicOut:
    """One epic with its snapshot and pending proposal."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        epic = await service.owned_epic(conn, user_id=caller.id, epic_id=epic_id)
    return EpicOut.from_row(epic)


@blueprint.delete("/<epic_id>")
@login_required
@validate_response(MessageOut)
async def delete_epic(epic_id: str) -> MessageOut:
    """Delete an epic and everything under it."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        deleted = await repo.delete_epic(conn, user_id=caller.id, epic_id=epic_id)
    if not deleted:
        raise APIError(404, *service.NOT_FOUND)
    return MessageOut(message="Epic deleted")


@blueprint.get("/<epic_id>/permissions")
@login_required
@validate_response(PermissionsOut)
async def get_permissions(epic_id: str) -> PermissionsOut:
    """What may be changed on the epic and under it, given its stage."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        epic = await service.owned_epic(conn, user_id=caller.id, epic_id=epic_id)
    return PermissionsOut(epic_id=epic_id, current_stage=epic["current_stage"], permissions=rules.permissions(epic))


@blueprint.post("/<epic_id>/chat")
@login_required
@ai_route
@validate_request(ChatIn)
@streams("chunk {content}*", "proposal {proposal_id, field, content, target_stage}?", "done | error {message}")
async def chat(epic_id: str, data: ChatIn) -> Response:
    """Talk with the PM assistant about the epic (Server-Sent Events: chunk*, proposal?, done | error)."""
    caller = current_caller()
    conversation = await conversation_idle(caller.session_key, "epic", epic_id)
    async with db.transaction(caller.session) as conn:  # prelude: two statements
        call, context = await ai.prepare(conn, caller)
        epic, history = await service.open_chat_turn(conn, user_id=caller.id, epic_id=epic_id, content=data.content)
    reply = ai.Reply(call, prompts.system_prompt(epic, context), prompts.chat_messages(history, data.content))
    metadata = ai.call_metadata(call, prompts.PROMPT_VERSION)
    save = service.reply_saver(
        reply, user_id=caller.id, epic_id=epic_id, stage=epic["current_stage"], metadata=metadata
    )
    return sse.stream(ai.chunks(reply), save=save, conversation=conversation)


@blueprint.post("/<epic_id>/confirm-proposal")
@login_required
@validate_request(DecisionIn)
@validate_response(EpicOut)
async def confirm_proposal(epic_id: str, data: DecisionIn) -> EpicOut:
    """Confirm (lock and advance) or reject the pending proposal."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        epic = await service.decide_proposal(
            conn, user_id=caller.id, epic_id=epic_id, proposal_id=data.proposal_id, confirmed=data.confirmed
        )
    return EpicOut.from_row(epic)


@blueprint.get("/<epic_id>/transcript")
@login_required
@validate_response(TranscriptOut)
async def transcript(epic_id: str) -> TranscriptOut:
    """Every message and system note of the epic, oldest first."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await service.require_epic(conn, user_id=caller.id, epic_id=epic_id)
        events = await repo.list_events(conn, user_id=caller.id, epic_id=epic_id)
    return TranscriptOut(events=events)


@blueprint.get("/<epic_id>/decisions")
@login_required
@validate_response(DecisionsOut)
async def decisions(epic_id: str) -> DecisionsOut:
    """The epic's audit trail: every confirmation, rejection and automatic advance."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await service.require_epic(conn, user_id=caller.id, epic_id=epic_id)
        rows = await repo.list_decisions(conn, user_id=caller.id, epic_id=epic_id)
    return DecisionsOut(decisions=rows)


@blueprint.get("/<epic_id>/artifacts")
@login_required
@validate_response(list[ArtifactOut])
async def list_artifacts(epic_id: str) -> list[ArtifactOut]:
    """The epic's legacy artifacts (a plain array)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await service.require_epic(conn, user_id=caller.id, epic_id=epic_id)
        rows = await repo.list_artifacts(conn, user_id=caller.id, epic_id=epic_id)
    return [ArtifactOut(**row) for row in rows]


@blueprint.post("/<epic_id>/artifacts")
@login_required
@idempotent
@validate_request(ArtifactIn)
@validate_response(ArtifactOut)
async def create_artifact(epic_id: str, data: ArtifactIn) -> ArtifactOut:
    """Add a legacy artifact to the epic."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        row = await repo.create_artifact(conn, user_id=caller.id, epic_id=epic_id, **data.model_dump())
    if row is None:
        raise APIError(404, *service.NOT_FOUND)
    return ArtifactOut(**row)


@blueprint.delete("/<epic_id>/artifacts/<artifact_id>")
@login_required
@validate_response(MessageOut)
async def delete_artifact(epic_id: str, artifact_id: str) -> MessageOut:
    """Remove one of the epic's artifacts."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        deleted = await repo.delete_artifact(conn, user_id=caller.id, epic_id=epic_id, artifact_id=artifact_id)
    if not deleted:
        raise APIError(404, "ARTIFACT_NOT_FOUND", "Artifact not found")
    return MessageOut(message="Artifact deleted")
