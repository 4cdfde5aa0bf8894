"""/api/integrations/azure-devops: connect with a PAT, defaults, the organisation's projects, teams,
iterations, areas, work item types and fields, and the idempotent push of an epic's tree."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import db
from jarlpm.db.queries import queries
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.rate_limits import per_minute, per_user
from jarlpm.integrations.azure_devops import service
from jarlpm.integrations.azure_devops.models import (
    AreaOut,
    AreasOut,
    ConfiguredOut,
    ConfigureIn,
    ConnectedOut,
    ConnectIn,
    DisconnectOut,
    FieldOut,
    FieldsOut,
    IterationOut,
    IterationsOut,
    IterationsQuery,
    PreviewIn,
    PreviewOut,
    ProjectOut,
    ProjectsOut,
    PushIn,
    PushOut,
    TeamOut,
    TeamsOut,
    TestOut,
    WorkItemTypeOut,
    WorkItemTypesOut,
)

blueprint = Blueprint("azure_devops", __name__, url_prefix="/integrations/azure-devops")

MAX_FIELDS = 50


@blueprint.post("/connect")
@login_required
@validate_request(ConnectIn)
@validate_response(ConnectedOut)
async def connect(data: ConnectIn) -> ConnectedOut:
    """Verify the organisation URL and PAT with a real call, then store them (the PAT encrypted)."""
    answer = await service.connect(current_caller(), organization_url=data.organization_url, pat=data.pat)
    return ConnectedOut(**answer)


@blueprint.post("/disconnect")
@login_required
@validate_response(DisconnectOut)
async def disconnect() -> DisconnectOut:
    """Forget the PAT; mappings and runs stay, so a reconnect updates what was pushed before."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        done = await queries.integrations.disconnect(conn, user_id=caller.id, provider=service.PROVIDER)
    return DisconnectOut(status="disconnected" if done else "not_connected")


@blueprint.put("/configure")
@login_required
@validate_request(ConfigureIn)
@validate_response(ConfiguredOut)
async def configure(data: ConfigureIn) -> ConfiguredOut:
    """The default project, area, iteration and field choices (a new organisation URL is verified again)."""
    return ConfiguredOut.model_validate(await service.configure(current_caller(), data))


@blueprint.get("/projects")
@login_required
@validate_response(ProjectsOut)
async def projects() -> ProjectsOut:
    """The organisation's projects the PAT can see."""
    link = await service.connection(current_caller())
    found = await service.look_up(link, lambda ado: ado.projects())
    return ProjectsOut(projects=[ProjectOut.model_validate(project) for project in found if _named(project)])


@blueprint.get("/projects/<project_name>/teams")
@login_required
@validate_response(TeamsOut)
async def teams(project_name: str) -> TeamsOut:
    """The project's teams."""
    link = await service.connection(current_caller())
    found = await service.look_up(link, lambda ado: ado.teams(project_name))
    return TeamsOut(teams=[TeamOut.model_validate(team) for team in found if _named(team)])


@blueprint.get("/projects/<project_name>/iterations")
@login_required
@validate_querystring(IterationsQuery)
@validate_response(IterationsOut)
async def iterations(project_name: str, query_args: IterationsQuery) -> IterationsOut:
    """The project's iteration tree, flattened (team_name is ignored, as by the original service)."""
    link = await service.connection(current_caller())
    root = await service.look_up(link, lambda ado: ado.classification(project_name, "iterations"))
    nodes = service.flatten_nodes(root, "iteration")
    return IterationsOut(iterations=[IterationOut.model_validate(node) for node in nodes])


@blueprint.get("/projects/<project_name>/areas")
@login_required
@validate_response(AreasOut)
async def areas(project_name: str) -> AreasOut:
    """The project's area tree, flattened (paths as a work item's System.AreaPath holds them)."""
    link = await service.connection(current_caller())
    root = await service.look_up(link, lambda ado: ado.classification(project_name, "areas"))
    return AreasOut(areas=[AreaOut.model_validate(node) for node in service.flatten_nodes(root, "area")])


@blueprint.get("/projects/<project_name>/work-item-types")
@login_required
@validate_response(WorkItemTypesOut)
async def work_item_types(project_name: str) -> WorkItemTypesOut:
    """The work item types of the project's process."""
    link = await service.connection(current_caller())
    found = await service.look_up(link, lambda ado: ado.work_item_types(project_name))
    return WorkItemTypesOut(
        work_item_types=[
            WorkItemTypeOut(
                name=str(kind["name"]),
                description=kind.get("description"),
                color=kind.get("color"),
                icon=(kind.get("icon") or {}).get("url") if isinstance(kind.get("icon"), dict) else None,
            )
            for kind in found
            if kind.get("name")
        ]
    )


@blueprint.get("/projects/<project_name>/fields")
@login_required
@validate_response(FieldsOut)
async def fields(project_name: str) -> FieldsOut:
    """The project's work item fields (the first 50)."""
    link = await service.connection(current_caller())
    found = await service.look_up(link, lambda ado: ado.fields(project_name))
    return FieldsOut(
        fields=[
            FieldOut(
                name=str(entry["name"]),
                referenceName=str(entry["referenceName"]),
                type=entry.get("type"),
                readOnly=bool(entry.get("readOnly")),
            )
            for entry in found
            if entry.get("name") and entry.get("referenceName")
        ][:MAX_FIELDS]
    )


@blueprint.get("/test")
@login_required
@validate_response(TestOut)
async def test() -> TestOut:
    """Whether the stored PAT still works (a rejected one marks the integration unusable)."""
    link = await service.connection(current_caller())
    return TestOut.model_validate(await service.test(link))


@blueprint.post("/preview")
@login_required
@per_minute(20, per_user)
@validate_request(PreviewIn)
@validate_response(PreviewOut)
async def preview(data: PreviewIn) -> PreviewOut:
    """What a push would create, update or skip (work item ids of what exists), with no remote call."""
    answer = await service.preview(
        current_caller(), epic_id=data.epic_id, push_scope=data.push_scope, include_bugs=data.include_bugs
    )
    return PreviewOut.model_validate(answer)


@blueprint.post("/push")
@login_required
@per_minute(5, per_user)
@validate_request(PushIn)
@validate_response(PushOut)
async def push(data: PushIn) -> PushOut:
    """Create, update or skip the epic's work items (Epic <- Feature <- User Story; bugs under their link).

    Unchanged items are skipped; one run row per push; a PAT refused mid-push marks the integration
    unusable (status error, reason pat_rejected)."""
    return PushOut.model_validate(await service.push(current_caller(), data))


def _named(entry: dict) -> bool:
    return bool(entry.get("id") and entry.get("name"))
