"""Request and response bodies of /api/lean-canvas, with the contract's keys.

A section is text of at most 5,000 characters; a model that answers a section with a list of points
has them joined, one per line, before the bound is checked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _joined(value: Any) -> Any:
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return value


Section = Annotated[str, BeforeValidator(_joined), Field(max_length=5_000)]


class Canvas(BaseModel):
    """The nine sections (tables.CANVAS_SECTIONS), each defaulting to empty."""

    model_config = ConfigDict(extra="ignore")

    problem: Section = ""
    solution: Section = ""
    unique_value: Section = ""
    unfair_advantage: Section = ""
    customer_segments: Section = ""
    key_metrics: Section = ""
    channels: Section = ""
    cost_structure: Section = ""
    revenue_streams: Section = ""


class EpicRef(BaseModel):
    epic_id: str
    title: str
    stage: str


class EpicsOut(BaseModel):
    epics: list[EpicRef]


class CanvasListItem(BaseModel):
    canvas_id: str
    epic_id: str
    epic_title: str
    source: str
    created_at: datetime
    updated_at: datetime


class CanvasListOut(BaseModel):
    canvases: list[CanvasListItem]


class GenerateIn(BaseModel):
    epic_id: str = Field(min_length=1, max_length=50)


class GeneratedOut(BaseModel):
    epic_id: str
    epic_title: str
    canvas: Canvas
    generated_at: datetime
    source: None = None


class CanvasOut(BaseModel):
    epic_id: str
    epic_title: str
    canvas: Canvas | None
    source: str | None = None
    updated_at: datetime | None = None
    exists: bool


class SaveIn(BaseModel):
    epic_id: str = Field(min_length=1, max_length=50)
    canvas: Canvas
    source: Literal["manual", "ai_generated", "manual_edit"] = "manual"


class SavedOut(BaseModel):
    success: bool = True
    epic_id: str
    message: str = "Lean canvas saved"
