"""/api/bugs: bug reports, their status machine and history, links to work, and the AI helpers."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import ai, db
from jarlpm.ai import InterviewIn
from jarlpm.bugs import prompts, repo, service
from jarlpm.bugs.models import (
    BugIn,
    BugOut,
    BugProposal,
    BugQuery,
    BugUpdateIn,
    HistoryOut,
    LinkOut,
    LinksIn,
    MessageOut,
    ProposalIn,
    SeveritySuggestion,
    TransitionIn,
)
from jarlpm.errors import APIError
from jarlpm.http import sse
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.idempotency import idempotent
from jarlpm.http.openapi import streams
from jarlpm.http.rate_limits import ai_route

blueprint = Blueprint("bugs", __name__, url_prefix="/bugs")


@blueprint.post("")
@login_required
@idempotent
@validate_request(BugIn)
@validate_response(BugOut)
async def create_bug(data: BugIn) -> BugOut:
    """Report a bug (it starts in draft), optionally linked to the user's epics, features or stories."""
    links = [(link.entity_type, link.entity_id) for link in data.links]
    fields = data.model_dump(exclude={"links"})
    caller = current_caller()
    async with db.transaction(caller) as conn:
        bug = await service.create_bug(conn, user_id=caller.id, fields=fields, links=links)
    return BugOut.from_row(bug)


@blueprint.get("")
@login_required
@validate_querystring(BugQuery)
@validate_response(list[BugOut])
async def list_bugs(query_args: BugQuery) -> list[BugOut]:
    """The user's bugs, filtered and sorted (soft-deleted ones never appear)."""
    filters = query_args.model_dump(exclude={"sort_order"})
    caller = current_caller()
    async with db.connection(caller) as conn:
        bugs = await repo.list_bugs(conn, user_id=caller.id, descending=query_args.sort_order == "desc", **filters)
    return [BugOut.from_row(bug) for bug in bugs]


@blueprint.get("/<bug_id>")
@login_required
@validate_response(BugOut)
async def get_bug(bug_id: str) -> BugOut:
    """One bug with its links and the statuses it may move to."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        bug = await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)
    return BugOut.from_row(bug)


@blueprint.patch("/<bug_id>")
@login_required
@validate_request(BugUpdateIn)
@validate_response(BugOut)
async def update_bug(bug_id: str, data: BugUpdateIn) -> BugOut:
    """Edit a bug; only while it is in draft."""
    service.check_value("severity", data.severity)
    service.check_value("priority", data.priority)
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)  # 404 before 400
        if not await repo.update_bug(conn, user_id=caller.id, bug_id=bug_id, **data.model_dump(exclude_none=True)):
            raise APIError(400, "BUG_NOT_EDITABLE", "Bug can only be edited in Draft status")
        bug = await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)
    return BugOut.from_row(bug)


@blueprint.delete("/<bug_id>")
@login_required
@validate_response(MessageOut)
async def delete_bug(bug_id: str) -> MessageOut:
    """Delete a bug (it is hidden; its history is kept)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        deleted = await repo.soft_delete(conn, user_id=caller.id, bug_id=bug_id)
    if not deleted:
        raise APIError(404, *service.NOT_FOUND)
    return MessageOut(message="Bug deleted")


@blueprint.post("/<bug_id>/transition")
@login_required
@validate_request(TransitionIn)
@validate_response(BugOut)
async def transition_bug(bug_id: str, data: TransitionIn) -> BugOut:
    """Move a bug one step: draft → confirmed → in_progress → resolved → closed."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        bug = await service.transition(
            conn, user_id=caller.id, bug_id=bug_id, new_status=data.new_status, notes=data.notes
        )
    return BugOut.from_row(bug)


@blueprint.get("/<bug_id>/history")
@login_required
@validate_response(list[HistoryOut])
async def history(bug_id: str) -> list[HistoryOut]:
    """Every status change of a bug, oldest first."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)  # 404, not []
        rows = await repo.list_history(conn, user_id=caller.id, bug_id=bug_id)
    return [HistoryOut(**row) for row in rows]


