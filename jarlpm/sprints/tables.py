"""The sprints room's table: AI insights per sprint (history kept; readers take the newest of each type)."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import CheckConstraint, Column, DateTime, Index, Integer, String, Table, func
from sqlalchemy.dialects.postgresql import JSONB

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id

InsightType = Literal["kickoff_plan", "standup_summary", "wip_suggestions"]
INSIGHT_TYPES: tuple[str, ...] = get_args(InsightType)  # the CHECK constraint's values

sprint_insights = Table(
    "sprint_insights",
    metadata,
    *public_id("insight_id", "si"),
    owner(index=False),
    Column("sprint_number", Integer, nullable=False),
    Column("insight_type", String(50), nullable=False),
    Column("content", JSONB, nullable=False),  # the AI answer after validation
    Column("generated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    created_at(),
    one_of("insight_type", INSIGHT_TYPES),
    CheckConstraint("sprint_number >= 1", name="sprint_number_positive"),
    Index(
        "ix_sprint_insights_user_id_sprint_number_insight_type",
        "user_id",
        "sprint_number",
        "insight_type",
        "generated_at",
    ),
)
