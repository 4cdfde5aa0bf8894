"""Request and response bodies of /api/stories, with the contract's keys, and what the model must return."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, model_validator

from jarlpm.ai.shapes import HistoryMessage
from jarlpm.db.columns import WorkSource, WorkStage
from jarlpm.stories.rules import clean_action, clean_benefit, clean_persona, normalize_priority
from jarlpm.stories.tables import StoryPriority

Persona = Annotated[str, AfterValidator(clean_persona), Field(min_length=1, max_length=200)]
Action = Annotated[str, AfterValidator(clean_action), Field(min_length=1, max_length=5000)]
Benefit = Annotated[str, AfterValidator(clean_benefit), Field(min_length=1, max_length=5000)]
Items = Annotated[list[str], Field(max_length=50)]
Priority = StoryPriority


class StoryOut(BaseModel):
    story_id: str
    feature_id: str | None
    user_id: str
    title: str | None
    persona: str
    action: str
    benefit: str
    story_text: str
    acceptance_criteria: list[str]
    current_stage: str
    source: str
    story_points: int | None
    priority: int | None
    is_standalone: bool
    labels: list[str]
    story_priority: str | None
    dependencies: list[str]
    risks: list[str]
    edge_cases: list[str]
    notes_for_engineering: str | None
    rice_reach: int | None
    rice_impact: float | None
    rice_confidence: float | None
    rice_effort: float | None
    rice_total: float | None
    sprint_number: int | None
    status: str | None
    blocked_reason: str | None
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None


class ExportReady(BaseModel):
    labels: Items = Field(default_factory=list)
    story_priority: Priority | None = None
    dependencies: Items = Field(default_factory=list)
    risks: Items = Field(default_factory=list)
    edge_cases: Items = Field(default_factory=list)
    notes_for_engineering: str | None = Field(default=None, max_length=20_000)


class StoryIn(ExportReady):
    title: str | None = Field(default=None, max_length=500)
    persona: Persona
    action: Action
    benefit: Benefit
    acceptance_criteria: Items = Field(default_factory=list)
    source: WorkSource = "manual"


class StoryUpdateIn(BaseModel):
    """Only the fields sent change."""

    title: str | None = Field(default=None, max_length=500)
    persona: Persona | None = None
    action: Action | None = None
    benefit: Benefit | None = None
    acceptance_criteria: Items | None = None
    labels: Items | None = None
    story_priority: Priority | None = None
    dependencies: Items | None = None
    risks: Items | None = None
    edge_cases: Items | None = None
    notes_for_engineering: str | None = Field(default=None, max_length=20_000)


class GenerateIn(BaseModel):
    count: int = Field(default=5, ge=1, le=10)


class ChatIn(BaseModel):
    content: str = Field(min_length=1, max_length=20_000)


class ConversationEventOut(BaseModel):
    event_id: str
    story_id: str
    role: str
    content: str
    # Beside the contract's keys: which prompt and model wrote a reply, and `interrupted` when the
    # provider or a shutdown cut it short.
    event_metadata: dict[str, Any] | None = None
    created_at: datetime


class MessageOut(BaseModel):
    message: str


class GeneratedStory(BaseModel):
    """One story draft as the model must produce it (export-ready fields included)."""

    title: str | None = Field(default=None, max_length=500)
    persona: Persona
    action: Action
    benefit: Benefit
    acceptance_criteria: list[str] = Field(min_length=1)
    story_priority: Annotated[Priority, BeforeValidator(normalize_priority)] = "should-have"
    labels: list[str] = Field(default_factory=list)
    dependencies: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    edge_cases: list[str] = Field(default_factory=list)
    notes_for_engineering: str | None = None


class StoryUpdate(BaseModel):
    """A [STORY_UPDATE] block: only the fields that change, at least one (a title is ignored)."""

    title: str | None = None
    persona: Persona | None = None
    action: Action | None = None
    benefit: Benefit | None = None
    acceptance_criteria: list[str] | None = Field(default=None, min_length=1)
    story_points: int | None = Field(default=None, ge=0, le=100)
    labels: list[str] | None = None
    story_priority: Annotated[Priority, BeforeValidator(normalize_priority)] | None = None
    dependencies: list[str] | None = None
    risks: list[str] | None = None
    edge_cases: list[str] | None = None
    notes_for_engineering: str | None = None

    @model_validator(mode="after")
    def changes_something(self) -> StoryUpdate:
        if not self.changes():
            raise ValueError("the update changes no field")
        return self

    def changes(self) -> dict:
        return self.model_dump(exclude_none=True, exclude={"title"})


class StandaloneStoryIn(StoryIn):
    story_points: int | None = Field(default=None, ge=0, le=100)


class StoryFilter(BaseModel):
    stage: WorkStage | None = None


class AllStoriesFilter(StoryFilter):
    standalone: bool | None = None


class StandaloneChatIn(ChatIn):
    conversation_history: list[HistoryMessage] | None = None  # accepted, not used: the server keeps the history


class StoryProposal(BaseModel):
    """The interview's proposal, and the body of create-from-proposal."""

    title: str = Field(min_length=1, max_length=500)
    persona: Persona
    action: Action
    benefit: Benefit
    acceptance_criteria: list[str] = Field(default_factory=list, max_length=50)
    story_points: int | None = Field(default=None, ge=0, le=100)
