"""The HTTP plumbing's own tables: claims of saved AI replies (replies.py), idempotency keys (idempotency.py),
and the rate limits and sign-in failure counts every worker and instance shares (limit_store.py)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, Float, ForeignKey, Index, Integer, String, Table, func
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

# Both are UNLOGGED: every limited request writes here and the rows are disposable, so they skip the WAL
# (a crash that empties them only resets the limits).
# Keys are HMAC-SHA-256 digests (limit_store.key_digest): no email, IP address or session hash is stored.
KEY_SHAPE = "~ '^[0-9a-f]{64}$'"

# Request limits (GCRA): a key's theoretical arrival time. A TAT in the past means the same as no row,
# so rows whose TAT has passed are purged every few hundred checks.
request_limits = Table(
    "request_limits",
    metadata,
    Column("limit_key", String(64), primary_key=True),
    Column("tat", DateTime(timezone=True), nullable=False, index=True),
    # How far the TAT may run ahead of now: the limit's period less one request's share.
    Column("max_ahead_seconds", Float, nullable=False),
    CheckConstraint("limit_key " + KEY_SHAPE, name="limit_key_shape"),
    prefixes=["UNLOGGED"],
)

# Failed sign-ins counted per key in a window that opens at the key's first failure (jarlpm.auth.lockout).
login_failures = Table(
    "login_failures",
    metadata,
    Column("failure_key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=False, index=True),
    CheckConstraint("failure_key " + KEY_SHAPE, name="failure_key_shape"),
    CheckConstraint("failures >= 0", name="failures_not_negative"),
    prefixes=["UNLOGGED"],
)
