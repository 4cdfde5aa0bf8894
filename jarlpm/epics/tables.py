"""The epics room's tables: the epic, its confirmed snapshot, and its append-only conversation and decisions."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Column,
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
    MOSCOW_SCORES,
    TRANSCRIPT_ROLES,
    created_at,
    history_order,
    metadata,
    one_of,
    owner,
    parent,
    public_id,
    updated_at,
)

EPIC_STAGES = (
    "problem_capture",
    "problem_confirmed",
    "outcome_capture",
    "outcome_confirmed",
    "epic_drafted",
    "epic_locked",
)
DECISION_TYPES = ("confirm_proposal", "reject_proposal", "auto_advance")
ArtifactType = Literal["feature", "user_story", "bug"]
ARTIFACT_TYPES: tuple[str, ...] = get_args(ArtifactType)  # the CHECK constraint's values

epics = Table(
    "epics",
    metadata,
    *public_id("epic_id", "epic"),
    owner(),
    Column("title", String(500), nullable=False),
    Column("current_stage", String(30), nullable=False, server_default=text("'problem_capture'")),
    Column("is_archived", Boolean, nullable=False, server_default=text("false")),
    Column("archived_at", DateTime(timezone=True)),
    Column("pending_proposal", JSONB),
    Column("locked_at", DateTime(timezone=True)),
    Column("moscow_score", String(20)),
    Column("moscow_reasoning", Text),
    created_at(),
    updated_at(),
    one_of("current_stage", EPIC_STAGES),
    one_of("moscow_score", MOSCOW_SCORES),
    CheckConstraint("(current_stage = 'epic_locked') = (locked_at IS NOT NULL)", name="locked_at_when_locked"),
)

# The confirmed content of an epic (1:1). A field never changes once its confirmation time is set.
epic_snapshots = Table(
    "epic_snapshots",
    metadata,
    parent("epic_id", "epics", primary_key=True),
    Column("problem_statement", Text),
    Column("problem_confirmed_at", DateTime(timezone=True)),
    Column("desired_outcome", Text),
    Column("outcome_confirmed_at", DateTime(timezone=True)),
    Column("epic_summary", Text),
    Column("acceptance_criteria", ARRAY(Text)),
    # In Scope, Out of Scope, Dependencies and Assumptions of the final proposal.
    Column("epic_details", JSONB),
    Column("epic_locked_at", DateTime(timezone=True)),
)

# Append-only: no UPDATE ever; DELETE only inside the transaction that deletes the epic.
epic_transcript_events = Table(
    "epic_transcript_events",
    metadata,
    *public_id("event_id", "evt"),
    parent("epic_id", "epics", index=False),
    Column("role", String(20), nullable=False),
    Column("content", Text, nullable=False),
    Column("stage", String(30), nullable=False),
    Column("event_metadata", JSONB),
    created_at(),
    history_order(),
    one_of("role", TRANSCRIPT_ROLES),
    one_of("stage", EPIC_STAGES),
    Index("ix_epic_transcript_events_epic_id_seq", "epic_id", "seq"),
)

# Append-only, like the transcript: the audit trail of every confirmation, rejection and advance.
epic_decisions = Table(
    "epic_decisions",
    metadata,
    *public_id("decision_id", "dec"),
    parent("epic_id", "epics", index=False),
    Column("decision_type", String(30), nullable=False),
    Column("from_stage", String(30), nullable=False),
    Column("to_stage", String(30)),
    Column("proposal_id", String(50)),
    Column("content_snapshot", Text),
    Column("user_id", String(50), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    created_at(),
    history_order(),
    one_of("decision_type", DECISION_TYPES),
    Index("ix_epic_decisions_epic_id_seq", "epic_id", "seq"),
)

epic_artifacts = Table(
    "epic_artifacts",
    metadata,
    *public_id("artifact_id", "art"),
    parent("epic_id", "epics"),
    Column("artifact_type", String(20), nullable=False),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("acceptance_criteria", ARRAY(Text)),
    Column("priority", Integer),
    created_at(),
    updated_at(),
    one_of("artifact_type", ARTIFACT_TYPES),
)
