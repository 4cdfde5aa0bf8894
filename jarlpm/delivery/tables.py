"""The delivery room's table: scope plans (which stories of an epic are deferred)."""

from __future__ import annotations

from sqlalchemy import ARRAY, Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, Text, text

from jarlpm.db.columns import created_at, metadata, owner, public_id, updated_at

# Older plans are kept (deactivated), never deleted: at most one active plan per epic.
scope_plans = Table(
    "scope_plans",
    metadata,
    *public_id("plan_id", "splan"),
    Column("epic_id", String(50), ForeignKey("epics.epic_id", ondelete="CASCADE"), nullable=False),
    owner(),
    Column("name", String(200), nullable=False, server_default=text("'Default Plan'")),
    Column("deferred_story_ids", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    Column("total_points", Integer, nullable=False, server_default=text("0")),
    Column("deferred_points", Integer, nullable=False, server_default=text("0")),
    Column("remaining_points", Integer, nullable=False, server_default=text("0")),
    Column("notes", Text),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    created_at(),
    updated_at(),
    CheckConstraint("total_points >= 0 AND deferred_points >= 0", name="points_not_negative"),
    CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    Index("ix_scope_plans_epic_id", "epic_id"),
    Index("uq_scope_plans_epic_id_active", "epic_id", unique=True, postgresql_where=text("is_active")),
)
