"""/api/export: an epic's tree as a file (Jira CSV, Azure DevOps CSV, JSON, Markdown), its preview, and
the CSV field mappings. The direct exports to Jira and Azure DevOps live with the integrations.
"""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import db
from jarlpm.export import mappings, service
from jarlpm.export.files import FORMATS, content_disposition
from jarlpm.export.models import FieldMappingsOut, FileIn, PreviewOut, PreviewQuery
from jarlpm.http.auth import current_caller, login_required, public
from jarlpm.http.openapi import downloads, no_database

blueprint = Blueprint("export", __name__, url_prefix="/export")


@blueprint.get("/field-mappings")
@public
@no_database
@validate_response(FieldMappingsOut)
async def field_mappings() -> FieldMappingsOut:
    """The columns of the Jira and Azure DevOps CSV files, per kind of row, and what fills each."""
    return FieldMappingsOut.model_validate(mappings.field_mappings())


@blueprint.get("/preview/<epic_id>")
@login_required
@validate_querystring(PreviewQuery)
@validate_response(PreviewOut)
async def preview(epic_id: str, query_args: PreviewQuery) -> PreviewOut:
    """What an export of the epic holds: its features, stories and (optionally) linked bugs."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        tree = await service.load_tree(conn, user_id=caller.id, epic_id=epic_id, include_bugs=query_args.include_bugs)
    return PreviewOut.of(tree.epic.title, service.preview_items(tree))


@blueprint.post("/file")
@login_required
@validate_request(FileIn)
@downloads(*sorted({file_format.content_type for file_format in FORMATS.values()}))
async def export_file(data: FileIn) -> Response:
    """Download the epic's tree as a Jira CSV, Azure DevOps CSV, JSON or Markdown file."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        tree = await service.load_tree(conn, user_id=caller.id, epic_id=data.epic_id, include_bugs=data.include_bugs)
    # The connection is back in the pool: the file is written from the tree, piece by piece.
    file_format = FORMATS[data.format]
    response = Response(
        service.encoded(file_format.write(tree)),
        content_type=file_format.content_type,
        headers={"Content-Disposition": content_disposition(tree.epic.title, file_format.suffix)},
    )
    response.timeout = None  # a slow client may take its time; nothing is held meanwhile
    return response
