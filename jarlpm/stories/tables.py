"""The stories room's tables: user stories (feature-bound or standalone) and their append-only conversation."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from jarlpm.db.columns import (
    conversation_role,
    created_at,
    history_order,
    metadata,
    one_of,
    owner,
    parent,
    public_id,
    rice_columns,
    updated_at,
    work_item_checks,
)

StoryPriority = Literal["must-have", "should-have", "nice-to-have"]
STORY_PRIORITIES: tuple[str, ...] = get_args(StoryPriority)  # the CHECK constraint's values
SPRINT_STATUSES = ("draft", "ready", "in_progress", "done", "blocked")

# Feature-bound (feature_id set) or standalone (feature_id NULL); always owned by user_id.
user_stories = Table(
    "user_stories",
    metadata,
    *public_id("story_id", "story"),
    owner(),
    Column("feature_id", String(50), ForeignKey("features.feature_id", ondelete="CASCADE"), index=True),
    Column("title", String(500)),
    Column("persona", String(200), nullable=False),
    Column("action", Text, nullable=False),
    Column("benefit", Text, nullable=False),
    Column(
        "story_text",
        Text,
        Computed("'As a ' || persona || ', I want to ' || action || ' so that ' || benefit || '.'", persisted=True),
    ),
    Column("acceptance_criteria", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("labels", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("story_priority", String(20)),
    Column("dependencies", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("risks", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("edge_cases", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("notes_for_engineering", Text),
    Column("current_stage", String(20), nullable=False, server_default=text("'draft'")),
    Column("source", String(20), nullable=False, server_default=text("'manual'")),
    Column("story_points", Integer),
    Column("priority", Integer),
    *rice_columns(),
    Column("is_standalone", Boolean, Computed("feature_id IS NULL", persisted=True)),
    Column("sprint_number", Integer),
    Column("status", String(20)),
    Column("blocked_reason", Text),
    created_at(),
    updated_at(),
    Column("approved_at", DateTime(timezone=True)),
    *work_item_checks(),
    one_of("story_priority", STORY_PRIORITIES),
    one_of("status", SPRINT_STATUSES),
    CheckConstraint("story_points >= 0", name="story_points_range"),
)

# Append-only; the ids of every ancestor are kept so deleting any of them may remove these rows.
user_story_conversation_events = Table(
    "user_story_conversation_events",
    metadata,
    *public_id("event_id", "sevt"),
    parent("story_id", "user_stories", index=False),
    Column("feature_id", String(50), ForeignKey("features.feature_id", ondelete="CASCADE")),
    Column("epic_id", String(50), ForeignKey("epics.epic_id", ondelete="CASCADE")),
    *conversation_role(),
    Column("content", Text, nullable=False),
    Column("event_metadata", JSONB),
    created_at(),
    history_order(),
    Index("ix_user_story_conversation_events_story_id_seq", "story_id", "seq"),
)
