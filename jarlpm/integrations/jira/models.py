"""Request and response bodies of /api/integrations/jira and /api/export/jira, with the contract's keys."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from jarlpm.integrations.models import PreviewIn, PushScope

__all__ = ["PreviewIn"]

Name = Annotated[str, Field(min_length=1, max_length=255)]
# Jira project keys: an upper-case letter, then upper-case letters, digits or underscores.
ProjectKey = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,49}$")]
IssueTypeName = Annotated[str, Field(min_length=1, max_length=60)]
FieldId = Annotated[str, Field(pattern=r"^(customfield_[0-9]{1,12}|[a-z][A-Za-z0-9_]{0,63})$")]
# Jira labels hold no whitespace; the prefix is put in front of each story label as it is.
LabelPrefix = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^\S+$")]
EntityType = Literal["epic", "feature", "story", "bug"]


class ConnectIn(BaseModel):
    frontend_callback_url: Annotated[str, Field(min_length=1, max_length=2000)]


class ConnectOut(BaseModel):
    authorization_url: str


class DisconnectOut(BaseModel):
    status: Literal["disconnected", "not_connected"]


class IssueTypeMapping(BaseModel):
    """The Jira issue type each kind of entity becomes (defaults: Epic, Task, Story, Bug)."""

    epic: IssueTypeName | None = None
    feature: IssueTypeName | None = None
    story: IssueTypeName | None = None
    bug: IssueTypeName | None = None


class ConfigureIn(BaseModel):
    cloud_id: Annotated[str, Field(min_length=1, max_length=100)]
    site_name: Name
    project_key: ProjectKey
    project_name: Name
    issue_type_mapping: IssueTypeMapping | None = None
    story_points_field: FieldId | None = None
    epic_link_field: FieldId | None = None
    label_prefix: LabelPrefix | None = None


class ProjectRef(BaseModel):
    key: str
    name: str | None


class ConfigureOut(BaseModel):
    status: Literal["configured"]
    cloud_id: str
    site_name: str | None
    default_project: ProjectRef
    field_mappings: dict[str, Any]


class SiteOut(BaseModel):
    id: str
    name: str
    url: str


class SitesOut(BaseModel):
    sites: list[SiteOut]
    current_site: SiteOut | None


class ProjectOut(BaseModel):
    id: str
    key: str
    name: str
    projectTypeKey: str | None = None


class ProjectsOut(BaseModel):
    projects: list[ProjectOut]


class IssueTypeOut(BaseModel):
    id: str
    name: str
    description: str | None = None
    subtask: bool = False


class IssueTypesOut(BaseModel):
    issue_types: list[IssueTypeOut]


class FieldOut(BaseModel):
    id: str
    name: str
    custom: bool = False
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class FieldsOut(BaseModel):
    fields: list[FieldOut]


class TestOut(BaseModel):
    """{status:"connected", user, server} or {status:"error", error}."""

    status: Literal["connected", "error"]
    user: dict[str, Any] | None = None
    server: dict[str, Any] | None = None
    error: str | None = None


class PreviewEntry(BaseModel):
    entity_id: str
    title: str
    action: Literal["create", "update", "skip"]
    existing_key: str | None


class PreviewStory(PreviewEntry):
    parent_feature_id: str


class Totals(BaseModel):
    create: int
    update: int
    skip: int


class PreviewOut(BaseModel):
    epic: PreviewEntry
    features: list[PreviewEntry]
    stories: list[PreviewStory]
    bugs: list[PreviewEntry]
    totals: Totals


class PushIn(BaseModel):
    epic_id: Annotated[str, Field(min_length=1, max_length=50)]
    project_key: ProjectKey | None = None
    push_scope: PushScope = "epic_features_stories"
    include_bugs: bool = False
    dry_run: bool = False


class PushedOut(BaseModel):
    type: EntityType
    entity_id: str
    external_key: str | None
    url: str | None


class PushErrorOut(BaseModel):
    type: EntityType
    entity_id: str
    error: str
    code: str


class PushOut(BaseModel):
    run_id: str
    status: Literal["success", "partial", "failed"]
    dry_run: bool
    created: list[PushedOut]
    updated: list[PushedOut]
    skipped: list[PushedOut]
    errors: list[PushErrorOut]
    links: list[str]


def _encodable(token: SecretStr) -> SecretStr:
    # pydantic checks a SecretStr's length but not its text: a lone surrogate (JSON `\ud800`) would
    # get as far as the Basic header and fail there as a 500. The message never quotes the token.
    try:
        token.get_secret_value().encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("jira_api_token must be valid Unicode text") from None
    return token


class DirectExportIn(BaseModel):
    """A one-off export with the user's own Jira credentials (never stored, never logged)."""

    epic_id: Annotated[str, Field(min_length=1, max_length=50)]
    include_bugs: bool = True
    jira_base_url: Annotated[str, Field(min_length=1, max_length=500)]
    jira_email: Annotated[str, Field(min_length=3, max_length=320)]
    jira_api_token: Annotated[SecretStr, Field(min_length=1, max_length=2000), AfterValidator(_encodable)]
    jira_project_key: ProjectKey


class ExportedOut(BaseModel):
    type: EntityType
    entity_id: str
    title: str
    key: str | None
    url: str | None


class ExportErrorOut(BaseModel):
    type: EntityType
    entity_id: str
    title: str
    error: str


class DirectExportOut(BaseModel):
    success: bool
    created_count: int
    error_count: int
    created: list[ExportedOut]
    errors: list[ExportErrorOut]
