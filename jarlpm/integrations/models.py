"""Shapes shared by every tracker: status, push history, mappings, and the push request and answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

PushScope = Literal["epic_only", "epic_features", "epic_features_stories", "full"]


class Named(BaseModel):
    id: str
    name: str | None


class StatusEntry(BaseModel):
    status: str
    reason: str | None  # why a tracker dropped the connection (grant_revoked, pat_rejected), else null
    account_name: str | None
    default_team: Named | None
    default_project: Named | None
    connected_at: str | None
    configured: bool  # whether this server can connect the tracker at all


class StatusOut(BaseModel):
    jira: StatusEntry
    linear: StatusEntry
    azure_devops: StatusEntry


class ProviderStatusOut(StatusEntry):
    connected: bool


class HistoryQuery(BaseModel):
    provider: str | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class RunOut(BaseModel):
    run_id: str
    provider: str
    epic_id: str | None
    push_scope: str | None
    status: str
    is_dry_run: bool
    started_at: str
    ended_at: str | None
    summary: dict[str, Any] | None
    errors: list[dict[str, Any]]


class HistoryOut(BaseModel):
    runs: list[RunOut]


class MappingOut(BaseModel):
    provider: str
    external_key: str | None
    external_url: str | None
    last_pushed_at: str


class MappingsOut(BaseModel):
    mappings: list[MappingOut]


class PreviewIn(BaseModel):
    epic_id: Annotated[str, Field(min_length=1, max_length=50)]
    push_scope: PushScope = "epic_features_stories"
    include_bugs: bool = False
