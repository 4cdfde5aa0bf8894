"""Metering: one row per provider call (jarlpm/ai/usage.py)."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, Index, Integer, Numeric, String, Table, text

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id

USAGE_OUTCOMES = ("ok", "failed", "interrupted")

# Tokens are what the provider reported, or null when it reported nothing: never estimated.
llm_usage = Table(
    "llm_usage",
    metadata,
    *public_id("usage_id", "use"),
    owner(index=False),
    Column("route", String(100), nullable=False),
    Column("provider", String(20), nullable=False),
    Column("model", String(200), nullable=False),
    Column("input_tokens", Integer),
    Column("output_tokens", Integer),
    Column("duration_ms", Integer, nullable=False),
    Column("outcome", String(20), nullable=False),
    # A call that asked the model to repair its previous (invalid) output: one per reply that needed it.
    Column("repair", Boolean, nullable=False, server_default=text("false")),
    # From the price table in force when the call was made (jarlpm/usage/prices.py); null if unknown.
    Column("cost_usd", Numeric(14, 6)),
    created_at(),
    one_of("outcome", USAGE_OUTCOMES),
    CheckConstraint("input_tokens >= 0 AND output_tokens >= 0 AND duration_ms >= 0", name="counts_not_negative"),
    Index("ix_llm_usage_user_id_created_at", "user_id", "created_at"),
)
