"""Request and response bodies of /api/poker with the contract's keys, and a persona's AI answer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field

from jarlpm.poker.rules import in_persona_order
from jarlpm.poker.tables import Confidence

# The scale as a type: the model's answer, the accepted points and the database CHECK agree on it.
Points = Literal[1, 2, 3, 5, 8, 13]
Text = Annotated[str, Field(min_length=1, max_length=10_000)]


def _as_list(value: Any) -> Any:
    # A query string with one acceptance_criteria carries a plain string, several carry a list.
    return [value] if isinstance(value, str) else value


class PersonaEstimate(BaseModel):
    """One persona's answer; an estimate off the scale is repaired by `ai.structured`, never stored."""

    estimate: Points
    reasoning: Annotated[str, Field(min_length=1, max_length=4000)]
    confidence: Confidence = "medium"


class EstimateIn(BaseModel):
    story_id: Annotated[str, Field(min_length=1, max_length=50)]


class CustomStoryQuery(BaseModel):
    story_title: Text
    story_description: Text = ""
    acceptance_criteria: Annotated[
        list[Annotated[str, Field(max_length=2000)]], BeforeValidator(_as_list), Field(max_length=50)
    ] = []


class SaveEstimateIn(BaseModel):
    story_id: Annotated[str, Field(min_length=1, max_length=50)]
    story_points: Points
    session_id: Annotated[str, Field(min_length=1, max_length=50)] | None = None


class SaveEstimateOut(BaseModel):
    success: bool = True
    story_id: str
    story_points: int
    session_id: str | None


class PersonaOut(BaseModel):
    id: str
    name: str
    role: str
    avatar: str


class StoredEstimateOut(BaseModel):
    persona_name: str
    persona_role: str
    estimate_points: int
    reasoning: str
    confidence: str | None


class SessionOut(BaseModel):
    session_id: str
    story_id: str
    min_estimate: int | None
    max_estimate: int | None
    average_estimate: float | None
    suggested_estimate: int | None
    accepted_estimate: int | None
    accepted_at: datetime | None
    created_at: datetime
    estimates: list[StoredEstimateOut]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> SessionOut:
        return cls(**{**row, "estimates": in_persona_order(row["estimates"])})


class SessionsOut(BaseModel):
    sessions: list[SessionOut]


class CompletedEpicOut(BaseModel):
    epic_id: str
    title: str
    stage: str
    estimated_stories: int
    session_count: int
    updated_at: datetime


class CompletedEpicsOut(BaseModel):
    epics: list[CompletedEpicOut]


class EpicRefOut(BaseModel):
    epic_id: str
    title: str


class EstimatedStoryOut(BaseModel):
    story_id: str
    title: str | None
    description: str
    story_points: int | None
    stage: str
    session: SessionOut

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EstimatedStoryOut:
        return cls(**{**row, "session": SessionOut.from_row(row["session"])})


class EpicSessionsOut(BaseModel):
    epic: EpicRefOut
    stories: list[EstimatedStoryOut]


class UnestimatedEpicOut(BaseModel):
    epic_id: str
    title: str
    stage: str
    total_stories: int
    unestimated_stories: int


class UnestimatedEpicsOut(BaseModel):
    epics: list[UnestimatedEpicOut]
