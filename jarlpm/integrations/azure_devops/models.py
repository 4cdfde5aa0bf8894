"""Azure DevOps requests and answers (the contract's shapes, §3.3 routes/integrations/azure-devops)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from jarlpm.integrations.models import PreviewIn as PreviewIn
from jarlpm.integrations.models import PushScope

# Short enough that a work item's web URL (organisation, quoted project, id) fits its mapping column.
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=250)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
ProjectName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]  # ADO's limit
TypeName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Path = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Secret = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
FieldName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z][A-Za-z0-9_.]{0,127}$")]
WORK_ITEM_KINDS = ("epic", "feature", "story", "bug")


class ConnectIn(BaseModel):
    organization_url: Url
    pat: Secret

    def __repr__(self) -> str:  # never print the PAT
        return f"ConnectIn(organization_url={self.organization_url!r})"


class ConnectedOut(BaseModel):
    status: str
    organization: str
    project_count: int


class DisconnectOut(BaseModel):
    status: Literal["disconnected", "not_connected"]


class ConfigureIn(BaseModel):
    organization_url: Url
    project_name: ProjectName
    project_id: Name | None = None
    default_area_path: Path | None = None
    default_iteration_path: Path | None = None
    story_points_field: FieldName = "Microsoft.VSTS.Scheduling.StoryPoints"
    # Descriptions are written as escaped HTML; Azure DevOps' Markdown fields are not used.
    description_format: Literal["html"] = "html"
    # "add": the epic's labels become the work items' tags; "none": no tags are written.
    tag_policy: Literal["add", "none"] = "add"
    work_item_types: dict[str, TypeName] | None = None

    @field_validator("work_item_types")
    @classmethod
    def _known_kinds(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and set(value) - set(WORK_ITEM_KINDS):
            raise ValueError(f"work_item_types keys must be among {', '.join(WORK_ITEM_KINDS)}")
        return value


class ProjectRef(BaseModel):
    id: str
    name: str


class ConfiguredOut(BaseModel):
    status: Literal["configured"]
    organization_url: str
    default_project: ProjectRef
    field_mappings: dict[str, Any]


class ProjectOut(BaseModel):
    id: str
    name: str
    description: str | None = None
    state: str | None = None
    visibility: str | None = None


class ProjectsOut(BaseModel):
    projects: list[ProjectOut]


class TeamOut(BaseModel):
    id: str
    name: str
    description: str | None = None


class TeamsOut(BaseModel):
    teams: list[TeamOut]


class IterationOut(BaseModel):
    id: int | None
    name: str
    path: str
    attributes: dict[str, Any] | None = None


class IterationsOut(BaseModel):
    iterations: list[IterationOut]


class IterationsQuery(BaseModel):
    team_name: str | None = None  # accepted and ignored, as by the original service


class AreaOut(BaseModel):
    id: int | None
    name: str
    path: str
    has_children: bool


class AreasOut(BaseModel):
    areas: list[AreaOut]


class WorkItemTypeOut(BaseModel):
    name: str
    description: str | None = None
    color: str | None = None
    icon: str | None = None


class WorkItemTypesOut(BaseModel):
    work_item_types: list[WorkItemTypeOut]


class FieldOut(BaseModel):
    name: str
    referenceName: str
    type: str | None = None
    readOnly: bool = False


class FieldsOut(BaseModel):
    fields: list[FieldOut]


class TestOut(BaseModel):
    status: Literal["connected", "error"]
    organization: str | None = None
    project_count: int | None = None
    error: str | None = None


class PlannedOut(BaseModel):
    entity_id: str
    title: str
    action: Literal["create", "update", "skip"]
    existing_id: str | None = None
    parent_feature_id: str | None = None
    parent_id: str | None = None


class TotalsOut(BaseModel):
    create: int
    update: int
    skip: int


class PreviewOut(BaseModel):
    epic: PlannedOut
    features: list[PlannedOut]
    stories: list[PlannedOut]
    bugs: list[PlannedOut]
    totals: TotalsOut


class PushIn(BaseModel):
    epic_id: Annotated[str, Field(min_length=1, max_length=50)]
    project_name: ProjectName | None = None
    area_path: Path | None = None
    iteration_path: Path | None = None
    push_scope: PushScope = "epic_features_stories"
    include_bugs: bool = False
    dry_run: bool = False


class PushedOut(BaseModel):
    type: str
    entity_id: str
    external_id: str
    url: str | None


class PushErrorOut(BaseModel):
    type: str
    entity_id: str
    error: str
    code: str


class PushOut(BaseModel):
    run_id: str
    status: str
    dry_run: bool
    created: list[PushedOut]
    updated: list[PushedOut]
    skipped: list[PushedOut]
    errors: list[PushErrorOut]
    links: list[str]


class DirectExportIn(BaseModel):
    epic_id: Annotated[str, Field(min_length=1, max_length=50)]
    include_bugs: bool = True
    organization: Url
    project: ProjectName
    pat: Secret

    def __repr__(self) -> str:  # never print the PAT
        return f"DirectExportIn(epic_id={self.epic_id!r}, organization={self.organization!r})"


class ExportedOut(BaseModel):
    type: str
    entity_id: str
    title: str
    external_id: str
    url: str | None


class ExportErrorOut(BaseModel):
    type: str
    entity_id: str
    title: str
    error: str


class DirectExportOut(BaseModel):
    success: bool
    created_count: int
    error_count: int
    created: list[ExportedOut]
    errors: list[ExportErrorOut]
