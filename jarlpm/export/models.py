"""Request and response bodies of /api/export (file export; the direct tracker exports are elsewhere)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from jarlpm.export.files import ExportFormat

PreviewType = Literal["Epic", "Feature", "User Story", "Bug"]


class PreviewQuery(BaseModel):
    include_bugs: bool = True


class FileIn(BaseModel):
    """An unknown format is a schema violation: 422 VALIDATION_ERROR, before anything is read."""

    epic_id: str = Field(min_length=1, max_length=50)
    format: ExportFormat
    include_bugs: bool = True


class TrackerItemMapping(BaseModel):
    issue_type: str
    fields: dict[str, str]


class TrackerMapping(BaseModel):
    epic: TrackerItemMapping
    feature: TrackerItemMapping
    user_story: TrackerItemMapping
    bug: TrackerItemMapping


class DescriptionMapping(BaseModel):
    jira: dict[str, list[str]]
    azure_devops: dict[str, list[str]]


class FieldMappingsOut(BaseModel):
    """Exactly the columns the CSV files carry, per kind of row, and what fills each one."""

    jira: TrackerMapping
    azure_devops: TrackerMapping
    description: DescriptionMapping
    columns: dict[str, list[str]]


class PreviewItem(BaseModel):
    type: PreviewType
    title: str
    stage: str | None = None
    moscow: str | None = None
    rice: float | None = None
    points: int | None = None
    severity: str | None = None
    status: str | None = None


class PreviewOut(BaseModel):
    epic_title: str
    feature_count: int
    story_count: int
    bug_count: int
    items: list[PreviewItem]

    @classmethod
    def of(cls, epic_title: str, items: list[dict[str, Any]]) -> PreviewOut:
        def count(kind: str) -> int:
            return sum(1 for item in items if item["type"] == kind)

        return cls(
            epic_title=epic_title,
            feature_count=count("Feature"),
            story_count=count("User Story"),
            bug_count=count("Bug"),
            items=[PreviewItem(**item) for item in items],
        )
