"""Every table, constraint and index, as SQLAlchemy Core metadata: Alembic's target_metadata.

Queries never use this module (they are plain SQL in sql/); it exists so that
`alembic revision --autogenerate` drafts migrations and `alembic check` catches drift.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    func,
    text,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def created_at() -> Column:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def updated_at() -> Column:
    # Kept current by the touch_updated_at() trigger created in the first migration.
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def public_id(name: str, prefix: str) -> tuple[Column, CheckConstraint]:
    """A prefixed string primary key (`user_<12 hex>`), as the web client sees it in every path."""
    column = Column(name, String(50), primary_key=True)
    check = CheckConstraint(f"{name} LIKE '{prefix}\\_%'", name=f"{name}_prefix")
    return column, check


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
    Column("user_id", String(50), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False, index=True),
    # SHA-256 of the opaque token, hex: the token itself is never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    created_at(),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name="token_hash_shape"),
)
