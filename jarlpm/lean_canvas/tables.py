"""The lean canvas room's table: one canvas per epic, nine text sections."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text, text

from jarlpm.db.columns import created_at, metadata, owner, public_id, updated_at

CANVAS_SECTIONS = (
    "problem",
    "solution",
    "unique_value",
    "unfair_advantage",
    "customer_segments",
    "key_metrics",
    "channels",
    "cost_structure",
    "revenue_streams",
)

lean_canvases = Table(
    "lean_canvases",
    metadata,
    *public_id("canvas_id", "canvas"),
    Column("epic_id", String(50), ForeignKey("epics.epic_id", ondelete="CASCADE"), nullable=False, unique=True),
    owner(),
    *(Column(section, Text) for section in CANVAS_SECTIONS),
    Column("source", String(50), nullable=False, server_default=text("'manual'")),
    created_at(),
    updated_at(),
)
