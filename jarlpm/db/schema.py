"""Every table, constraint and index, as SQLAlchemy Core metadata: Alembic's target_metadata.

Queries never use this module (they are plain SQL in sql/); it exists so that
`alembic revision --autogenerate` drafts migrations and `alembic check` catches drift.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Computed,
    Float,
    Identity,
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
from sqlalchemy.dialects.postgresql import JSONB

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
EPIC_STAGES = ("problem_capture", "problem_confirmed", "outcome_capture", "outcome_confirmed", "epic_drafted", "epic_locked")
TRANSCRIPT_ROLES = ("user", "assistant", "system")
DECISION_TYPES = ("confirm_proposal", "reject_proposal", "auto_advance")
MOSCOW_SCORES = ("must_have", "should_have", "could_have", "wont_have")
ARTIFACT_TYPES = ("feature", "user_story", "bug")
WORK_STAGES = ("draft", "refining", "approved")
WORK_SOURCES = ("manual", "ai_generated")
STORY_PRIORITIES = ("must-have", "should-have", "nice-to-have")
SPRINT_STATUSES = ("draft", "ready", "in_progress", "done", "blocked")
BUG_SEVERITIES = ("critical", "high", "medium", "low")
BUG_PRIORITIES = ("p0", "p1", "p2", "p3")
BUG_STATUSES = ("draft", "confirmed", "in_progress", "resolved", "closed")
LINK_ENTITY_TYPES = ("epic", "feature", "story")

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


def history_order() -> Column:
    """Insertion order of history rows: rows written in one transaction share created_at."""
    return Column("seq", BigInteger, Identity(always=True), nullable=False)


def parent(name: str, table: str, *, index: bool = True, primary_key: bool = False) -> Column:
    """A child's link to its parent row; children go with their parent."""
    return Column(
        name,
        String(50),
        ForeignKey(f"{table}.{name}", ondelete="CASCADE"),
        nullable=False,
        index=index and not primary_key,
        primary_key=primary_key,
    )


epics = Table(
    "epics",
    metadata,
    *public_id("epic_id", "epic"),
    owner(),
    Column("title", String(500), nullable=False),
    Column("current_stage", String(30), nullable=False, server_default=text("'problem_capture'")),
    Column("is_archived", Boolean, nullable=False, server_default=text("false")),
    Column("archived_at", DateTime(timezone=True)),
    Column("pending_proposal", JSONB),
    Column("locked_at", DateTime(timezone=True)),
    Column("moscow_score", String(20)),
    Column("moscow_reasoning", Text),
    created_at(),
    updated_at(),
    one_of("current_stage", EPIC_STAGES),
    one_of("moscow_score", MOSCOW_SCORES),
    CheckConstraint("(current_stage = 'epic_locked') = (locked_at IS NOT NULL)", name="locked_at_when_locked"),
)

# The confirmed content of an epic (1:1). A field never changes once its confirmation time is set.
epic_snapshots = Table(
    "epic_snapshots",
    metadata,
    parent("epic_id", "epics", primary_key=True),
    Column("problem_statement", Text),
    Column("problem_confirmed_at", DateTime(timezone=True)),
    Column("desired_outcome", Text),
    Column("outcome_confirmed_at", DateTime(timezone=True)),
    Column("epic_summary", Text),
    Column("acceptance_criteria", ARRAY(Text)),
    # In Scope, Out of Scope, Dependencies and Assumptions of the final proposal.
    Column("epic_details", JSONB),
    Column("epic_locked_at", DateTime(timezone=True)),
)

# Append-only: no UPDATE ever; DELETE only inside the transaction that deletes the epic.
epic_transcript_events = Table(
    "epic_transcript_events",
    metadata,
    *public_id("event_id", "evt"),
    parent("epic_id", "epics", index=False),
    Column("role", String(20), nullable=False),
    Column("content", Text, nullable=False),
    Column("stage", String(30), nullable=False),
    Column("event_metadata", JSONB),
    created_at(),
    history_order(),
    one_of("role", TRANSCRIPT_ROLES),
    one_of("stage", EPIC_STAGES),
    Index("ix_epic_transcript_events_epic_id_seq", "epic_id", "seq"),
)

