"""The wizard room's tables: one log row per generation, the epics its saves created, and the edits
users later make to what it wrote (so prompts can be judged by how much of their output survives)."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from jarlpm.db.columns import created_at, metadata, one_of, owner, parent, public_id

GenerationOutcome = Literal["success", "failed", "abandoned"]
GENERATION_OUTCOMES: tuple[str, ...] = get_args(GenerationOutcome)  # the CHECK constraint's values
EditType = Literal["add", "remove", "modify", "rewrite"]
EDIT_TYPES: tuple[str, ...] = get_args(EditType)
EditedEntity = Literal["feature", "story"]
EDITED_ENTITIES: tuple[str, ...] = get_args(EditedEntity)

# Written once, when a run ends (success, failure or the client leaving). The idea itself is not kept,
# only its length and hash. Tokens are what the provider reported (null when it reported nothing).
initiative_generation_logs = Table(
    "initiative_generation_logs",
    metadata,
    *public_id("log_id", "ilog"),
    owner(index=False),
    Column("idea_length", Integer, nullable=False),
    Column("idea_hash", String(64), nullable=False),
    Column("product_name_provided", Boolean, nullable=False),
    Column("has_delivery_context", Boolean, nullable=False),
    Column("industry", String(500)),
    Column("methodology", String(20)),
    Column("team_size", Integer),
    Column("provider", String(20), nullable=False),
    Column("model", String(200), nullable=False),
    Column("prompt_version", String(20), nullable=False),
    Column("quality_mode", String(20), nullable=False),
    # One object per pass run: {pass, name, input_tokens, output_tokens, retries, duration_ms, errors[]}.
    Column("passes", JSONB, nullable=False),
    Column("input_tokens", Integer),
    Column("output_tokens", Integer),
    Column("total_retries", Integer, nullable=False),
    Column("estimated_cost_usd", Numeric(14, 6)),
    Column("validation_errors", ARRAY(Text), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("failed_pass", SmallInteger),
    Column("error_message", Text),
    Column("features_generated", Integer),
    Column("stories_generated", Integer),
    Column("critic_issues_found", Integer),
    Column("critic_auto_fixed", Integer),
    Column("scope_assessment", String(20)),
    Column("duration_ms", Integer, nullable=False),
    created_at(),
    one_of("outcome", GENERATION_OUTCOMES),
    one_of("quality_mode", ("standard", "quality")),
    CheckConstraint("(outcome = 'failed') = (failed_pass IS NOT NULL)", name="failed_pass_when_failed"),
    Index("ix_initiative_generation_logs_user_id_created_at", "user_id", "created_at"),
)

# An epic the wizard's save created (1:1), with the generation it came from (null if not logged).
initiative_saves = Table(
    "initiative_saves",
    metadata,
    parent("epic_id", "epics", primary_key=True),
    owner(),
    Column(
        "log_id",
        String(50),
        ForeignKey("initiative_generation_logs.log_id", ondelete="SET NULL"),
    ),
    created_at(),
)

# One row per edited field of a feature or story the wizard made (written by a trigger, migration 0013).
initiative_edit_logs = Table(
    "initiative_edit_logs",
    metadata,
    *public_id("edit_id", "iedit"),
    owner(index=False),
    parent("epic_id", "epics"),
    Column("log_id", String(50), ForeignKey("initiative_generation_logs.log_id", ondelete="SET NULL")),
    Column("entity_type", String(20), nullable=False),
    Column("entity_id", String(50), nullable=False),
    Column("field_edited", String(50), nullable=False),
    Column("original_length", Integer, nullable=False),
    Column("edited_length", Integer, nullable=False),
    Column("change_ratio", Float, nullable=False),
    Column("edit_type", String(20), nullable=False),
    Column("time_to_edit_seconds", Integer, nullable=False),
    created_at(),
    one_of("entity_type", EDITED_ENTITIES),
    one_of("edit_type", EDIT_TYPES),
    Index("ix_initiative_edit_logs_user_id_created_at", "user_id", "created_at"),
)
