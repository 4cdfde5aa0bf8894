"""/api/prd: one PRD per epic — listed, generated from the epic, edited, saved as markdown, deleted."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_request, validate_response

from jarlpm import ai, db
from jarlpm.epics.service import owned_outline
from jarlpm.errors import APIError
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.rate_limits import ai_route
from jarlpm.prd import prompts, repo, rules, service
from jarlpm.prd.models import (
    DeletedOut,
    EpicRef,
    EpicsOut,
    GeneratedOut,
    PRDListItem,
    PRDListOut,
    PRDOut,
    SavedOut,
    SaveIn,
    StructuredPRD,
    UpdatedOut,
    UpdateIn,
)

blueprint = Blueprint("prd", __name__, url_prefix="/prd")


@blueprint.get("/list")
@login_required
@validate_response(PRDListOut)
async def list_prds() -> PRDListOut:
    """The user's PRDs, most recently changed first."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows = await repo.list_prds(conn, user_id=caller.id)
    return PRDListOut(prds=[PRDListItem.model_validate(row) for row in rows])


@blueprint.get("/epics-without-prd")
@login_required
@validate_response(EpicsOut)
async def epics_without_prd() -> EpicsOut:
    """The user's epics that have no PRD yet."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows = await repo.epics_without_prd(conn, user_id=caller.id)
    return EpicsOut(epics=[EpicRef.model_validate(row) for row in rows])


@blueprint.get("/<epic_id>")
@login_required
@validate_response(PRDOut)
async def get_prd(epic_id: str) -> PRDOut:
    """The epic's PRD (structured JSON or legacy markdown), or `exists: false`."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        row = await service.owned_prd_row(conn, user_id=caller.id, epic_id=epic_id)
    document = rules.document_of(row)
    updated_at = row["updated_at"] if document else None
    return PRDOut(
        epic_id=epic_id, epic_title=row["epic_title"], prd=document, updated_at=updated_at, exists=bool(document)
    )


@blueprint.post("/save")
@login_required
@validate_request(SaveIn)
@validate_response(SavedOut)
async def save_markdown(data: SaveIn) -> SavedOut:
    """Save a markdown PRD (replaces any structured PRD of the epic)."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        kept = await repo.upsert_prd(
            conn,
            user_id=caller.id,
            epic_id=data.epic_id,
            title=data.title,
            sections=rules.markdown_sections(data.content),
            source="manual",
            version=data.version,
            status=data.status,
        )
    if kept is None:
        raise APIError(404, *service.NOT_FOUND)
    return SavedOut(epic_id=data.epic_id, message="PRD saved")


@blueprint.put("/update/<epic_id>")
@login_required
@validate_request(UpdateIn)
@validate_response(UpdatedOut)
async def update_prd(epic_id: str, data: UpdateIn) -> UpdatedOut:
    """Replace the epic's structured PRD with an edited one (validated; 404 when there is none yet)."""
    caller = current_caller()
    sections = rules.json_sections(data.prd, edited=True)
    async with db.transaction(caller) as conn:
        await service.owned_prd_row(conn, user_id=caller.id, epic_id=epic_id)
        kept = await repo.update_prd(
            conn, user_id=caller.id, epic_id=epic_id, title=data.title, sections=sections, version=data.version
        )
    if kept is None:
        raise APIError(404, *service.PRD_NOT_FOUND)
    return UpdatedOut(epic_id=epic_id, prd=data.prd, message="PRD updated")


@blueprint.delete("/<epic_id>")
@login_required
@validate_response(DeletedOut)
async def delete_prd(epic_id: str) -> DeletedOut:
    """Delete the epic's PRD."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.owned_prd_row(conn, user_id=caller.id, epic_id=epic_id)
        deleted = await repo.delete_prd(conn, user_id=caller.id, epic_id=epic_id)
    if not deleted:
        raise APIError(404, *service.PRD_NOT_FOUND)
    return DeletedOut()


@blueprint.post("/generate/<epic_id>")
@login_required
@ai_route
@validate_response(GeneratedOut)
async def generate_prd(epic_id: str) -> GeneratedOut:
    """Write the epic's PRD from its snapshot, features and stories (stored; replaces the previous one)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        outline = await owned_outline(conn, user_id=caller.id, epic_id=epic_id)
    system, messages = prompts.prd_prompt(outline, context)
    attempts = rules.AttemptCounter()
    prd: StructuredPRD = await ai.structured(call, system, messages, attempts.schema())
    sections = rules.json_sections(prd, repair_attempts=attempts.repairs)
    title = prd.summary.title or outline["title"]
    await service.keep_generated(caller, epic_id=epic_id, title=title, sections=sections)
    return GeneratedOut(epic_id=epic_id, prd=prd, repair_attempts=attempts.repairs)