# Append-only, like the transcript: the audit trail of every confirmation, rejection and advance.
epic_decisions = Table(
    "epic_decisions",
    metadata,
    *public_id("decision_id", "dec"),
    parent("epic_id", "epics", index=False),
    Column("decision_type", String(30), nullable=False),
    Column("from_stage", String(30), nullable=False),
    Column("to_stage", String(30)),
    Column("proposal_id", String(50)),
    Column("content_snapshot", Text),
    Column("user_id", String(50), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    created_at(),
    history_order(),
    one_of("decision_type", DECISION_TYPES),
    Index("ix_epic_decisions_epic_id_seq", "epic_id", "seq"),
)

epic_artifacts = Table(
    "epic_artifacts",
    metadata,
    *public_id("artifact_id", "art"),
    parent("epic_id", "epics"),
    Column("artifact_type", String(20), nullable=False),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("acceptance_criteria", ARRAY(Text)),
    Column("priority", Integer),
    created_at(),
    updated_at(),
    one_of("artifact_type", ARTIFACT_TYPES),
)


def moscow_columns() -> list[Column]:
    return [Column("moscow_score", String(20)), Column("moscow_reasoning", Text)]


def rice_columns() -> list[Column]:
    """Scoring, written by the scoring and poker modules; stays writable after approval."""
    return [
        Column("rice_reach", Integer),
        Column("rice_impact", Float),
        Column("rice_confidence", Float),
        Column("rice_effort", Float),
        Column("rice_total", Float),
        Column("rice_reasoning", Text),
    ]


def work_item_checks() -> list[CheckConstraint]:
    return [
        one_of("current_stage", WORK_STAGES),
        one_of("source", WORK_SOURCES),
        CheckConstraint("(current_stage = 'approved') = (approved_at IS NOT NULL)", name="approved_at_when_approved"),
    ]


def conversation_role() -> tuple[Column, CheckConstraint]:
    return Column("role", String(20), nullable=False), one_of("role", TRANSCRIPT_ROLES)


# Content columns freeze once a feature is approved (trigger guard_approved_content, migration 0005).
features = Table(
    "features",
    metadata,
    *public_id("feature_id", "feat"),
    parent("epic_id", "epics"),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("acceptance_criteria", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("current_stage", String(20), nullable=False, server_default=text("'draft'")),
    Column("source", String(20), nullable=False, server_default=text("'manual'")),
    Column("priority", Integer),
    *moscow_columns(),
    *rice_columns(),
    created_at(),
    updated_at(),
    Column("approved_at", DateTime(timezone=True)),
    *work_item_checks(),
    one_of("moscow_score", MOSCOW_SCORES),
)

# Append-only. epic_id is kept beside feature_id so deleting the epic may remove these rows too.
feature_conversation_events = Table(
    "feature_conversation_events",
    metadata,
    *public_id("event_id", "fevt"),
    parent("feature_id", "features", index=False),
    parent("epic_id", "epics", index=False),
    *conversation_role(),
    Column("content", Text, nullable=False),
    Column("event_metadata", JSONB),
    created_at(),
    history_order(),
    Index("ix_feature_conversation_events_feature_id_seq", "feature_id", "seq"),
)

# Feature-bound (feature_id set) or standalone (feature_id NULL); always owned by user_id.
user_stories = Table(
    "user_stories",
    metadata,
    *public_id("story_id", "story"),
    owner(),
    Column("feature_id", String(50), ForeignKey("features.feature_id", ondelete="CASCADE"), index=True),
    Column("title", String(500)),
    Column("persona", String(200), nullable=False),
    Column("action", Text, nullable=False),
    Column("benefit", Text, nullable=False),
    Column(
        "story_text",
        Text,
        Computed("'As a ' || persona || ', I want to ' || action || ' so that ' || benefit || '.'", persisted=True),
    ),
    Column("acceptance_criteria", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("labels", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("story_priority", String(20)),
    Column("dependencies", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("risks", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("edge_cases", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("notes_for_engineering", Text),
    Column("current_stage", String(20), nullable=False, server_default=text("'draft'")),
    Column("source", String(20), nullable=False, server_default=text("'manual'")),
    Column("story_points", Integer),
    Column("priority", Integer),
    *rice_columns(),
    Column("is_standalone", Boolean, Computed("feature_id IS NULL", persisted=True)),
    Column("sprint_number", Integer),
    Column("status", String(20)),
    Column("blocked_reason", Text),
    created_at(),
    updated_at(),
    Column("approved_at", DateTime(timezone=True)),
    *work_item_checks(),
    one_of("story_priority", STORY_PRIORITIES),
    one_of("status", SPRINT_STATUSES),
    CheckConstraint("story_points >= 0", name="story_points_range"),
)

# Append-only; the ids of every ancestor are kept so deleting any of them may remove these rows.
user_story_conversation_events = Table(
    "user_story_conversation_events",
    metadata,
    *public_id("event_id", "sevt"),
    parent("story_id", "user_stories", index=False),
    Column("feature_id", String(50), ForeignKey("features.feature_id", ondelete="CASCADE")),
    Column("epic_id", String(50), ForeignKey("epics.epic_id", ondelete="CASCADE")),
    *conversation_role(),
    Column("content", Text, nullable=False),
    Column("event_metadata", JSONB),
    created_at(),
    history_order(),
    Index("ix_user_story_conversation_events_story_id_seq", "story_id", "seq"),
)

bugs = Table(
    "bugs",
    metadata,
    *public_id("bug_id", "bug"),
    owner(),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("severity", String(20), nullable=False, server_default=text("'medium'")),
    Column("status", String(20), nullable=False, server_default=text("'draft'")),
    Column("steps_to_reproduce", Text),
    Column("expected_behavior", Text),
    Column("actual_behavior", Text),
    Column("environment", String(500)),
    Column("assignee_id", String(50)),
    Column("priority", String(5)),
    Column("due_date", DateTime(timezone=True)),
    Column("is_deleted", Boolean, nullable=False, server_default=text("false")),
    Column("deleted_at", DateTime(timezone=True)),
    *rice_columns(),
    created_at(),
    updated_at(),
    one_of("severity", BUG_SEVERITIES),
    one_of("status", BUG_STATUSES),
    one_of("priority", BUG_PRIORITIES),
    CheckConstraint("is_deleted = (deleted_at IS NOT NULL)", name="deleted_at_when_deleted"),
)

# A link points at exactly one epic, feature or story through a real foreign key, so a link goes
# away with its target; entity_type says which column holds it.
bug_links = Table(
    "bug_links",
    metadata,
    *public_id("link_id", "link"),
    parent("bug_id", "bugs"),
    Column("entity_type", String(20), nullable=False),
    Column("epic_id", String(50), ForeignKey("epics.epic_id", ondelete="CASCADE"), index=True),
    Column("feature_id", String(50), ForeignKey("features.feature_id", ondelete="CASCADE"), index=True),
    Column("story_id", String(50), ForeignKey("user_stories.story_id", ondelete="CASCADE"), index=True),
    created_at(),
    one_of("entity_type", LINK_ENTITY_TYPES),
    CheckConstraint("num_nonnulls(epic_id, feature_id, story_id) = 1", name="one_target"),
    CheckConstraint(
        "(entity_type = 'epic') = (epic_id IS NOT NULL) AND (entity_type = 'feature') = (feature_id IS NOT NULL)",
        name="target_matches_type",
    ),
    UniqueConstraint("bug_id", "epic_id"),
    UniqueConstraint("bug_id", "feature_id"),
    UniqueConstraint("bug_id", "story_id"),
)

# Append-only, like every history.
bug_status_history = Table(
    "bug_status_history",
    metadata,
    *public_id("history_id", "hist"),
    parent("bug_id", "bugs", index=False),
    Column("from_status", String(20)),
    Column("to_status", String(20), nullable=False),
    Column("changed_by", String(50), ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    Column("notes", Text),
    created_at(),
    history_order(),
    one_of("from_status", BUG_STATUSES),
    one_of("to_status", BUG_STATUSES),
    Index("ix_bug_status_history_bug_id_seq", "bug_id", "seq"),
)

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
