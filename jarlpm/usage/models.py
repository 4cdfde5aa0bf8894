"""GET /api/usage: the query and the answer. Costs are JSON numbers in USD, null only for a group none of
whose calls had a price; token sums count what the providers reported."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

MAX_DAYS = 365


class UsageQuery(BaseModel):
    days: int = Field(default=30, ge=1, le=MAX_DAYS)


class UsageTotals(BaseModel):
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    unpriced_calls: int  # calls without a price (an unknown model, or tokens the provider did not report)


class ModelUsage(UsageTotals):
    provider: str
    model: str


class DayUsage(BaseModel):
    day: date  # UTC
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None


class UsageOut(BaseModel):
    period_days: int
    totals: UsageTotals
    by_model: list[ModelUsage]  # by provider, then model
    by_day: list[DayUsage]  # oldest first; days without calls are left out
