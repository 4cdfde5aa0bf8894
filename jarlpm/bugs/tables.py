"""The bugs room's tables: bugs, their links to the work they affect, and their append-only status history."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from jarlpm.db.columns import (
    created_at,
    history_order,
    metadata,
    one_of,
    owner,
    parent,
    public_id,
    rice_columns,
    updated_at,
)

BugSeverity = Literal["critical", "high", "medium", "low"]
BUG_SEVERITIES: tuple[str, ...] = get_args(BugSeverity)  # the CHECK constraint's values
BugPriority = Literal["p0", "p1", "p2", "p3"]
BUG_PRIORITIES: tuple[str, ...] = get_args(BugPriority)  # the CHECK constraint's values
BugStatus = Literal["draft", "confirmed", "in_progress", "resolved", "closed"]
BUG_STATUSES: tuple[str, ...] = get_args(BugStatus)  # the CHECK constraint's values
LINK_ENTITY_TYPES = ("epic", "feature", "story")

bugs = Table(
    "bugs",
    metadata,
    *public_id("bug_id", "bug"),
    owner(),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("severity", String(20), nullable=False, server_default=text("'medium'")),
    Column("status", String(20), nullable=False, server_default=text("'draft'")),
    Column("steps_to_reproduce", Text),
    Column("expected_behavior", Text),
    Column("actual_behavior", Text),
    Column("environment", String(500)),
    Column("assignee_id", String(50)),
    Column("priority", String(5)),
    Column("due_date", DateTime(timezone=True)),
    Column("is_deleted", Boolean, nullable=False, server_default=text("false")),
    Column("deleted_at", DateTime(timezone=True)),
    *rice_columns(),
    created_at(),
    updated_at(),
    one_of("severity", BUG_SEVERITIES),
    one_of("status", BUG_STATUSES),
    one_of("priority", BUG_PRIORITIES),
    CheckConstraint("is_deleted = (deleted_at IS NOT NULL)", name="deleted_at_when_deleted"),
)

# A link points at exactly one epic, feature or story through a real foreign key, so a link goes
# away with its target; entity_type says which column holds it.
bug_links = Table(
    "bug_links",
    metadata,
    *public_id("link_id", "link"),
    parent("bug_id", "bugs"),
    Column("entity_type", String(20), nullable=False),
    Column("epic_id", String(50), ForeignKey("epics.epic_id", ondelete="CASCADE"), index=True),
    Column("feature_id", String(50), ForeignKey("features.feature_id", ondelete="CASCADE"), index=True),
    Column("story_id", String(50), ForeignKey("user_stories.story_id", ondelete="CASCADE"), index=True),
    created_at(),
    one_of("entity_type", LINK_ENTITY_TYPES),
    CheckConstraint("num_nonnulls(epic_id, feature_id, story_id) = 1", name="one_target"),
    CheckConstraint(
        "(entity_type = 'epic') = (epic_id IS NOT NULL) AND (entity_type = 'feature') = (feature_id IS NOT NULL)",
        name="target_matches_type",
    ),
    UniqueConstraint("bug_id", "epic_id"),
    UniqueConstraint("bug_id", "feature_id"),
    UniqueConstraint("bug_id", "story_id"),
)

# Append-only, like every history.
bug_status_history = Table(
    "bug_status_history",
    metadata,
    *public_id("history_id", "hist"),
    parent("bug_id", "bugs", index=False),
    Column("from_status", String(20)),
    Column("to_status", String(20), nullable=False),
    Column("changed_by", String(50), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    Column("notes", Text),
    created_at(),
    history_order(),
    one_of("from_status", BUG_STATUSES),
    one_of("to_status", BUG_STATUSES),
    Index("ix_bug_status_history_bug_id_seq", "bug_id", "seq"),
)
