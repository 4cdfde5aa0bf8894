"""Request and response bodies of /api/features, with the contract's keys, and what the model must return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from jarlpm.db.columns import WorkSource

Text = Field(min_length=1, max_length=20_000)


class FeatureOut(BaseModel):
    feature_id: str
    epic_id: str
    title: str
    description: str
    acceptance_criteria: list[str]
    current_stage: str
    source: str
    priority: int | None
    moscow_score: str | None
    rice_reach: int | None
    rice_impact: float | None
    rice_confidence: float | None
    rice_effort: float | None
    rice_total: float | None
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None


class FeatureIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    description: str = Text
    acceptance_criteria: list[str] = Field(default_factory=list, max_length=50)
    source: WorkSource = "manual"


class FeatureUpdateIn(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, min_length=1, max_length=20_000)
    acceptance_criteria: list[str] | None = Field(default=None, max_length=50)


class GenerateIn(BaseModel):
    count: int = Field(default=5, ge=1, le=10)


class ChatIn(BaseModel):
    content: str = Field(min_length=1, max_length=20_000)


class ConversationEventOut(BaseModel):
    event_id: str
    feature_id: str
    role: str
    content: str
    # Beside the contract's keys: which prompt and model wrote a reply, and `interrupted` when the
    # provider or a shutdown cut it short.
    event_metadata: dict[str, Any] | None = None
    created_at: datetime


class MessageOut(BaseModel):
    message: str


class GeneratedFeature(BaseModel):
    """One feature draft as the model must produce it."""

    title: str = Field(min_length=1, max_length=500)
    description: str = Field(min_length=1)
    acceptance_criteria: list[str] = Field(min_length=1)


class FeatureUpdate(BaseModel):
    """A [FEATURE_UPDATE] block: only the fields that change, at least one."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, min_length=1)
    acceptance_criteria: list[str] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def changes_something(self) -> FeatureUpdate:
        if not self.changes():
            raise ValueError("the update changes no field")
        return self

    def changes(self) -> dict:
        return self.model_dump(exclude_none=True)
