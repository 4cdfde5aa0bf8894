"""/api/integrations/linear: connect with OAuth, choose defaults, look up teams, projects and labels,
preview and push an epic tree as Linear issues (or the epic as a Linear project)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import db
from jarlpm.db.queries import queries
from jarlpm.errors import APIError
from jarlpm.export.service import load_tree
from jarlpm.http import current_settings
from jarlpm.http.auth import current_caller, login_required, public
from jarlpm.http.openapi import redirects
from jarlpm.http.rate_limits import per_minute, per_user
from jarlpm.integrations import oauth
from jarlpm.integrations import service as core
from jarlpm.integrations.linear import service, shapes
from jarlpm.integrations.linear.models import (
    CallbackQuery,
    ConfigureIn,
    ConfigureOut,
    ConnectIn,
    ConnectOut,
    DisconnectOut,
    LabelsOut,
    PreviewIn,
    PreviewOut,
    ProjectsOut,
    PushIn,
    PushOut,
    TeamsOut,
    TestOut,
)
from jarlpm.integrations.linear.service import PROVIDER
from jarlpm.integrations.push import Target, existing_mappings, plan, push

blueprint = Blueprint("linear", __name__, url_prefix="/integrations/linear")


@blueprint.post("/connect")
@login_required
@validate_request(ConnectIn)
@validate_response(ConnectOut)
async def connect(data: ConnectIn) -> ConnectOut:
    """Start connecting Linear: the URL of Linear's consent screen (503 when the server has no Linear app)."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        client = service.oauth_client()
        await core.require_subscription(conn, caller.id)
        state = await oauth.new_state(
            conn,
            user_id=caller.id,
            provider=PROVIDER,
            frontend_callback_url=data.frontend_callback_url,
            public_app_url=current_settings().public_app_url,
        )
    return ConnectOut(authorization_url=service.authorization_url(client, state))


@blueprint.get("/callback")
@public
@validate_querystring(CallbackQuery)
@redirects("To the web client's page with `?success=true&provider=linear` or `?error=<fixed code>&provider=linear`")
async def callback(query_args: CallbackQuery) -> Response:
    """Linear sends the browser back here: 302 to the web client's page with success or a fixed error code."""
    target = await service.finish_authorization(query_args.code, query_args.state, query_args.error)
    return Response("", status=302, headers={"Location": target, "Cache-Control": "no-store"})


@blueprint.post("/disconnect")
@login_required
@validate_response(DisconnectOut)
async def disconnect() -> DisconnectOut:
    """Forget the Linear tokens (what was pushed stays mapped, so a reconnect updates it)."""
    return DisconnectOut(status=await service.disconnect(current_caller()))


@blueprint.put("/configure")
@login_required
@validate_request(ConfigureIn)
@validate_response(ConfigureOut)
async def configure(data: ConfigureIn) -> ConfigureOut:
    """The default team and project, and how pushes map priorities, labels and the epic."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await core.require_subscription(conn, caller.id)
        row = await queries.integrations.get_integration(conn, user_id=caller.id, provider=PROVIDER)
        saved = service.saved_preferences(dict(row) if row else {})
        preferences = {
            **(data.field_mappings or {}),
            "priority_mapping": {**saved["priority_mapping"], **(data.priority_mapping or {})},
            "label_policy": data.label_policy,
            "epic_mapping": data.epic_mapping,
        }
        updated = await queries.integrations_linear.configure_linear(
            conn,
            user_id=caller.id,
            default_team_id=data.team_id,
            default_team_name=data.team_name,
            default_project_id=data.project_id,
            default_project_name=(data.project_name or data.project_id) if data.project_id else None,
            field_mappings=preferences,
        )
    if updated is None:
        raise APIError(400, "NOT_CONNECTED", "Linear is not connected")
    return shapes.configured(dict(updated))


@blueprint.get("/teams")
@login_required
@validate_response(TeamsOut)
async def teams() -> TeamsOut:
    """The teams of the connected Linear workspace."""
    return TeamsOut(teams=await service.looked_up(current_caller(), service.teams))


@blueprint.get("/teams/<team_id>/projects")
@login_required
@validate_response(ProjectsOut)
async def team_projects(team_id: str) -> ProjectsOut:
    """One team's projects."""
    caller = current_caller()
    return ProjectsOut(projects=await service.looked_up(caller, lambda api: service.team_projects(api, team_id)))


