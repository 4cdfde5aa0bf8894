"""The integrations room's tables: a user's connection to each tracker (secrets encrypted), the OAuth
states in flight, what was pushed where (so a second push updates instead of duplicating), and one
row per push."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from jarlpm.db.columns import created_at, metadata, one_of, owner, public_id, updated_at

Tracker = Literal["jira", "linear", "azure_devops"]
TRACKERS: tuple[str, ...] = get_args(Tracker)  # the CHECK constraints' values
IntegrationStatus = Literal["connected", "error", "disconnected"]
INTEGRATION_STATUSES: tuple[str, ...] = get_args(IntegrationStatus)
PushStatus = Literal["success", "partial", "failed"]
PUSH_STATUSES: tuple[str, ...] = get_args(PushStatus)
PushedEntity = Literal["epic", "feature", "story", "bug"]
PUSHED_ENTITIES: tuple[str, ...] = get_args(PushedEntity)

# One per user and tracker. Tokens and PATs are Fernet tokens (JARLPM_ENCRYPTION_KEY), never plain text.
external_integrations = Table(
    "external_integrations",
    metadata,
    *public_id("integration_id", "int"),
    owner(index=False),
    Column("provider", String(20), nullable=False),
    Column("status", String(20), nullable=False, server_default=text("'disconnected'")),
    # Why the integration is not usable (a revoked grant, a rejected PAT): a fixed code, shown in status.
    Column("status_reason", String(50)),
    Column("external_account_id", String(255)),
    Column("external_account_name", String(255)),
    Column("access_token_encrypted", Text),
    Column("refresh_token_encrypted", Text),
    Column("token_expires_at", DateTime(timezone=True)),
    Column("pat_encrypted", Text),
    Column("org_url", String(500)),
    Column("scopes", JSONB),
    Column("default_team_id", String(255)),
    Column("default_team_name", String(255)),
    Column("default_project_id", String(255)),
    Column("default_project_name", String(255)),
    Column("field_mappings", JSONB),
    Column("connected_at", DateTime(timezone=True)),
    created_at(),
    updated_at(),
    one_of("provider", TRACKERS),
    one_of("status", INTEGRATION_STATUSES),
    UniqueConstraint("user_id", "provider"),
)

# Single use, ten minutes: the callback accepts only a matching, unexpired, unused state. Only its
# SHA-256 is stored, so a database reader cannot complete someone's authorisation.
oauth_states = Table(
    "oauth_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    owner(),
    Column("provider", String(20), nullable=False),
    Column("frontend_callback_url", String(2000), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    created_at(),
    one_of("provider", TRACKERS),
)

# What each pushed entity became in the tracker. The payload hash lets an unchanged entity be skipped.
external_push_mappings = Table(
    "external_push_mappings",
    metadata,
    *public_id("mapping_id", "map"),
    owner(index=False),
    Column(
        "integration_id",
        String(50),
        ForeignKey("external_integrations.integration_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("provider", String(20), nullable=False),
    Column("entity_type", String(20), nullable=False),
    Column("entity_id", String(50), nullable=False),
    Column("external_type", String(100), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("external_key", String(100)),
    Column("external_url", String(500)),
    Column("project_id", String(255)),
    Column("team_id", String(255)),
    Column("last_pushed_at", DateTime(timezone=True), nullable=False),
    Column("last_push_hash", String(64)),
    created_at(),
    updated_at(),
    one_of("provider", TRACKERS),
    one_of("entity_type", PUSHED_ENTITIES),
    UniqueConstraint("user_id", "provider", "entity_type", "entity_id"),
    Index("ix_external_push_mappings_user_id_entity_id", "user_id", "entity_id"),
)

# One per push request (dry runs too): the audit log of what reached which tracker.
external_push_runs = Table(
    "external_push_runs",
    metadata,
    *public_id("run_id", "run"),
    owner(index=False),
    Column(
        "integration_id",
        String(50),
        ForeignKey("external_integrations.integration_id", ondelete="CASCADE"),
        index=True,
    ),
    Column("provider", String(20), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False),
    Column("epic_id", String(50)),
    Column("push_scope", String(30)),
    Column("include_bugs", Boolean, nullable=False, server_default=text("false")),
    Column("is_dry_run", Boolean, nullable=False, server_default=text("false")),
    # {created, updated, skipped, errors, links[:10]}
    Column("summary_json", JSONB),
    # [{type, entity_id, error}]: fixed, user-safe messages only.
    Column("error_json", JSONB),
    created_at(),
    one_of("provider", TRACKERS),
    one_of("status", PUSH_STATUSES),
    CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    Index("ix_external_push_runs_user_id_started_at", "user_id", "started_at"),
)
