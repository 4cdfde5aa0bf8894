"""The accounts room's tables: users, their sessions and their one-time tokens."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, Index, String, Table, func, text

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id, updated_at

TOKEN_TYPES = ("email_verification", "password_reset")

users = Table(
    "users",
    metadata,
    *public_id("user_id", "user"),
    Column("email", String(255), nullable=False),
    Column("name", String(255), nullable=False),
    Column("password_hash", String(255)),
    Column("email_verified", Boolean, nullable=False, server_default=text("false")),
    Column("picture", String(500)),
    created_at(),
    updated_at(),
    CheckConstraint("email LIKE '%_@_%'", name="email_shape"),
    CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    # Emails are unique whatever their case: "Ana@x.io" and "ana@x.io" are one account.
    Index("uq_users_email_lower", func.lower(text("email")), unique=True),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    *public_id("session_id", "sess"),
    owner(),
    # SHA-256 of the opaque token, hex: the token itself is never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    created_at(),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name="token_hash_shape"),
)

verification_tokens = Table(
    "verification_tokens",
    metadata,
    *public_id("token_id", "vtok"),
    owner(),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_type", String(30), nullable=False),
    created_at(),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    one_of("token_type", TOKEN_TYPES),
    CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name="token_hash_shape"),
)
