"""Request and response bodies of /api/personas, with the contract's keys, and what the model must produce."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

MIN_COUNT, MAX_COUNT = 1, 5
Item = Annotated[str, Field(max_length=1000)]
Items = Field(default=None, max_length=20)
LongText = Field(default=None, max_length=5000)


class SettingsOut(BaseModel):
    image_provider: str
    image_model: str
    default_persona_count: int


class SettingsIn(BaseModel):
    """Any of the three; the count is clamped to 1-5."""

    image_provider: str | None = Field(default=None, min_length=1, max_length=50)
    image_model: str | None = Field(default=None, min_length=1, max_length=100)
    default_persona_count: int | None = Field(default=None, ge=-1000, le=1000)


class GenerateIn(BaseModel):
    count: int = Field(default=3, ge=-1000, le=1000)  # clamped to 1-5


class _PersonaFields(BaseModel):
    age_range: str | None = Field(default=None, max_length=50)
    location: str | None = Field(default=None, max_length=200)
    tech_proficiency: str | None = Field(default=None, max_length=50)
    product_interaction_context: str | None = LongText
    representative_quote: str | None = LongText


class GeneratedPersona(_PersonaFields):
    """One persona as the model must describe it."""

    name: str = Field(min_length=1, max_length=100)
    role: str = Field(min_length=1, max_length=200)
    goals_and_motivations: list[Item] = Field(default_factory=list, max_length=20)
    pain_points: list[Item] = Field(default_factory=list, max_length=20)
    key_behaviors: list[Item] = Field(default_factory=list, max_length=20)
    jobs_to_be_done: list[Item] = Field(default_factory=list, max_length=20)


class GeneratedPersonas(BaseModel):
    personas: list[GeneratedPersona] = Field(min_length=1, max_length=MAX_COUNT)


class PersonaUpdateIn(_PersonaFields):
    """Only the fields sent change; the persona is then marked human_modified."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    role: str | None = Field(default=None, min_length=1, max_length=200)
    goals_and_motivations: list[Item] | None = Items
    pain_points: list[Item] | None = Items
    key_behaviors: list[Item] | None = Items
    jobs_to_be_done: list[Item] | None = Items


class PortraitIn(BaseModel):
    prompt: str | None = Field(default=None, max_length=4000)


class PersonaQuery(BaseModel):
    epic_id: str | None = Field(default=None, max_length=50)
    search: str | None = Field(default=None, max_length=200)


class PersonaOut(BaseModel):
    persona_id: str
    epic_id: str
    name: str
    role: str
    age_range: str | None
    location: str | None
    tech_proficiency: str | None
    goals_and_motivations: list[str]
    pain_points: list[str]
    key_behaviors: list[str]
    jobs_to_be_done: list[str]
    product_interaction_context: str | None
    representative_quote: str | None
    portrait_image_base64: str | None
    portrait_prompt: str | None
    source: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class GeneratedOut(BaseModel):
    success: bool
    count: int
    personas: list[PersonaOut]
    message: str


class MessageOut(BaseModel):
    message: str
