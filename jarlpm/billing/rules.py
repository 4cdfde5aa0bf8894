"""Pure billing rules: how Stripe's objects map onto a subscription row. Stripe's payloads are read
defensively (a field of the wrong type is treated as missing), since an event is data, not code."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

# Stripe's subscription statuses, as the contract maps them; anything unknown locks AI (inactive).
STATUS_MAP = {
    "active": "active",
    "past_due": "past_due",
    "unpaid": "past_due",
    "canceled": "canceled",
    "trialing": "trial",
    "incomplete": "inactive",
    "incomplete_expired": "inactive",
    "paused": "inactive",
}
BILLING_CYCLES = ("monthly", "annual")
INTERVAL_CYCLES = {"month": "monthly", "year": "annual"}


def local_status(stripe_status: object) -> str:
    return STATUS_MAP.get(stripe_status, "inactive") if isinstance(stripe_status, str) else "inactive"


def text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def object_id(value: object) -> str | None:
    """An id Stripe may send bare or as an expanded object."""
    if isinstance(value, Mapping):
        return text(value.get("id"))
    return text(value)


def moment(value: object) -> datetime | None:
    """A Unix timestamp as an aware datetime."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def money(cents: object) -> Decimal | None:
    """Stripe's amounts are in the currency's minor unit."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        return None
    return Decimal(cents) / 100


def _first_item(subscription: Mapping[str, Any]) -> Mapping[str, Any]:
    items = subscription.get("items")
    data = items.get("data") if isinstance(items, Mapping) else None
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        return data[0]
    return {}


def billing_cycle(
    subscription: Mapping[str, Any], *, monthly_price: str | None, yearly_price: str | None
) -> str | None:
    """The cycle of the subscription's price: our configured price ids first, else the price's interval."""
    price = _first_item(subscription).get("price")
    if not isinstance(price, Mapping):
        return None
    price_id = text(price.get("id"))
    if price_id and price_id == monthly_price:
        return "monthly"
    if price_id and price_id == yearly_price:
        return "annual"
    recurring = price.get("recurring")
    interval = recurring.get("interval") if isinstance(recurring, Mapping) else None
    return INTERVAL_CYCLES.get(interval) if isinstance(interval, str) else None


def period(subscription: Mapping[str, Any], edge: str) -> datetime | None:
    """`current_period_start` / `_end`: on the subscription in older API versions, on its items since 2025."""
    return moment(subscription.get(edge)) or moment(_first_item(subscription).get(edge))


def subscription_row(
    subscription: Mapping[str, Any], *, deleted: bool, monthly_price: str | None, yearly_price: str | None
) -> dict[str, Any]:
    """The subscription row's columns as a Stripe subscription object says."""
    return {
        "stripe_subscription_id": object_id(subscription.get("id")),
        "status": "canceled" if deleted else local_status(subscription.get("status")),
        "current_period_start": period(subscription, "current_period_start"),
        "current_period_end": period(subscription, "current_period_end"),
        "cancel_at_period_end": subscription.get("cancel_at_period_end") is True,
        "billing_cycle": billing_cycle(subscription, monthly_price=monthly_price, yearly_price=yearly_price),
    }


def invoice_subscription(invoice: Mapping[str, Any]) -> str | None:
    """The subscription an invoice bills: top level in older API versions, under `parent` since 2025."""
    direct = object_id(invoice.get("subscription"))
    if direct:
        return direct
    parent = invoice.get("parent")
    details = parent.get("subscription_details") if isinstance(parent, Mapping) else None
    return object_id(details.get("subscription")) if isinstance(details, Mapping) else None


def checkout_user(session: Mapping[str, Any]) -> str | None:
    """The user a Checkout Session was made for: client_reference_id, else metadata.user_id."""
    metadata = session.get("metadata")
    from_metadata = text(metadata.get("user_id")) if isinstance(metadata, Mapping) else None
    return text(session.get("client_reference_id")) or from_metadata


def success_url(public_app_url: str) -> str:
    # {CHECKOUT_SESSION_ID} is Stripe's template, filled in by Stripe on redirect.
    return f"{public_app_url.rstrip('/')}/settings?payment=success&session_id={{CHECKOUT_SESSION_ID}}"


def cancel_url(public_app_url: str) -> str:
    return f"{public_app_url.rstrip('/')}/settings?payment=cancelled"
