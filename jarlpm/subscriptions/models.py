from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class StatusOut(BaseModel):
    status: str
    stripe_subscription_id: str | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    billing_cycle: str | None = None


class MonthlyPrice(BaseModel):
    price: float
    currency: str
    interval: str
    display: str


class AnnualPrice(MonthlyPrice):
    monthly_equivalent: float
    savings: int
    savings_months: int


class PricingOut(BaseModel):
    monthly: MonthlyPrice
    annual: AnnualPrice
