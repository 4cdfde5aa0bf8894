"""/api/initiatives: the library of every epic as an initiative (list, tree, archive, duplicate, delete)."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import db
from jarlpm.db.search import contains_pattern
from jarlpm.epics import repo as epics
from jarlpm.errors import APIError
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.idempotency import idempotent
from jarlpm.initiatives import repo, rules, service
from jarlpm.initiatives.models import (
    DuplicateIn,
    DuplicateOut,
    InitiativeDetailOut,
    InitiativeListOut,
    InitiativeMessageOut,
    InitiativeQuery,
    RegenerationOut,
    StatusIn,
    StatusSummaryOut,
)

blueprint = Blueprint("initiatives", __name__, url_prefix="/initiatives")


@blueprint.get("")
@login_required
@validate_querystring(InitiativeQuery)
@validate_response(InitiativeListOut)
async def list_initiatives(query_args: InitiativeQuery) -> InitiativeListOut:
    """One page of the user's initiatives, filtered and sorted (archived ones only when asked for)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows, total = await repo.list_initiatives(
            conn,
            user_id=caller.id,
            archived=query_args.status == "archived",
            stages=rules.stages_with_status(query_args.status),
            search=contains_pattern(query_args.search),
            sort_by=query_args.sort_by,
            descending=query_args.sort_order == "desc",
            limit=query_args.page_size,
            offset=query_args.offset,
        )
    return InitiativeListOut.from_page(rows, total, query_args)


@blueprint.get("/stats/summary")
@login_required
@validate_response(StatusSummaryOut)
async def status_summary() -> StatusSummaryOut:
    """How many of the user's initiatives show each status."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        counts = await service.status_summary(conn, user_id=caller.id)
    return StatusSummaryOut(**counts)


@blueprint.get("/<epic_id>")
@login_required
@validate_response(InitiativeDetailOut)
async def get_initiative(epic_id: str) -> InitiativeDetailOut:
    """One initiative with its snapshot text and its feature and story tree."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        initiative = await service.owned_initiative(conn, user_id=caller.id, epic_id=epic_id)
        features = await repo.feature_tree(conn, user_id=caller.id, epic_id=epic_id)
    return InitiativeDetailOut.from_rows(initiative, features)


@blueprint.patch("/<epic_id>/status")
@login_required
@validate_request(StatusIn)
@validate_response(InitiativeMessageOut)
async def set_status(epic_id: str, data: StatusIn) -> InitiativeMessageOut:
    """Archive, or restore to the status its stage gives; the other statuses only the conversation reaches."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.set_status(conn, user_id=caller.id, epic_id=epic_id, requested=data.status)
    return InitiativeMessageOut(message=f"Status updated to {data.status}", epic_id=epic_id)


@blueprint.post("/<epic_id>/duplicate")
@login_required
@idempotent
@validate_request(DuplicateIn)
@validate_response(DuplicateOut)
async def duplicate(epic_id: str, data: DuplicateIn) -> DuplicateOut:
    """Copy an initiative: it restarts in Problem Capture, with its features and stories back in draft."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        copy = await service.duplicate(conn, user_id=caller.id, epic_id=epic_id, new_title=data.new_title)
    return DuplicateOut(message="Initiative duplicated", new_epic_id=copy["epic_id"], title=copy["title"])


@blueprint.patch("/<epic_id>/archive")
@login_required
@validate_response(InitiativeMessageOut)
async def archive(epic_id: str) -> InitiativeMessageOut:
    """Archive an initiative (reversible; it leaves the default list and the dashboard's figures)."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.set_archived(conn, user_id=caller.id, epic_id=epic_id, archived=True)
    return InitiativeMessageOut(message="Initiative archived", epic_id=epic_id)


@blueprint.patch("/<epic_id>/unarchive")
@login_required
@validate_response(InitiativeMessageOut)
async def unarchive(epic_id: str) -> InitiativeMessageOut:
    """Restore an archived initiative."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.set_archived(conn, user_id=caller.id, epic_id=epic_id, archived=False)
    return InitiativeMessageOut(message="Initiative unarchived", epic_id=epic_id)


@blueprint.delete("/<epic_id>")
@login_required
@validate_response(InitiativeMessageOut)
async def delete(epic_id: str) -> InitiativeMessageOut:
    """Delete an initiative for good, with everything under it and its history."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        deleted = await epics.delete_epic(conn, user_id=caller.id, epic_id=epic_id)
    if not deleted:
        raise APIError(404, *service.NOT_FOUND)
    return InitiativeMessageOut(message="Initiative deleted", epic_id=epic_id)


@blueprint.get("/<epic_id>/features/<feature_id>/regenerate")
@login_required
@validate_response(RegenerationOut)
async def regeneration_context(epic_id: str, feature_id: str) -> RegenerationOut:
    """What regenerating one feature needs to know (context only; nothing is generated)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        row = await repo.regeneration_context(conn, user_id=caller.id, epic_id=epic_id, feature_id=feature_id)
    if row is None:
        raise APIError(404, *service.NOT_FOUND)
    if row["feature_id"] is None:
        raise APIError(404, *service.FEATURE_NOT_FOUND)
    return RegenerationOut.from_row(row)
