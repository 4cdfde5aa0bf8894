"""The personas room's tables: personas of an epic (soft-deleted), and each user's generation settings."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id, updated_at

PersonaSource = Literal["ai_generated", "human_modified"]
PERSONA_SOURCES: tuple[str, ...] = get_args(PersonaSource)  # the CHECK constraint's values

personas = Table(
    "personas",
    metadata,
    *public_id("persona_id", "persona"),
    Column("epic_id", String(50), ForeignKey("epics.epic_id", ondelete="CASCADE"), nullable=False, index=True),
    owner(),
    Column("name", String(100), nullable=False),
    Column("role", String(200), nullable=False),
    Column("age_range", String(50)),
    Column("location", String(200)),
    Column("tech_proficiency", String(50)),
    Column("goals_and_motivations", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("pain_points", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("key_behaviors", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("jobs_to_be_done", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("product_interaction_context", Text),
    Column("representative_quote", Text),
    Column("portrait_image_base64", Text),  # a validated image, size-capped by the room
    Column("portrait_prompt", Text),
    Column("source", String(20), nullable=False, server_default=text("'ai_generated'")),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    created_at(),
    updated_at(),
    one_of("source", PERSONA_SOURCES),
)

persona_generation_settings = Table(
    "persona_generation_settings",
    metadata,
    *public_id("settings_id", "pgs"),
    owner(unique=True),
    Column("image_provider", String(50), nullable=False, server_default=text("'openai'")),
    Column("image_model", String(100), nullable=False, server_default=text("'gpt-image-1'")),
    Column("default_persona_count", Integer, nullable=False, server_default=text("3")),
    created_at(),
    updated_at(),
    CheckConstraint("default_persona_count BETWEEN 1 AND 5", name="persona_count_range"),
)
