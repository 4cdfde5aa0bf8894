"""The delivery context room's table: how one user's team delivers (one row per user)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, Integer, String, Table, text

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id, updated_at

DELIVERY_METHODOLOGIES = ("waterfall", "agile", "scrum", "kanban", "hybrid")
DELIVERY_PLATFORMS = ("jira", "azure_devops", "none", "other")
QUALITY_MODES = ("standard", "quality")

product_delivery_contexts = Table(
    "product_delivery_contexts",
    metadata,
    *public_id("context_id", "ctx"),
    owner(unique=True),
    Column("industry", String(500)),
    Column("delivery_methodology", String(20)),
    Column("sprint_cycle_length", Integer),
    Column("sprint_start_date", Date),
    Column("num_developers", Integer),
    Column("num_qa", Integer),
    Column("delivery_platform", String(20)),
    Column("points_per_dev_per_sprint", Integer, nullable=False, server_default=text("8")),
    Column("quality_mode", String(20), nullable=False, server_default=text("'standard'")),
    created_at(),
    updated_at(),
    one_of("delivery_methodology", DELIVERY_METHODOLOGIES),
    one_of("delivery_platform", DELIVERY_PLATFORMS),
    one_of("quality_mode", QUALITY_MODES),
    CheckConstraint("sprint_cycle_length BETWEEN 1 AND 365", name="sprint_cycle_length_range"),
    CheckConstraint("num_developers >= 0", name="num_developers_range"),
    CheckConstraint("num_qa >= 0", name="num_qa_range"),
    CheckConstraint("points_per_dev_per_sprint BETWEEN 1 AND 50", name="points_per_dev_per_sprint_range"),
)
