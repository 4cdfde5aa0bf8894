"""Request and response bodies of /api/initiatives, with the contract's keys.

Unknown statuses and sort fields are schema violations (422 VALIDATION_ERROR), as the original's
enumerated query parameters were; nothing is read or written before they are refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from jarlpm.initiatives import rules
from jarlpm.initiatives.rules import SortField, Status

MAX_PAGE_SIZE = 100
# Far beyond any library, far inside what OFFSET (a bigint) holds at the largest page size.
MAX_PAGE = 10_000_000


class InitiativeQuery(BaseModel):
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    page_size: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    status: Status | None = None
    search: str | None = Field(default=None, max_length=200)
    sort_by: SortField = "updated_at"
    sort_order: Literal["asc", "desc"] = "desc"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class InitiativeSummaryOut(BaseModel):
    epic_id: str
    title: str
    tagline: str | None
    status: Status
    problem_statement: str | None
    features_count: int
    stories_count: int
    total_points: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict) -> InitiativeSummaryOut:
        problem = row["problem_statement"]
        return cls(
            **{**row, "problem_statement": rules.problem_preview(problem)},
            tagline=rules.tagline(problem),
            status=rules.display_status(row["current_stage"], row["is_archived"]),
        )


class InitiativeListOut(BaseModel):
    initiatives: list[InitiativeSummaryOut]
    total: int
    page: int
    page_size: int
    has_more: bool

    @classmethod
    def from_page(cls, rows: list[dict], total: int, query: InitiativeQuery) -> InitiativeListOut:
        return cls(
            initiatives=[InitiativeSummaryOut.from_row(row) for row in rows],
            total=total,
            page=query.page,
            page_size=query.page_size,
            has_more=query.offset + len(rows) < total,
        )


class StoryNodeOut(BaseModel):
    story_id: str
    title: str | None
    story_text: str
    points: int | None
    status: str
    labels: list[str]
    priority: str | None


class FeatureNodeOut(BaseModel):
    feature_id: str
    name: str
    description: str
    priority: str
    stories_count: int
    total_points: int
    stories: list[StoryNodeOut]

    @classmethod
    def from_row(cls, row: dict) -> FeatureNodeOut:
        # The contract's priority is the feature's MoSCoW score, "should-have" while it has none.
        return cls(
            **row,
            name=row["title"],
            priority=row["moscow_score"] or "should-have",
        )


class InitiativeDetailOut(BaseModel):
    epic_id: str
    title: str
    tagline: str | None
    status: Status
    problem_statement: str | None
    desired_outcome: str | None
    epic_summary: str | None
    acceptance_criteria: list[str]
    features_count: int
    stories_count: int
    total_points: int
    features: list[FeatureNodeOut]
    sprint_plan: dict[str, Any] | None  # always null: the contract keeps the key for a later plan
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_rows(cls, initiative: dict, features: list[dict]) -> InitiativeDetailOut:
        return cls(
            **{**initiative, "acceptance_criteria": initiative["acceptance_criteria"] or []},
            tagline=rules.tagline(initiative["problem_statement"]),
            status=rules.display_status(initiative["current_stage"], initiative["is_archived"]),
            features=[FeatureNodeOut.from_row(feature) for feature in features],
            sprint_plan=None,
        )


class StatusIn(BaseModel):
    status: Status


class DuplicateIn(BaseModel):
    new_title: str | None = Field(default=None, max_length=rules.TITLE_LENGTH)


class InitiativeMessageOut(BaseModel):
    message: str
    epic_id: str


class DuplicateOut(BaseModel):
    message: str
    new_epic_id: str
    title: str


class StatusSummaryOut(BaseModel):
    total: int
    draft: int
    active: int
    completed: int
    archived: int


class RegenerationContext(BaseModel):
    product_name: str
    problem_statement: str | None
    desired_outcome: str | None


class RegenerationOut(BaseModel):
    epic_id: str
    feature_id: str
    feature_name: str
    feature_description: str
    context: RegenerationContext

    @classmethod
    def from_row(cls, row: dict) -> RegenerationOut:
        return cls(
            **row,
            context=RegenerationContext(
                product_name=row["title"],
                problem_statement=row["problem_statement"],
                desired_outcome=row["desired_outcome"],
            ),
        )
