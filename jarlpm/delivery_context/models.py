"""Request and response bodies of /api/delivery-context, with the contract's keys."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from jarlpm.http.bounds import PgDate


class DeliveryContextIn(BaseModel):
    """A full replacement: an omitted field becomes empty (or its default)."""

    industry: str | None = Field(default=None, max_length=500)
    delivery_methodology: str | None = Field(default=None, max_length=50)
    sprint_cycle_length: int | None = Field(default=None, ge=1, le=365)
    sprint_start_date: PgDate | None = None
    num_developers: int | None = Field(default=None, ge=0, le=10_000)
    num_qa: int | None = Field(default=None, ge=0, le=10_000)
    delivery_platform: str | None = Field(default=None, max_length=50)
    points_per_dev_per_sprint: int | None = Field(default=8, ge=1, le=50)
    quality_mode: str | None = Field(default="standard", max_length=20)


class DeliveryContextOut(BaseModel):
    context_id: str
    industry: str | None
    delivery_methodology: str | None
    sprint_cycle_length: int | None
    sprint_start_date: date | None
    num_developers: int | None
    num_qa: int | None
    delivery_platform: str | None
    points_per_dev_per_sprint: int
    quality_mode: str
    created_at: datetime
    updated_at: datetime
