"""Request and response bodies of /api/epics, with the contract's keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from jarlpm.epics.tables import ArtifactType


class SnapshotOut(BaseModel):
    problem_statement: str | None
    problem_confirmed_at: datetime | None
    desired_outcome: str | None
    outcome_confirmed_at: datetime | None
    epic_summary: str | None
    acceptance_criteria: list[str]
    epic_details: dict[str, list[str]] | None
    epic_locked_at: datetime | None


class EpicOut(BaseModel):
    epic_id: str
    title: str
    current_stage: str
    snapshot: SnapshotOut
    pending_proposal: dict[str, Any] | None
    moscow_score: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, epic: dict) -> EpicOut:
        snapshot = {**epic["snapshot"], "acceptance_criteria": epic["snapshot"]["acceptance_criteria"] or []}
        return cls(**{**epic, "snapshot": SnapshotOut(**snapshot)})


class EpicListOut(BaseModel):
    epics: list[EpicOut]


class CreateEpicIn(BaseModel):
    title: str = Field(max_length=500)  # the contract accepts an empty title


class ChatIn(BaseModel):
    content: str = Field(min_length=1, max_length=20_000)


class DecisionIn(BaseModel):
    proposal_id: str = Field(min_length=1, max_length=50)
    confirmed: bool


class PermissionsOut(BaseModel):
    epic_id: str
    current_stage: str
    permissions: dict[str, dict[str, Any]]


class EventOut(BaseModel):
    event_id: str
    epic_id: str
    role: str
    content: str
    stage: str
    event_metadata: dict[str, Any] | None
    created_at: datetime


class TranscriptOut(BaseModel):
    events: list[EventOut]


class DecisionOut(BaseModel):
    decision_id: str
    epic_id: str
    decision_type: str
    from_stage: str
    to_stage: str | None
    proposal_id: str | None
    content_snapshot: str | None
    user_id: str
    created_at: datetime


class DecisionsOut(BaseModel):
    decisions: list[DecisionOut]


class ArtifactIn(BaseModel):
    artifact_type: ArtifactType
    title: str = Field(min_length=1, max_length=500)
    description: str = Field(max_length=20_000)
    acceptance_criteria: list[str] | None = None
    priority: int | None = Field(default=None, ge=0, le=1000)


class ArtifactOut(BaseModel):
    artifact_id: str
    epic_id: str
    artifact_type: str
    title: str
    description: str
    acceptance_criteria: list[str] | None
    priority: int | None
    created_at: datetime


class MessageOut(BaseModel):
    message: str
