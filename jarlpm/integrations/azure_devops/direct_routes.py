"""POST /api/export/azure-devops: the direct export with the organisation and PAT in the request
(nothing stored, nothing remembered: a second export creates everything again)."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_request, validate_response

from jarlpm.http.auth import current_caller, login_required
from jarlpm.integrations.azure_devops import service
from jarlpm.integrations.azure_devops.models import DirectExportIn, DirectExportOut

blueprint = Blueprint("azure_devops_export", __name__, url_prefix="/export")


@blueprint.post("/azure-devops")
@login_required
@validate_request(DirectExportIn)
@validate_response(DirectExportOut)
async def export_to_azure_devops(data: DirectExportIn) -> DirectExportOut:
    """Create the epic's work items in Azure DevOps with the PAT sent in the request.

    A bare organisation name means https://dev.azure.com/<name>; the PAT is used for these calls
    only, never stored or logged."""
    return DirectExportOut.model_validate(await service.direct_export(current_caller(), data))
