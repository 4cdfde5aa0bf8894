from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class CheckoutIn(BaseModel):
    # origin_url is accepted for the web client's sake and ignored: redirects go to PUBLIC_APP_URL only.
    model_config = ConfigDict(extra="ignore")

    billing_cycle: Literal["monthly", "annual"] = "monthly"
    origin_url: str | None = None


class CheckoutOut(BaseModel):
    checkout_url: str
    session_id: str


class CheckoutStatusOut(BaseModel):
    status: str | None = None
    payment_status: str | None = None
    subscription_status: str
    amount_total: int | None = None
    currency: str | None = None


class CancelIn(BaseModel):
    cancel_at_period_end: bool = True


class CancelOut(BaseModel):
    status: Literal["cancel_scheduled", "canceled"]
    cancel_at_period_end: bool
    current_period_end: datetime | None = None


class ReactivateOut(BaseModel):
    status: Literal["reactivated"]
    subscription_status: str


class WebhookOut(BaseModel):
    received: bool
    type: str | None = None
    duplicate: bool = False
