"""/api/integrations/jira: connect with Atlassian 3LO, configure the defaults, look up sites, projects,
issue types and fields, preview and push an epic tree."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, request
from quart_schema import validate_request, validate_response

from jarlpm.http.auth import current_caller, login_required, public
from jarlpm.http.openapi import redirects
from jarlpm.http.rate_limits import per_minute, per_user
from jarlpm.integrations.jira import service
from jarlpm.integrations.jira.models import (
    ConfigureIn,
    ConfigureOut,
    ConnectIn,
    ConnectOut,
    DisconnectOut,
    FieldOut,
    FieldsOut,
    IssueTypeOut,
    IssueTypesOut,
    PreviewIn,
    PreviewOut,
    ProjectOut,
    ProjectsOut,
    PushIn,
    PushOut,
    SiteOut,
    SitesOut,
    TestOut,
)
from jarlpm.outbound import OutboundError

blueprint = Blueprint("jira", __name__, url_prefix="/integrations/jira")

QUERY_MAX_CHARS = 2000


@blueprint.post("/connect")
@login_required
@validate_request(ConnectIn)
@validate_response(ConnectOut)
async def connect(data: ConnectIn) -> ConnectOut:
    """Start connecting Jira: the Atlassian consent page to send the browser to."""
    url = await service.authorization_url(current_caller(), data.frontend_callback_url)
    return ConnectOut(authorization_url=url)


@blueprint.get("/callback")
@public
@redirects("To the web client's page with `?success=true&provider=jira` or `?error=<fixed code>&provider=jira`")
async def callback() -> Response:
    """Atlassian sends the browser back here: 302 to the web client's page with success or a fixed error code."""
    # Read by hand, not validated: whatever arrives, the browser is sent on (never a JSON 422).
    args = {name: (request.args.get(name) or None) for name in ("code", "state", "error")}
    clipped = {name: value[:QUERY_MAX_CHARS] if value else None for name, value in args.items()}
    target = await service.finish_connect(**clipped)
    return Response("", status=302, headers={"Location": target, "Cache-Control": "no-store"})


@blueprint.post("/disconnect")
@login_required
@validate_response(DisconnectOut)
async def disconnect() -> DisconnectOut:
    """Forget the Jira tokens (what was pushed stays mapped, so a reconnect updates it)."""
    return DisconnectOut(status=await service.disconnect(current_caller()))


@blueprint.put("/configure")
@login_required
@validate_request(ConfigureIn)
@validate_response(ConfigureOut)
async def configure(data: ConfigureIn) -> ConfigureOut:
    """Choose the site, the default project and the field mappings."""
    return await service.configure(current_caller(), data)


@blueprint.get("/sites")
@login_required
@validate_response(SitesOut)
async def sites() -> SitesOut:
    """The Jira sites the connection can reach, and the one in use."""
    current = await service.open_session(current_caller())
    async with service.tracker_errors(current):
        found = await current.sites()
    in_use = next((site for site in found if site.cloud_id == current.cloud_id), None)
    return SitesOut(
        sites=[SiteOut(**site.as_json()) for site in found],
        current_site=SiteOut(id=current.cloud_id, name=current.site_name or "", url=current.site_url)
        if in_use is None
        else SiteOut(**in_use.as_json()),
    )


@blueprint.get("/projects")
@login_required
@validate_response(ProjectsOut)
async def projects() -> ProjectsOut:
    """The projects of the site the user can browse."""
    current = await service.open_session(current_caller())
    async with service.tracker_errors(current):
        found = await current.client().projects()
    return ProjectsOut(projects=[_project(entry) for entry in found if _has(entry, "id", "key", "name")])


@blueprint.get("/projects/<key>/issue-types")
@login_required
@validate_response(IssueTypesOut)
async def issue_types(key: str) -> IssueTypesOut:
    """The issue types a project offers."""
    current = await service.open_session(current_caller())
    async with service.tracker_errors(current):
        project = await current.client().project(key[:100])
    kinds = [
        entry for entry in project.get("issueTypes") or [] if isinstance(entry, dict) and _has(entry, "id", "name")
    ]
    return IssueTypesOut(
        issue_types=[
            IssueTypeOut(
                id=str(entry["id"]),
                name=str(entry["name"]),
                description=entry.get("description") if isinstance(entry.get("description"), str) else None,
                subtask=bool(entry.get("subtask")),
            )
            for entry in kinds
        ]
    )


@blueprint.get("/fields")
@login_required
@validate_response(FieldsOut)
async def fields() -> FieldsOut:
    """The site's fields (where story points and the epic link live)."""
    current = await service.open_session(current_caller())
    async with service.tracker_errors(current):
        found = await current.client().fields()
    return FieldsOut(
        fields=[
            FieldOut(
                id=str(entry["id"]),
                name=str(entry["name"]),
                custom=bool(entry.get("custom")),
                schema=entry.get("schema") if isinstance(entry.get("schema"), dict) else None,
            )
            for entry in found
            if _has(entry, "id", "name")
        ]
    )


@blueprint.get("/test")
@login_required
@validate_response(TestOut)
async def test() -> TestOut:
    """Check the connection: who Jira says the user is, and which server answers."""
    caller = current_caller()
    current = await service.open_session(caller)
    client = current.client()
    try:
        user = await client.myself()
        server = await client.server_info()
    except OutboundError as error:
        if error.revoked:
            await service.mark_unusable(caller.id, service.unusable_reason(error))
        return TestOut(status="error", error=str(error))
    return TestOut(
        status="connected",
        user={key: user.get(key) for key in ("accountId", "displayName", "emailAddress")},
        server={key: server.get(key) for key in ("baseUrl", "version", "deploymentType", "serverTitle")},
    )


@blueprint.post("/preview")
@login_required
@per_minute(20, per_user)
@validate_request(PreviewIn)
@validate_response(PreviewOut)
async def preview(data: PreviewIn) -> PreviewOut:
    """What a push of the epic would create, update and skip in Jira."""
    return await service.preview(
        current_caller(), epic_id=data.epic_id, push_scope=data.push_scope, include_bugs=data.include_bugs
    )


@blueprint.post("/push")
@login_required
@per_minute(5, per_user)
@validate_request(PushIn)
@validate_response(PushOut)
async def push(data: PushIn) -> PushOut:
    """Push the epic, its features and stories to Jira (updated, not duplicated, on the next push)."""
    return await service.push_epic(current_caller(), data)


def _has(entry: dict[str, Any], *keys: str) -> bool:
    return all(entry.get(key) not in (None, "") for key in keys)


def _project(entry: dict[str, Any]) -> ProjectOut:
    kind = entry.get("projectTypeKey")
    return ProjectOut(
        id=str(entry["id"]),
        key=str(entry["key"]),
        name=str(entry["name"]),
        projectTypeKey=kind if isinstance(kind, str) else None,
    )
