"""The LLM providers room's table: a user's provider configurations, keys encrypted, one active."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import Boolean, CheckConstraint, Column, Index, String, Table, Text, UniqueConstraint, text

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id, updated_at

ProviderName = Literal["openai", "anthropic", "google", "local"]
LLM_PROVIDERS: tuple[str, ...] = get_args(ProviderName)  # the CHECK constraint's values

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
