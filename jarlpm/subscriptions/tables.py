"""The subscriptions room's table: one subscription per user, which decides access to the AI features."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, String, Table, text

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id, updated_at

SUBSCRIPTION_STATUSES = ("active", "inactive", "canceled", "past_due", "trial")
BILLING_CYCLES = ("monthly", "annual")

subscriptions = Table(
    "subscriptions",
    metadata,
    *public_id("subscription_id", "sub"),
    owner(unique=True),
    Column("status", String(20), nullable=False, server_default=text("'inactive'")),
    Column("stripe_subscription_id", String(255)),
    Column("stripe_customer_id", String(255)),
    Column("current_period_start", DateTime(timezone=True)),
    Column("current_period_end", DateTime(timezone=True)),
    Column("cancel_at_period_end", Boolean, nullable=False, server_default=text("false")),
    Column("billing_cycle", String(20)),
    created_at(),
    updated_at(),
    one_of("status", SUBSCRIPTION_STATUSES),
    one_of("billing_cycle", BILLING_CYCLES),
)
