"""The features room's tables: features of a locked epic and their append-only conversation."""

from __future__ import annotations

from sqlalchemy import ARRAY, Column, DateTime, Index, Integer, String, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

from jarlpm.db.columns import (
    MOSCOW_SCORES,
    conversation_role,
    created_at,
    history_order,
    metadata,
    moscow_columns,
    one_of,
    parent,
    public_id,
    rice_columns,
    updated_at,
    work_item_checks,
)

# Content columns freeze once a feature is approved (trigger guard_approved_content, migration 0005).
features = Table(
    "features",
    metadata,
    *public_id("feature_id", "feat"),
    parent("epic_id", "epics"),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("acceptance_criteria", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("current_stage", String(20), nullable=False, server_default=text("'draft'")),
    Column("source", String(20), nullable=False, server_default=text("'manual'")),
    Column("priority", Integer),
    *moscow_columns(),
    *rice_columns(),
    created_at(),
    updated_at(),
    Column("approved_at", DateTime(timezone=True)),
    *work_item_checks(),
    one_of("moscow_score", MOSCOW_SCORES),
)

# Append-only. epic_id is kept beside feature_id so deleting the epic may remove these rows too.
feature_conversation_events = Table(
    "feature_conversation_events",
    metadata,
    *public_id("event_id", "fevt"),
    parent("feature_id", "features", index=False),
    parent("epic_id", "epics", index=False),
    *conversation_role(),
    Column("content", Text, nullable=False),
    Column("event_metadata", JSONB),
    created_at(),
    history_order(),
    Index("ix_feature_conversation_events_feature_id_seq", "feature_id", "seq"),
)
