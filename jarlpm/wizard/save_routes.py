"""/api/initiative/save and the edit analytics: what becomes of a generated initiative."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import db
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.idempotency import idempotent
from jarlpm.wizard import saving
from jarlpm.wizard.models import DaysQuery, EditPatternsOut, SaveOut
from jarlpm.wizard.saving import SaveIn

blueprint = Blueprint("wizard_save", __name__, url_prefix="/initiative")


@blueprint.post("/save")
@login_required
@idempotent
@validate_request(SaveIn)
@validate_response(SaveOut)
async def save(data: SaveIn) -> SaveOut:
    """Save a generated initiative as a locked epic with approved features and draft stories."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        return await saving.save_initiative(conn, user_id=caller.id, data=data)


@blueprint.get("/analytics/edit-patterns")
@login_required
@validate_querystring(DaysQuery)
@validate_response(EditPatternsOut)
async def edit_patterns(query_args: DaysQuery) -> EditPatternsOut:
    """How the user edited what the wizard wrote: the most edited fields, the kinds of edit, how soon."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        return await saving.edit_patterns(conn, user_id=caller.id, days=query_args.days)
