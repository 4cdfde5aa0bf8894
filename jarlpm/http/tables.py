"""The HTTP plumbing's own tables: claims of saved AI replies (replies.py) and idempotency keys (idempotency.py)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Table, func
from sqlalchemy.dialects.postgresql import JSONB

from jarlpm.db.columns import created_at, metadata

# One row per stored AI reply, written in the transaction that stores it: a save retried after its
# connection broke during COMMIT finds its own row and stores nothing twice. Rows older than an hour
# are deleted by the next save (no retry lasts that long).
saved_replies = Table(
    "saved_replies",
    metadata,
    Column("reply_id", String(50), primary_key=True),
    Column("saved_at", DateTime(timezone=True), nullable=False, server_default=func.now(), index=True),
)

# A create sent with an Idempotency-Key header: its answer, written in the create's own transaction,
# so a retry (after a lost connection or an unknown COMMIT outcome) gets the first answer, not a duplicate.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", String(50), ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True),
    Column("idempotency_key", String(255), primary_key=True),
    # SHA-256 of method, path and body: the same key with another request is refused.
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response_body", JSONB, nullable=False),
    created_at(),
    Index("ix_idempotency_keys_created_at", "created_at"),
    CheckConstraint("request_hash ~ '^[0-9a-f]{64}$'", name="request_hash_shape"),
)
