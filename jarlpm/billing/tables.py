"""The billing room's tables: payments recorded from Stripe, and the Stripe events already processed
(each event id once: the claim is written in the same transaction as the change it makes)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Numeric, String, Table, func, text
from sqlalchemy.dialects.postgresql import JSONB

from jarlpm.db.columns import created_at, metadata, owner, public_id, updated_at

payment_transactions = Table(
    "payment_transactions",
    metadata,
    *public_id("transaction_id", "txn"),
    owner(),
    Column("stripe_session_id", String(255), nullable=False, unique=True),
    Column("stripe_payment_id", String(255)),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("currency", String(10), nullable=False, server_default=text("'usd'")),
    Column("payment_status", String(30), nullable=False, server_default=text("'pending'")),
    Column("transaction_type", String(30), nullable=False, server_default=text("'subscription'")),
    Column("payment_metadata", JSONB),
    created_at(),
    updated_at(),
)

# Not a user's data: Stripe's event ids, kept so a replayed or retried event changes nothing twice.
stripe_events = Table(
    "stripe_events",
    metadata,
    Column("event_id", String(255), primary_key=True),
    Column("event_type", String(100), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