@blueprint.post("/<bug_id>/links")
@login_required
@idempotent
@validate_request(LinksIn)
@validate_response(list[LinkOut])
async def add_links(bug_id: str, data: LinksIn) -> list[LinkOut]:
    """Link a bug to the user's epics, features or stories; returns the links created (duplicates skipped)."""
    links = [(link.entity_type, link.entity_id) for link in data.links]
    caller = current_caller()
    async with db.transaction(caller) as conn:
        # 404 for a missing bug, where the links alone would answer 400 (target) or [] (nothing added).
        await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)
        created = await service.add_links(conn, user_id=caller.id, bug_id=bug_id, links=links)
    return [LinkOut(**link) for link in created]


@blueprint.get("/<bug_id>/links")
@login_required
@validate_response(list[LinkOut])
async def list_links(bug_id: str) -> list[LinkOut]:
    """A bug's links."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)  # 404, not []
        links = await repo.list_links(conn, user_id=caller.id, bug_id=bug_id)
    return [LinkOut(**link) for link in links]


@blueprint.delete("/<bug_id>/links/<link_id>")
@login_required
@validate_response(MessageOut)
async def remove_link(bug_id: str, link_id: str) -> MessageOut:
    """Remove one link of a bug."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)  # BUG_NOT_FOUND before LINK_NOT_FOUND
        removed = await repo.delete_link(conn, user_id=caller.id, bug_id=bug_id, link_id=link_id)
    if not removed:
        raise APIError(404, "LINK_NOT_FOUND", "Link not found")
    return MessageOut(message="Link removed")


@blueprint.get("/by-entity/<entity_type>/<entity_id>")
@login_required
@validate_response(list[BugOut])
async def bugs_for_entity(entity_type: str, entity_id: str) -> list[BugOut]:
    """The user's bugs linked to an epic, feature or story: [] when none, whether or not it exists or is theirs."""
    service.check_entity_type(entity_type)
    caller = current_caller()
    async with db.connection(caller) as conn:
        # Only the user's own bugs are listed, and they link only to the user's own work, so another
        # user's id and a missing one both give [] and say nothing about which it is.
        bugs = await repo.list_bugs(conn, user_id=caller.id, entity=(entity_type, entity_id))
    return [BugOut.from_row(bug) for bug in bugs]


@blueprint.post("/ai/chat")
@login_required
@ai_route
@validate_request(InterviewIn)
@streams(
    "chunk {content}*",
    "done {proposal: {title, description, severity, steps_to_reproduce, expected_behavior, actual_behavior, "
    "environment, priority} | null, is_complete} | error {message}",
)
async def interview(data: InterviewIn) -> Response:
    """The bug interview, one question at a time (Server-Sent Events: chunk*, done {proposal, is_complete})."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
    interview = ai.Interview(call, prompts.interview_system_prompt(context), data.messages(), proposal=BugProposal)
    return sse.stream(interview.events(), done=interview.done)


@blueprint.post("/ai/create-from-proposal")
@login_required
@idempotent
@validate_request(ProposalIn)
@validate_response(BugOut)
async def create_from_proposal(data: ProposalIn) -> BugOut:
    """Save the interview's proposal as a draft bug."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        bug = await service.create_bug(
            conn, user_id=caller.id, fields=data.model_dump(), notes="Bug created from the AI interview"
        )
    return BugOut.from_row(bug)


@blueprint.post("/<bug_id>/ai/refine")
@blueprint.post("/<bug_id>/ai/refine-description")
@login_required
@ai_route
@streams("chunk {content}*", "done | error {message}")
async def refine_description(bug_id: str) -> Response:
    """A clearer description of the bug, streamed (Server-Sent Events: chunk*, done). Nothing is stored."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        bug = await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)
    system, messages = prompts.refine_prompt(bug)
    return sse.stream(ai.chunks(ai.Reply(call, system, messages)))


@blueprint.post("/<bug_id>/ai/suggest-severity")
@login_required
@ai_route
@validate_response(SeveritySuggestion)
async def suggest_severity(bug_id: str) -> SeveritySuggestion:
    """A suggested severity and priority with reasons (nothing is changed)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        bug = await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)
    system, messages = prompts.severity_prompt(bug)  # the connection is back in the pool during the call
    return await ai.structured(call, system, messages, SeveritySuggestion)
