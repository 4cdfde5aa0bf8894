"""Pure subscription rules: what status a user has, and what it costs."""

from __future__ import annotations

from collections.abc import Mapping

ACTIVE = "active"


def effective_status(subscription: Mapping | None, *, billing_enabled: bool) -> str:
    """`active` for everyone without billing (a self-hosted install has no paywall); else the row's status,
    `expired` once an active period has ended, `inactive` without a row. Only `active` unlocks AI."""
    if not billing_enabled:
        return ACTIVE
    if subscription is None:
        return "inactive"
    if subscription["status"] == ACTIVE and subscription["period_over"]:
        return "expired"
    return subscription["status"]


MONTHLY_PRICE = 45.0
ANNUAL_PRICE = 432.0

PRICING = {
    "monthly": {"price": MONTHLY_PRICE, "currency": "usd", "interval": "month", "display": "$45/month"},
    "annual": {
        "price": ANNUAL_PRICE,
        "currency": "usd",
        "interval": "year",
        "monthly_equivalent": ANNUAL_PRICE / 12,
        "display": "$432/year",
        "savings": int(MONTHLY_PRICE * 12 - ANNUAL_PRICE),
        "savings_months": int((MONTHLY_PRICE * 12 - ANNUAL_PRICE) // MONTHLY_PRICE),
    },
}
