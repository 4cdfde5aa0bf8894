"""Every table, constraint and index, as SQLAlchemy Core metadata: Alembic's target_metadata.

Queries never use this module (they are plain SQL in sql/); it exists so that
`alembic revision --autogenerate` drafts migrations and `alembic check` catches drift.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
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


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """An enumeration as a CHECK constraint named `<column>_allowed`."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


def owner(*, unique: bool = False, index: bool = True) -> Column:
    """The owning user; their rows go with them. `index=False` when a composite key already leads with it."""
    return Column(
        "user_id",
        String(50),
        ForeignKey("users.user_id", ondelete="CASCADE"),
        nullable=False,
        index=index and not unique,
        unique=unique or None,
    )


SUBSCRIPTION_STATUSES = ("active", "inactive", "canceled", "past_due", "trial")
TOKEN_TYPES = ("email_verification", "password_reset")
DELIVERY_METHODOLOGIES = ("waterfall", "agile", "scrum", "kanban", "hybrid")
DELIVERY_PLATFORMS = ("jira", "azure_devops", "none", "other")
QUALITY_MODES = ("standard", "quality")
LLM_PROVIDERS = ("openai", "anthropic", "google", "local")

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

subscriptions = Table(
    "subscriptions",
    metadata,
    *public_id("subscription_id", "sub"),
    owner(unique=True),
    Column("status", String(20), nullable=False, server_default=text("'inactive'")),
    Column("stripe_subscription_id", String(255)),
    Column("stripe_customer_id", String(255)),
    Column("current_period_start", DateTime(timezone=True)),
    Column("current_period_end", DateTime(timezone=True)),
    Column("cancel_at_period_end", Boolean, nullable=False, server_default=text("false")),
    created_at(),
    updated_at(),
    one_of("status", SUBSCRIPTION_STATUSES),
)

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

llm_provider_configs = Table(
    "llm_provider_configs",
    metadata,
    *public_id("config_id", "llm"),
    owner(index=False),
    Column("provider", String(20), nullable=False),
    # Fernet token of the key (JARLPM_ENCRYPTION_KEY); a local server may need no key at all.
    Column("encrypted_api_key", Text),
    Column("base_url", String(500)),
    Column("model_name", String(100)),
    Column("is_active", Boolean, nullable=False, server_default=text("false")),
    created_at(),
    updated_at(),
    one_of("provider", LLM_PROVIDERS),
    UniqueConstraint("user_id", "provider"),
    CheckConstraint("provider = 'local' OR encrypted_api_key IS NOT NULL", name="hosted_has_key"),
    CheckConstraint("(provider = 'local') = (base_url IS NOT NULL)", name="base_url_only_local"),
    # At most one active configuration per user: the one every AI call uses.
    Index("uq_llm_provider_configs_one_active", "user_id", unique=True, postgresql_where=text("is_active")),
)
