"""/api/lean-canvas: one nine-section canvas per epic — listed, generated (not saved), read, saved."""

from __future__ import annotations

from datetime import UTC, datetime

from quart import Blueprint
from quart_schema import validate_request, validate_response

from jarlpm import ai, db
from jarlpm.epics.service import NOT_FOUND, owned_outline
from jarlpm.errors import APIError
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.rate_limits import ai_route
from jarlpm.lean_canvas import prompts, repo
from jarlpm.lean_canvas.models import (
    Canvas,
    CanvasListItem,
    CanvasListOut,
    CanvasOut,
    EpicRef,
    EpicsOut,
    GeneratedOut,
    GenerateIn,
    SavedOut,
    SaveIn,
)
from jarlpm.lean_canvas.tables import CANVAS_SECTIONS

blueprint = Blueprint("lean_canvas", __name__, url_prefix="/lean-canvas")


@blueprint.get("/list")
@login_required
@validate_response(CanvasListOut)
async def list_canvases() -> CanvasListOut:
    """The user's lean canvases, most recently changed first."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows = await repo.list_canvases(conn, user_id=caller.id)
    return CanvasListOut(canvases=[CanvasListItem.model_validate(row) for row in rows])


@blueprint.get("/epics-without-canvas")
@login_required
@validate_response(EpicsOut)
async def epics_without_canvas() -> EpicsOut:
    """The user's epics that have no lean canvas yet."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows = await repo.epics_without_canvas(conn, user_id=caller.id)
    return EpicsOut(epics=[EpicRef.model_validate(row) for row in rows])


@blueprint.post("/generate")
@login_required
@ai_route
@validate_request(GenerateIn)
@validate_response(GeneratedOut)
async def generate_canvas(data: GenerateIn) -> GeneratedOut:
    """A lean canvas written from the epic, its features and stories (not saved: the client saves it)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        outline = await owned_outline(conn, user_id=caller.id, epic_id=data.epic_id)
    system, messages = prompts.canvas_prompt(outline)
    canvas: Canvas = await ai.structured(call, system, messages, Canvas)
    return GeneratedOut(
        epic_id=data.epic_id, epic_title=outline["title"], canvas=canvas, generated_at=datetime.now(UTC)
    )


@blueprint.get("/<epic_id>")
@login_required
@validate_response(CanvasOut)
async def get_canvas(epic_id: str) -> CanvasOut:
    """The epic's lean canvas, or `canvas: null, exists: false`."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        row = await repo.get_canvas(conn, user_id=caller.id, epic_id=epic_id)
    if row is None:
        raise APIError(404, *NOT_FOUND)
    if row["canvas_id"] is None:
        return CanvasOut(epic_id=epic_id, epic_title=row["epic_title"], canvas=None, exists=False)
    canvas = Canvas.model_validate({section: row[section] or "" for section in CANVAS_SECTIONS})
    return CanvasOut(
        epic_id=epic_id,
        epic_title=row["epic_title"],
        canvas=canvas,
        source=row["source"],
        updated_at=row["updated_at"],
        exists=True,
    )


@blueprint.post("/save")
@login_required
@validate_request(SaveIn)
@validate_response(SavedOut)
async def save_canvas(data: SaveIn) -> SavedOut:
    """Create or replace the epic's lean canvas."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        kept = await repo.upsert_canvas(
            conn, user_id=caller.id, epic_id=data.epic_id, sections=data.canvas.model_dump(), source=data.source
        )
    if kept is None:
        raise APIError(404, *NOT_FOUND)
    return SavedOut(epic_id=data.epic_id)