@blueprint.get("/teams/<team_id>/labels")
@login_required
@validate_response(LabelsOut)
async def team_labels(team_id: str) -> LabelsOut:
    """One team's issue labels."""
    caller = current_caller()
    return LabelsOut(labels=await service.looked_up(caller, lambda api: service.team_labels(api, team_id)))


@blueprint.get("/labels")
@login_required
@validate_response(LabelsOut)
async def labels() -> LabelsOut:
    """Every issue label of the workspace, with its team (none for workspace labels)."""
    return LabelsOut(labels=await service.looked_up(current_caller(), service.all_labels))


# What the test reports as {status: "error"}: Linear's own answers (not connected, refused, unreachable).
# The caller's session, subscription and the database keep their status: swallowing a 401 left the
# session unchecked (a 500), and a database outage is a 503, not a broken Linear connection.
LINEAR_STATUSES = (400, 404, 502)


def _about_linear(error: APIError) -> bool:
    return error.status in LINEAR_STATUSES or error.code == "INTEGRATION_NOT_CONFIGURED"


@blueprint.get("/test")
@login_required
@validate_response(TestOut)
async def test_connection() -> TestOut:
    """Whether Linear accepts the integration: the viewer and the organization, or the reason it does not."""
    try:
        data: dict[str, Any] = await service.looked_up(current_caller(), service.viewer)
    except APIError as error:
        if not _about_linear(error):
            raise
        return TestOut(status="error", error=error.detail)
    return TestOut(status="connected", viewer=data.get("viewer"), organization=data.get("organization"))


@blueprint.post("/preview")
@login_required
@per_minute(20, per_user)
@validate_request(PreviewIn)
@validate_response(PreviewOut)
async def preview(data: PreviewIn) -> PreviewOut:
    """What a push with the configured defaults would create, update or skip (no call to Linear)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await core.require_subscription(conn, caller.id)
        tree = await load_tree(conn, user_id=caller.id, epic_id=data.epic_id, include_bugs=data.include_bugs)
        connected = await core.connected(conn, user_id=caller.id, provider=PROVIDER)
        options = service.options_for(connected.row, team_required=False)
        items = service.items_of(tree, data.push_scope, options)
        target = Target(caller.id, connected.integration_id, PROVIDER)
        mappings = await existing_mappings(conn, target=target, items=items)
    return shapes.preview(plan(items, mappings))


@blueprint.post("/push")
@login_required
@per_minute(5, per_user)
@validate_request(PushIn)
@validate_response(PushOut)
async def push_epic(data: PushIn) -> PushOut:
    """Push the epic tree to Linear: created, updated or skipped per item; one run recorded."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await core.require_subscription(conn, caller.id)
        tree = await load_tree(conn, user_id=caller.id, epic_id=data.epic_id, include_bugs=data.include_bugs)
        connected = await core.connected(conn, user_id=caller.id, provider=PROVIDER)
        options = service.options_for(connected.row, **data.model_dump(include=shapes.PUSH_OPTIONS))
        items = service.items_of(tree, data.push_scope, options)
        target = Target(caller.id, connected.integration_id, PROVIDER, options.project_id, options.team_id)
        epic_mapping = await existing_mappings(conn, target=target, items=items[:1])
    # A dry run calls nobody, not even to refresh a token.
    api = service.idle_api() if data.dry_run else (await service.session_of(caller, connected)).api
    outcome = await push(
        service.LinearTracker(api, options, service.epic_project(epic_mapping, data.epic_id)),
        target,
        items,
        dry_run=data.dry_run,
        epic_id=data.epic_id,
        push_scope=data.push_scope,
        include_bugs=data.include_bugs,
    )
    if outcome.revoked:
        await service.revoked(caller)
    return shapes.pushed(outcome)
