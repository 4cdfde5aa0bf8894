"""Request and response bodies of /api/sprints, with the contract's keys; the AI answers' shapes.

A sprint status arrives as a plain string and is checked by the handler, because the contract answers
400 (not 422) for an unknown one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from jarlpm.delivery.rules import Capacity, total_points
from jarlpm.http.bounds import EARLIEST_DAY, LATEST_DAY
from jarlpm.sprints.rules import Load, Sprint, by_bucket, sprint_load
from jarlpm.sprints.tables import INSIGHT_TYPES

# The highest sprint a delivery context can reach: one-day sprints from the earliest start date to
# the latest day a date may hold. Anything above names no sprint that can ever be current.
MAX_SPRINT_NUMBER = (LATEST_DAY - EARLIEST_DAY).days + 1
# Strict: `true` or "3" is not a sprint number.
SprintNumber = Annotated[int, Field(strict=True, ge=1, le=MAX_SPRINT_NUMBER)]


class SprintInfoOut(BaseModel):
    sprint_number: int
    start_date: date
    end_date: date
    days_remaining: int
    progress: float
    cycle_length: int

    @classmethod
    def of(cls, sprint: Sprint) -> SprintInfoOut:
        return cls(
            sprint_number=sprint.number,
            start_date=sprint.start_date,
            end_date=sprint.end_date,
            days_remaining=sprint.days_remaining,
            progress=sprint.progress,
            cycle_length=sprint.cycle_length,
        )


class CapacityOut(BaseModel):
    sprint_capacity: int
    committed_points: int
    delta: int
    is_overloaded: bool

    @classmethod
    def of(cls, load: Load) -> CapacityOut:
        return cls(
            sprint_capacity=load.sprint_capacity,
            committed_points=load.committed_points,
            delta=load.delta,
            is_overloaded=load.is_overloaded,
        )


class StoryItem(BaseModel):
    """A story on the sprint board; `priority` is its must/should/nice-to-have, `feature_id` null when standalone."""

    story_id: str
    title: str
    story_points: int | None
    priority: str | None
    feature_id: str | None
    sprint_number: int | None
    status: str | None
    blocked_reason: str | None


class StoriesByStatus(BaseModel):
    backlog: list[StoryItem]
    ready: list[StoryItem]
    in_progress: list[StoryItem]
    done: list[StoryItem]
    blocked: list[StoryItem]


class CurrentSprintOut(BaseModel):
    """The current sprint and its stories; with no sprint configured, every story of the user (and no
    capacity: nothing is committed to a sprint that does not exist)."""

    sprint_info: SprintInfoOut | None
    capacity: CapacityOut | None
    stories_by_status: StoriesByStatus
    blocked_stories: list[StoryItem]
    total_points: int
    completed_points: int

    @classmethod
    def of(cls, sprint: Sprint | None, team: Capacity, stories: Sequence[Mapping[str, Any]]) -> CurrentSprintOut:
        columns = {
            name: [StoryItem.model_validate(story) for story in listed] for name, listed in by_bucket(stories).items()
        }
        return cls(
            sprint_info=SprintInfoOut.of(sprint) if sprint else None,
            capacity=CapacityOut.of(sprint_load(team, stories)) if sprint else None,
            stories_by_status=StoriesByStatus(**columns),
            blocked_stories=columns["blocked"],
            total_points=total_points(stories),
            completed_points=total_points(story for story in stories if story.get("status") == "done"),
        )


class SprintAssignIn(BaseModel):
    sprint_number: SprintNumber | None = Field(description="The sprint to put the story in; null takes it out")


class SprintAssignOut(BaseModel):
    story_id: str
    sprint_number: int | None
    message: str


class StatusIn(BaseModel):
    status: str = Field(max_length=50)
    blocked_reason: str | None = Field(default=None, max_length=2000)


class StatusOut(BaseModel):
    story_id: str
    status: str
    blocked_reason: str | None
    message: str


class CommitOut(BaseModel):
    story_id: str
    sprint_number: int
    status: str
    message: str


class InsightOut(BaseModel):
    insight_id: str
    insight_type: str
    content: dict[str, Any]
    generated_at: datetime


class InsightsOut(BaseModel):
    """The newest insight of each type for one sprint (sprint_number 0: no sprint configured)."""

    sprint_number: int
    kickoff_plan: InsightOut | None
    standup_summary: InsightOut | None
    wip_suggestions: InsightOut | None

    @classmethod
    def of(cls, sprint_number: int, newest: Mapping[str, Mapping[str, Any]]) -> InsightsOut:
        """`newest`: the newest insight of each type there is, by type."""
        found = {kind: InsightOut.model_validate(newest[kind]) if kind in newest else None for kind in INSIGHT_TYPES}
        return cls(sprint_number=sprint_number, **found)


class StoryPick(BaseModel):
    """A story the model singles out, by the id it was shown."""

    id: str = Field(min_length=1)
    title: str
    reason: str


class KickoffPlan(BaseModel):
    sprint_goal: str = Field(min_length=1)
    top_stories: list[StoryPick] = Field(default_factory=list)
    sequencing: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)


class StandupSummary(BaseModel):
    what_changed: list[str] = Field(default_factory=list)
    whats_blocked: list[str] = Field(default_factory=list)
    what_to_do_next: list[str] = Field(default_factory=list)
    summary: str = Field(min_length=1)


class WipSuggestions(BaseModel):
    finish_first: list[StoryPick] = Field(default_factory=list)
    consider_pausing: list[StoryPick] = Field(default_factory=list)
    reasoning: str = Field(min_length=1)


class FromDeliveryOut(BaseModel):
    """A sprint plan from the epic's active scope plan (sprint_number 0: no sprint configured)."""

    epic_id: str
    sprint_number: int
    sprint_capacity: int
    included_stories: list[StoryItem]
    included_points: int
    deferred_stories: list[StoryItem]
    fits_in_sprint: bool
    message: str
