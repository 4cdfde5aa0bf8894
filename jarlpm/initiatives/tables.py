"""The initiatives room's table: what happened to an initiative that its epic's columns do not record
(archive, restore, a scope plan saved), for the dashboard's recent activity."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id

ActivityType = Literal["archived", "restored", "scope_plan_saved"]
ACTIVITY_TYPES: tuple[str, ...] = get_args(ActivityType)  # the CHECK constraint's values

initiative_activity = Table(
    "initiative_activity",
    metadata,
    *public_id("activity_id", "act"),
    owner(index=False),
    Column("epic_id", String(50), ForeignKey("epics.epic_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("event_type", String(30), nullable=False),
    Column("details", Text),
    created_at(),
    one_of("event_type", ACTIVITY_TYPES),
    Index("ix_initiative_activity_user_id_created_at", "user_id", "created_at"),
)
