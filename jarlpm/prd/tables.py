"""The PRD room's table: one document per epic (`sections` holds the structured PRD or legacy markdown)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, text
from sqlalchemy.dialects.postgresql import JSONB

from jarlpm.db.columns import created_at, metadata, owner, public_id, updated_at

prd_documents = Table(
    "prd_documents",
    metadata,
    *public_id("prd_id", "prd"),
    Column("epic_id", String(50), ForeignKey("epics.epic_id", ondelete="CASCADE"), nullable=False, unique=True),
    owner(),
    Column("title", String(500)),
    # {"prd": {...StructuredPRD...}, "format": "json", ...} or the legacy {"content": "<markdown>"}
    Column("sections", JSONB),
    Column("source", String(50)),
    Column("version", String(50), nullable=False, server_default=text("'1.0'")),
    Column("status", String(50), nullable=False, server_default=text("'draft'")),
    created_at(),
    updated_at(),
)
