"""/api/integrations/linear: request and response shapes (Linear's preview and push keys differ from
Jira's and Azure DevOps's on purpose: the web client reads them as they are)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from jarlpm.integrations.models import PushScope

EpicMapping = Literal["issue", "project"]
LabelPolicy = Literal["create-missing", "existing-only", "ignore"]
PriorityKey = Literal["must", "should", "could", "wont"]
LinearPriority = Annotated[int, Field(ge=0, le=4)]  # 0 none, 1 urgent, 2 high, 3 medium, 4 low
DEFAULT_PRIORITIES: dict[str, int] = {"must": 2, "should": 3, "could": 4, "wont": 0}
RemoteId = Annotated[str, Field(min_length=1, max_length=100)]
Name = Annotated[str, Field(min_length=1, max_length=255)]


class ConnectIn(BaseModel):
    frontend_callback_url: Annotated[str, Field(min_length=1, max_length=2000)]


class ConnectOut(BaseModel):
    authorization_url: str


class CallbackQuery(BaseModel):
    # No length limits: a browser must always be redirected (an overlong state is simply unknown).
    code: str | None = None
    state: str | None = None
    error: str | None = None


class DisconnectOut(BaseModel):
    status: Literal["disconnected", "not_connected"]


class ConfigureIn(BaseModel):
    team_id: RemoteId
    team_name: Name
    project_id: RemoteId | None = None
    project_name: Name | None = None
    priority_mapping: dict[PriorityKey, LinearPriority] | None = None
    label_policy: LabelPolicy = "create-missing"
    epic_mapping: EpicMapping = "issue"
    field_mappings: dict[str, Any] | None = None


class Named(BaseModel):
    id: str
    name: str


class ConfigureOut(BaseModel):
    status: Literal["configured"]
    default_team: Named | None
    default_project: Named | None
    priority_mapping: dict[str, int]
    label_policy: str
    epic_mapping: str


class TeamsOut(BaseModel):
    teams: list[dict[str, Any]]


class ProjectsOut(BaseModel):
    projects: list[dict[str, Any]]


class LabelsOut(BaseModel):
    labels: list[dict[str, Any]]


class TestOut(BaseModel):
    status: Literal["connected", "error"]
    viewer: dict[str, Any] | None = None
    organization: dict[str, Any] | None = None
    error: str | None = None


class PreviewIn(BaseModel):
    epic_id: Annotated[str, Field(min_length=1, max_length=50)]
    push_scope: PushScope = "epic_features_stories"
    include_bugs: bool = False


Action = Literal["create", "update", "skip"]


class PreviewItem(BaseModel):
    id: str
    title: str
    action: Action


class PreviewStory(PreviewItem):
    feature_id: str


class PreviewTotals(BaseModel):
    create: int
    update: int
    skip: int


class PreviewOut(BaseModel):
    epic: PreviewItem
    features: list[PreviewItem]
    stories: list[PreviewStory]
    bugs: list[PreviewItem]
    totals: PreviewTotals


class PushIn(PreviewIn):
    team_id: RemoteId | None = None
    project_id: RemoteId | None = None
    dry_run: bool = False
    epic_mapping: EpicMapping | None = None
    priority_mapping: dict[PriorityKey, LinearPriority] | None = None
    label_policy: LabelPolicy | None = None

    @field_validator("project_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        # The web client sends "" for "no project".
        return None if value == "" else value


class PushedItem(BaseModel):
    type: str
    id: str
    external_id: str | None
    external_key: str | None
    url: str | None


class PushError(BaseModel):
    type: str
    id: str
    error: str
    code: str


class PushOut(BaseModel):
    run_id: str
    status: Literal["success", "partial", "failed"]
    dry_run: bool
    created: list[PushedItem]
    updated: list[PushedItem]
    skipped: list[PushedItem]
    errors: list[PushError]
    links: list[str]
