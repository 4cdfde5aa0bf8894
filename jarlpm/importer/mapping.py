"""Pure rules turning one original row into one of ours: a dict of our columns, or a Skip with its reason.

Where ours is stricter (CHECK constraints, real foreign keys, NOT NULL), a value is mapped when its
meaning is clear and noted on the context, so the report says what was normalised; a row that cannot
be kept whole is skipped with the reason. Nothing is dropped silently.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jarlpm import crypto
from jarlpm.bugs.tables import BUG_PRIORITIES, BUG_SEVERITIES, BUG_STATUSES, LINK_ENTITY_TYPES
from jarlpm.db.columns import MOSCOW_SCORES, TRANSCRIPT_ROLES, WORK_SOURCES, WORK_STAGES
from jarlpm.delivery_context.tables import DELIVERY_METHODOLOGIES, DELIVERY_PLATFORMS, QUALITY_MODES
from jarlpm.epics.tables import ARTIFACT_TYPES, DECISION_TYPES, EPIC_STAGES
from jarlpm.importer.secrets import OriginalSecrets
from jarlpm.integrations.tables import INTEGRATION_STATUSES, PUSH_STATUSES, PUSHED_ENTITIES, TRACKERS
from jarlpm.lean_canvas.tables import CANVAS_SECTIONS
from jarlpm.llm_providers.tables import LLM_PROVIDERS
from jarlpm.personas.tables import PERSONA_SOURCES
from jarlpm.poker.tables import CONFIDENCES, FIBONACCI_POINTS
from jarlpm.sprints.tables import INSIGHT_TYPES
from jarlpm.stories.tables import SPRINT_STATUSES, STORY_PRIORITIES
from jarlpm.subscriptions.tables import SUBSCRIPTION_STATUSES

RICE = ("rice_reach", "rice_impact", "rice_confidence", "rice_effort", "rice_total", "rice_reasoning")
SECRET_UNREADABLE = "secret_unreadable"  # integrations.status_reason of a token the import could not read


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass
class UserContext:
    """What the rules need to know about the user being imported, and what they noted."""

    owner: str
    encryption_key: str
    secrets: OriginalSecrets
    present: dict[str, set[str]] = field(default_factory=dict)  # table -> ids now in our database
    parents: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # story -> feature, epic
    feature_epics: dict[str, str] = field(default_factory=dict)
    notes: Counter[tuple[str, str]] = field(default_factory=Counter)
    active_config_seen: bool = False
    active_plan_epics: set[str] = field(default_factory=set)
    snapshots: dict[str, dict] = field(default_factory=dict)  # epic -> its original snapshot row

    def note(self, table: str, what: str) -> None:
        self.notes[(table, what)] += 1

    def has(self, table: str, row_id: str | None) -> bool:
        return row_id is not None and row_id in self.present.get(table, set())


Mapped = dict[str, Any] | Skip
Mapper = Callable[[dict, UserContext], Mapped]


def when(value: Any) -> Any:
    """A timestamp as timestamptz: the original's naive ones (personas) were written in UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def stamps(row: dict, *names: str) -> dict[str, Any]:
    """Timestamps as timestamptz; a missing updated_at is the creation time (the original left it NULL)."""
    values = {name: when(row.get(name)) for name in names}
    if "updated_at" in values and values["updated_at"] is None:
        values["updated_at"] = when(row.get("created_at"))
    return values


def choice(
    ctx: UserContext, table: str, column: str, value: Any, allowed: tuple[str, ...], *, default: Any = None
) -> Any:
    """The value when ours allows it (case and `-`/`_` spelling forgiven), else `default`, noted."""
    if value is None:
        return default
    if value in allowed:
        return value
    spelled = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for candidate in allowed:
        if spelled == candidate.replace("-", "_"):
            ctx.note(table, f"{column} {value!r} read as {candidate!r}")
            return candidate
    ctx.note(
        table, f"{column} {value!r} is not one of ours: " + ("left empty" if default is None else f"set to {default!r}")
    )
    return default


def bad_id(row_id: Any, prefix: str) -> Skip | None:
    if not isinstance(row_id, str) or not row_id.startswith(f"{prefix}_"):
        return Skip(f"id without the {prefix}_ prefix our keys require")
    return None


def texts(value: Any) -> list[str]:
    """A text[] that ours keeps NOT NULL."""
    return [str(item) for item in value] if value else []


def json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return list(value) if isinstance(value, list) else []


def base(row: dict, columns: tuple[str, ...]) -> dict[str, Any]:
    return {column: row.get(column) for column in columns}


# --- accounts -------------------------------------------------------------------------------------


def user(row: dict, ctx: UserContext) -> Mapped:
    if skip := bad_id(row["user_id"], "user"):
        return skip
    email = (row.get("email") or "").strip()
    if "@" not in email[1:-1]:
        return Skip("email without an @ between a name and a domain")
    name = (row.get("name") or "").strip()
    if not name:
        ctx.note("users", "blank name replaced by the email's local part")
        name = email.split("@", 1)[0]
    return {
        "user_id": row["user_id"],
        "email": email,
        "name": name,
        "password_hash": row.get("password_hash"),
        "email_verified": bool(row.get("email_verified")),
        "picture": row.get("picture"),
        **stamps(row, "created_at", "updated_at"),
    }


def subscription(row: dict, ctx: UserContext) -> Mapped:
    if skip := bad_id(row["subscription_id"], "sub"):
        return skip
    status = row.get("status")
    if status in ("cancelled", "expired"):
        ctx.note("subscriptions", f"status {status!r} read as 'canceled'")
        status = "canceled"
    return {
        **base(row, ("subscription_id", "user_id", "stripe_subscription_id", "stripe_customer_id")),
        "status": choice(ctx, "subscriptions", "status", status, SUBSCRIPTION_STATUSES, default="inactive"),
        "cancel_at_period_end": bool(row.get("cancel_at_period_end")),
        **stamps(row, "current_period_start", "current_period_end", "created_at", "updated_at"),
    }


def _in_range(ctx: UserContext, column: str, value: Any, low: int, high: int | None, default: Any) -> Any:
    if value is None or (value >= low and (high is None or value <= high)):
        return value if value is not None else default
    ctx.note("product_delivery_contexts", f"{column} {value} out of range: set to {default}")
    return default


def delivery_context(row: dict, ctx: UserContext) -> Mapped:
    if skip := bad_id(row["context_id"], "ctx"):
        return skip
    table = "product_delivery_contexts"
    start = row.get("sprint_start_date")
    return {
        **base(row, ("context_id", "user_id", "industry")),
        "delivery_methodology": choice(
            ctx, table, "delivery_methodology", row.get("delivery_methodology"), DELIVERY_METHODOLOGIES
        ),
        "sprint_cycle_length": _in_range(ctx, "sprint_cycle_length", row.get("sprint_cycle_length"), 1, 365, None),
        "sprint_start_date": _day(start),
        "num_developers": _in_range(ctx, "num_developers", row.get("num_developers"), 0, None, None),
        "num_qa": _in_range(ctx, "num_qa", row.get("num_qa"), 0, None, None),
        "delivery_platform": choice(ctx, table, "delivery_platform", row.get("delivery_platform"), DELIVERY_PLATFORMS),
        "points_per_dev_per_sprint": _in_range(
            ctx, "points_per_dev_per_sprint", row.get("points_per_dev_per_sprint"), 1, 50, 8
        ),
        "quality_mode": choice(ctx, table, "quality_mode", row.get("quality_mode"), QUALITY_MODES, default="standard"),
        **stamps(row, "created_at", "updated_at"),
    }


def _day(value: Any) -> date | None:
    """The original kept the sprint start as a timestamp; ours keeps the day the API shows."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def reencrypt(ctx: UserContext, table: str, column: str, stored: str | None, *, note: bool = True) -> str | None:
    """The original's secret re-encrypted with ours; None (noted) when it cannot be read."""
    if not stored:
        return None
    plain = ctx.secrets.decrypt(stored)
    if plain is None:
        if note:
            ctx.note(table, f"{column} cannot be decrypted with the original's secret: imported without it")
        return None
    return crypto.encrypt(ctx.encryption_key, plain)


def provider_config(row: dict, ctx: UserContext) -> Mapped:
    table = "llm_provider_configs"
    if skip := bad_id(row["config_id"], "llm"):
        return skip
    provider = choice(ctx, table, "provider", row.get("provider"), LLM_PROVIDERS)
    if provider is None:
        return Skip("provider is not one of openai, anthropic, google, local")
    key = reencrypt(ctx, table, "encrypted_api_key", row.get("encrypted_api_key"), note=provider == "local")
    if key is None and provider != "local":
        # Ours requires a key for a hosted provider: the user enters it again.
        return Skip("the API key cannot be decrypted with the original's secret (the user enters it again)")
    base_url = row.get("base_url") or None
    if provider == "local" and base_url is None:
        return Skip("a local provider without a base URL")
    if provider != "local" and base_url is not None:
        ctx.note(table, "base_url of a hosted provider dropped (ours sets hosted endpoints server-side)")
        base_url = None
    active = bool(row.get("is_active")) and not ctx.active_config_seen
    if row.get("is_active") and not active:
        ctx.note(table, "a second active configuration made inactive (ours allows one)")
    ctx.active_config_seen = ctx.active_config_seen or active
    return {
        **base(row, ("config_id", "user_id", "model_name")),
        "provider": provider,
        "encrypted_api_key": key,
        "base_url": base_url,
        "is_active": active,
        **stamps(row, "created_at", "updated_at"),
    }


def persona_settings(row: dict, ctx: UserContext) -> Mapped:
    if skip := bad_id(row["settings_id"], "pgs"):
        return skip
    count = row.get("default_persona_count") or 3
    if not 1 <= count <= 5:
        ctx.note("persona_generation_settings", f"default_persona_count {count} clamped to 1-5")
        count = min(5, max(1, count))
    return {
        **base(row, ("settings_id", "user_id")),
        "image_provider": row.get("image_provider") or "openai",
        "image_model": row.get("image_model") or "gpt-image-1",
        "default_persona_count": count,
        **stamps(row, "created_at", "updated_at"),
    }


def payment(row: dict, ctx: UserContext) -> Mapped:
    if skip := bad_id(row["transaction_id"], "txn"):
        return skip
    try:
        amount = Decimal(str(row.get("amount"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return Skip("amount is not a number")
    return {
        **base(row, ("transaction_id", "user_id", "stripe_session_id", "stripe_payment_id", "payment_metadata")),
        "amount": amount,
        "currency": row.get("currency") or "usd",
        "payment_status": (row.get("payment_status") or "pending")[:30],
        "transaction_type": (row.get("transaction_type") or "subscription")[:30],
        **stamps(row, "created_at", "updated_at"),
    }


# --- epics ----------------------------------------------------------------------------------------


def epic(row: dict, ctx: UserContext) -> Mapped:
    table = "epics"
    if skip := bad_id(row["epic_id"], "epic"):
        return skip
    stage = choice(ctx, table, "current_stage", row.get("current_stage"), EPIC_STAGES)
    if stage is None:
        return Skip(f"stage {row.get('current_stage')!r} is not one of ours")
    locked_at = None
    if stage == "epic_locked":
        # The original never wrote epics.locked_at; the snapshot knows when the epic was locked.
        locked_at = row.get("locked_at")
        if locked_at is None:
            locked_at = ctx.snapshots.get(row["epic_id"], {}).get("epic_locked_at")
            ctx.note(table, "locked_at (never written by the original) taken from the snapshot's epic_locked_at")
        if locked_at is None:
            ctx.note(table, "locked epic without a lock time: locked_at taken from updated_at")
            locked_at = row.get("updated_at") or row.get("created_at") or datetime.now(UTC)
    archived = bool(row.get("is_archived"))
    return {
        **base(row, ("epic_id", "user_id", "title", "moscow_reasoning")),
        "pending_proposal": _proposal(ctx, row.get("pending_proposal")),
        "current_stage": stage,
        "is_archived": archived,
        "archived_at": when(row.get("archived_at")) if archived else None,
        "locked_at": when(locked_at),
        "moscow_score": choice(ctx, table, "moscow_score", row.get("moscow_score"), MOSCOW_SCORES),
        **stamps(row, "created_at", "updated_at"),
    }


PROPOSAL_KEYS = ("proposal_id", "field", "proposed_content", "target_stage")


def _proposal(ctx: UserContext, proposal: Any) -> dict | None:
    """Ours keeps `content` beside `proposed_content` (the web client reads it after a reload)."""
    if proposal is None:
        return None
    if not isinstance(proposal, dict) or any(not proposal.get(key) for key in PROPOSAL_KEYS):
        ctx.note("epics", "an incomplete pending proposal dropped (the assistant proposes again)")
        return None
    return {**proposal, "content": proposal.get("content") or proposal["proposed_content"]}


def snapshot(row: dict, ctx: UserContext) -> Mapped:
    if not ctx.has("epics", row["epic_id"]):
        return Skip("its epic was not imported")
    return {
        **base(row, ("epic_id", "problem_statement", "desired_outcome", "epic_summary")),
        "acceptance_criteria": row.get("acceptance_criteria"),
        **stamps(row, "problem_confirmed_at", "outcome_confirmed_at", "epic_locked_at"),
    }


def transcript_event(row: dict, ctx: UserContext) -> Mapped:
    table = "epic_transcript_events"
    if skip := bad_id(row["event_id"], "evt"):
        return skip
    if not ctx.has("epics", row["epic_id"]):
        return Skip("its epic was not imported")
    role = choice(ctx, table, "role", row.get("role"), TRANSCRIPT_ROLES)
    stage = choice(ctx, table, "stage", row.get("stage"), EPIC_STAGES)
    if role is None or stage is None:
        return Skip("role or stage is not one of ours")
    return {
        **base(row, ("event_id", "epic_id", "content", "event_metadata")),
        "role": role,
        "stage": stage,
        "created_at": when(row.get("created_at")),
    }


def decision(row: dict, ctx: UserContext) -> Mapped:
    table = "epic_decisions"
    if skip := bad_id(row["decision_id"], "dec"):
        return skip
    if not ctx.has("epics", row["epic_id"]):
        return Skip("its epic was not imported")
    kind = choice(ctx, table, "decision_type", row.get("decision_type"), DECISION_TYPES)
    if kind is None:
        return Skip(f"decision type {row.get('decision_type')!r} is not one of ours")
    actor = row.get("user_id")
    if actor != ctx.owner:
        # Ours is a real foreign key; in the original only the owner ever decided on an epic.
        ctx.note(table, "decided by another or unknown user: attributed to the epic's owner")
    return {
        **base(row, ("decision_id", "epic_id", "from_stage", "to_stage", "proposal_id", "content_snapshot")),
        "decision_type": kind,
        "user_id": ctx.owner,
        "created_at": when(row.get("created_at")),
    }


def artifact(row: dict, ctx: UserContext) -> Mapped:
    if skip := bad_id(row["artifact_id"], "art"):
        return skip
    if not ctx.has("epics", row["epic_id"]):
        return Skip("its epic was not imported")
    kind = choice(ctx, "epic_artifacts", "artifact_type", row.get("artifact_type"), ARTIFACT_TYPES)
    if kind is None:
        return Skip(f"artifact type {row.get('artifact_type')!r} is not one of ours")
    return {
        **base(row, ("artifact_id", "epic_id", "title", "description", "acceptance_criteria", "priority")),
        "artifact_type": kind,
        **stamps(row, "created_at", "updated_at"),
    }


# --- features and stories -------------------------------------------------------------------------


def _work_item(row: dict, ctx: UserContext, table: str) -> dict[str, Any] | Skip:
    """Stage, source and approval time, kept consistent the way ours requires."""
    stage = choice(ctx, table, "current_stage", row.get("current_stage"), WORK_STAGES)
    if stage is None:
        return Skip(f"stage {row.get('current_stage')!r} is not one of ours")
    source = choice(ctx, table, "source", row.get("source"), WORK_SOURCES, default="ai_generated")
    approved_at = row.get("approved_at")
    if stage == "approved" and approved_at is None:
        ctx.note(table, "approved without an approval time: approved_at taken from updated_at")
        approved_at = row.get("updated_at") or row.get("created_at") or datetime.now(UTC)
    if stage != "approved" and approved_at is not None:
        ctx.note(table, "approval time of an item that is not approved dropped")
        approved_at = None
    return {
        "current_stage": stage,
        "source": source,
        "approved_at": when(approved_at),
        "acceptance_criteria": texts(row.get("acceptance_criteria")),
        **base(row, RICE),
        **stamps(row, "created_at", "updated_at"),
    }


def feature(row: dict, ctx: UserContext) -> Mapped:
    table = "features"
    if skip := bad_id(row["feature_id"], "feat"):
        return skip
    if not ctx.has("epics", row["epic_id"]):
        return Skip("its epic was not imported")
    work = _work_item(row, ctx, table)
    if isinstance(work, Skip):
        return work
    ctx.feature_epics[row["feature_id"]] = row["epic_id"]
    return {
        **base(row, ("feature_id", "epic_id", "title", "description", "priority", "moscow_reasoning")),
        "moscow_score": choice(ctx, table, "moscow_score", row.get("moscow_score"), MOSCOW_SCORES),
        **work,
    }


def feature_event(row: dict, ctx: UserContext) -> Mapped:
    table = "feature_conversation_events"
    if skip := bad_id(row["event_id"], "fevt"):
        return skip
    if not ctx.has("features", row["feature_id"]):
        return Skip("its feature was not imported")
    role = choice(ctx, table, "role", row.get("role"), TRANSCRIPT_ROLES)
    if role is None:
        return Skip(f"role {row.get('role')!r} is not one of ours")
    return {
        **base(row, ("event_id", "feature_id", "content", "event_metadata")),
        "epic_id": ctx.feature_epics[row["feature_id"]],
        "role": role,
        "created_at": when(row.get("created_at")),
    }


def story(row: dict, ctx: UserContext) -> Mapped:
    table = "user_stories"
    if skip := bad_id(row["story_id"], "story"):
        return skip
    feature_id = row.get("feature_id")
    if feature_id is not None and not ctx.has("features", feature_id):
        return Skip("its feature was not imported")
    work = _work_item(row, ctx, table)
    if isinstance(work, Skip):
        return work
    points = row.get("story_points")
    if points is not None and points < 0:
        ctx.note(table, "negative story points dropped")
        points = None
    ctx.parents[row["story_id"]] = (feature_id, ctx.feature_epics.get(feature_id) if feature_id else None)
    return {
        **base(row, ("story_id", "title", "notes_for_engineering", "priority", "sprint_number", "blocked_reason")),
        # Feature-bound stories had no user_id in the original; ours always names the owner.
        "user_id": ctx.owner,
        "feature_id": feature_id,
        "persona": row.get("persona") or "user",
        "action": row.get("action") or "",
        "benefit": row.get("benefit") or "",
        "labels": texts(row.get("labels")),
        "dependencies": texts(row.get("dependencies")),
        "risks": texts(row.get("risks")),
        "edge_cases": texts(row.get("edge_cases")),
        "story_priority": choice(ctx, table, "story_priority", row.get("story_priority"), STORY_PRIORITIES),
        "status": choice(ctx, table, "status", row.get("status"), SPRINT_STATUSES),
        "story_points": points,
        **work,
    }


def story_event(row: dict, ctx: UserContext) -> Mapped:
    table = "user_story_conversation_events"
    if skip := bad_id(row["event_id"], "sevt"):
        return skip
    if not ctx.has("user_stories", row["story_id"]):
        return Skip("its story was not imported")
    role = choice(ctx, table, "role", row.get("role"), TRANSCRIPT_ROLES)
    if role is None:
        return Skip(f"role {row.get('role')!r} is not one of ours")
    feature_id, epic_id = ctx.parents[row["story_id"]]
    return {
        **base(row, ("event_id", "story_id", "content", "event_metadata")),
        "feature_id": feature_id,
        "epic_id": epic_id,
        "role": role,
        "created_at": when(row.get("created_at")),
    }


def poker_session(row: dict, ctx: UserContext) -> Mapped:
    table = "poker_estimate_sessions"
    if skip := bad_id(row["session_id"], "pses"):
        return skip
    if not ctx.has("user_stories", row["story_id"]):
        return Skip("its story was not imported")
    accepted, accepted_at = row.get("accepted_estimate"), row.get("accepted_at")
    if accepted is not None and accepted not in FIBONACCI_POINTS:
        ctx.note(table, f"accepted estimate {accepted} is not a Fibonacci point: acceptance dropped")
        accepted = None
    if accepted is None:
        accepted_at = None
    elif accepted_at is None:
        accepted_at = row.get("created_at") or datetime.now(UTC)
    return {
        **base(row, ("session_id", "story_id", "min_estimate", "max_estimate", "average_estimate")),
        "user_id": ctx.owner,
        "suggested_estimate": row.get("suggested_estimate"),
        "accepted_estimate": accepted,
        "accepted_at": when(accepted_at),
        "created_at": when(row.get("created_at")),
    }


def poker_estimate(row: dict, ctx: UserContext) -> Mapped:
    if skip := bad_id(row["estimate_id"], "pest"):
        return skip
    if not ctx.has("poker_estimate_sessions", row["session_id"]):
        return Skip("its poker session was not imported")
    if row.get("estimate_points") not in FIBONACCI_POINTS:
        return Skip("estimate is not a Fibonacci point (1, 2, 3, 5, 8, 13)")
    return {
        **base(row, ("estimate_id", "session_id", "persona_name", "persona_role", "estimate_points")),
        "reasoning": row.get("reasoning") or "",
        "confidence": choice(ctx, "poker_persona_estimates", "confidence", row.get("confidence"), CONFIDENCES),
        "created_at": when(row.get("created_at")),
    }


# --- bugs -----------------------------------------------------------------------------------------


def bug(row: dict, ctx: UserContext) -> Mapped:
    table = "bugs"
    if skip := bad_id(row["bug_id"], "bug"):
        return skip
    deleted = bool(row.get("is_deleted"))
    deleted_at = row.get("deleted_at") if deleted else None
    if deleted and deleted_at is None:
        ctx.note(table, "deleted without a deletion time: deleted_at taken from updated_at")
        deleted_at = row.get("updated_at") or datetime.now(UTC)
    return {
        **base(row, ("bug_id", "user_id", "title", "description", "steps_to_reproduce", "expected_behavior")),
        **base(row, ("actual_behavior", "environment", "assignee_id", *RICE)),
        "severity": choice(ctx, table, "severity", row.get("severity"), BUG_SEVERITIES, default="medium"),
        "status": choice(ctx, table, "status", row.get("status"), BUG_STATUSES, default="draft"),
        "priority": choice(ctx, table, "priority", row.get("priority"), BUG_PRIORITIES),
        "is_deleted": deleted,
        "deleted_at": when(deleted_at),
        **stamps(row, "due_date", "created_at", "updated_at"),
    }


LINK_TABLES = {"epic": "epics", "feature": "features", "story": "user_stories"}


def bug_link(row: dict, ctx: UserContext) -> Mapped:
    if skip := bad_id(row["link_id"], "link"):
        return skip
    if not ctx.has("bugs", row["bug_id"]):
        return Skip("its bug was not imported")
    kind = row.get("entity_type")
    if kind not in LINK_ENTITY_TYPES:
        return Skip(f"links to an entity type {kind!r} ours does not know")
    target_owner = row.get("target_owner")
    if target_owner is None:
        return Skip(f"links to a {kind} that does not exist")
    if target_owner != ctx.owner:
        return Skip(f"links to another user's {kind}")
    if not ctx.has(LINK_TABLES[kind], row["entity_id"]):
        return Skip(f"links to a {kind} that was not imported")
    return {
        "link_id": row["link_id"],
        "bug_id": row["bug_id"],
        "entity_type": kind,
        "epic_id": row["entity_id"] if kind == "epic" else None,
        "feature_id": row["entity_id"] if kind == "feature" else None,
        "story_id": row["entity_id"] if kind == "story" else None,
        "created_at": when(row.get("created_at")),
    }


def bug_history(row: dict, ctx: UserContext) -> Mapped:
    table = "bug_status_history"
    if skip := bad_id(row["history_id"], "hist"):
        return skip
    if not ctx.has("bugs", row["bug_id"]):
        return Skip("its bug was not imported")
    to_status = choice(ctx, table, "to_status", row.get("to_status"), BUG_STATUSES)
    if to_status is None:
        return Skip(f"status {row.get('to_status')!r} is not one of ours")
    if row.get("changed_by") != ctx.owner:
        ctx.note(table, "changed by another or unknown user: attributed to the bug's owner")
    return {
        "history_id": row["history_id"],
        "bug_id": row["bug_id"],
        "from_status": choice(ctx, table, "from_status", row.get("from_status"), BUG_STATUSES),
        "to_status": to_status,
        "changed_by": ctx.owner,
        "notes": row.get("notes"),
        "created_at": when(row.get("created_at")),
    }


def not_kept(reason: str) -> Mapper:
    def rule(row: dict, ctx: UserContext) -> Mapped:
        return Skip(reason)

    return rule


# --- documents, plans, personas -------------------------------------------------------------------


def _epic_child(row: dict, ctx: UserContext, id_column: str, prefix: str) -> Skip | None:
    if skip := bad_id(row[id_column], prefix):
        return skip
    if not ctx.has("epics", row.get("epic_id")):
        return Skip("its epic was not imported")
    return None


def persona(row: dict, ctx: UserContext) -> Mapped:
    if skip := _epic_child(row, ctx, "persona_id", "persona"):
        return skip
    lists = ("goals_and_motivations", "pain_points", "key_behaviors", "jobs_to_be_done")
    return {
        **base(row, ("persona_id", "epic_id", "user_id", "name", "role", "age_range", "location")),
        **base(row, ("tech_proficiency", "product_interaction_context", "representative_quote")),
        **base(row, ("portrait_image_base64", "portrait_prompt")),
        **{column: json_list(row.get(column)) for column in lists},
        "source": choice(ctx, "personas", "source", row.get("source"), PERSONA_SOURCES, default="ai_generated"),
        "is_active": row.get("is_active") is not False,
        **stamps(row, "created_at", "updated_at"),
    }


def scope_plan(row: dict, ctx: UserContext) -> Mapped:
    table = "scope_plans"
    if skip := _epic_child(row, ctx, "plan_id", "splan"):
        return skip
    active = bool(row.get("is_active"))
    if active and row["epic_id"] in ctx.active_plan_epics:
        ctx.note(table, "a second active plan of an epic made inactive (ours allows one)")
        active = False
    if active:
        ctx.active_plan_epics.add(row["epic_id"])
    points = {
        column: max(0, row.get(column) or 0) for column in ("total_points", "deferred_points", "remaining_points")
    }
    return {
        **base(row, ("plan_id", "epic_id", "user_id", "notes")),
        "name": (row.get("name") or "").strip() or "Default Plan",
        "deferred_story_ids": texts(row.get("deferred_story_ids")),
        **points,
        "is_active": active,
        **stamps(row, "created_at", "updated_at"),
    }


def lean_canvas(row: dict, ctx: UserContext) -> Mapped:
    if skip := _epic_child(row, ctx, "canvas_id", "canvas"):
        return skip
    return {
        **base(row, ("canvas_id", "epic_id", "user_id", *CANVAS_SECTIONS)),
        "source": row.get("source") or "manual",
        **stamps(row, "created_at", "updated_at"),
    }


def prd(row: dict, ctx: UserContext) -> Mapped:
    if skip := _epic_child(row, ctx, "prd_id", "prd"):
        return skip
    sections = row.get("sections")
    if sections is None and row.get("content"):
        # The migration-built table had a `content` column: it is the legacy markdown shape.
        ctx.note("prd_documents", "markdown content kept as the legacy {'content': ...} sections")
        sections = {"content": row["content"]}
    return {
        **base(row, ("prd_id", "epic_id", "user_id", "title", "source")),
        "sections": sections,
        "version": str(row.get("version") or "1.0"),
        "status": row.get("status") or "draft",
        **stamps(row, "created_at", "updated_at"),
    }


def sprint_insight(row: dict, ctx: UserContext) -> Mapped:
    if skip := bad_id(row["insight_id"], "si"):
        return skip
    kind = choice(ctx, "sprint_insights", "insight_type", row.get("insight_type"), INSIGHT_TYPES)
    if kind is None:
        return Skip(f"insight type {row.get('insight_type')!r} is not one of ours")
    if (row.get("sprint_number") or 0) < 1 or row.get("content") is None:
        return Skip("no sprint number from 1 up, or no content")
    created = row.get("created_at")
    return {
        **base(row, ("insight_id", "user_id", "sprint_number", "content")),
        "insight_type": kind,
        "generated_at": when(row.get("generated_at") or created),
        "created_at": when(created),
    }


# --- integrations ---------------------------------------------------------------------------------


def integration(row: dict, ctx: UserContext) -> Mapped:
    table = "external_integrations"
    if skip := bad_id(row["integration_id"], "int"):
        return skip
    provider = choice(ctx, table, "provider", row.get("provider"), TRACKERS)
    if provider is None:
        return Skip(f"tracker {row.get('provider')!r} is not one of ours")
    secrets = {
        column: reencrypt(ctx, table, column, row.get(column))
        for column in ("access_token_encrypted", "refresh_token_encrypted", "pat_encrypted")
    }
    unreadable = any(row.get(column) and secrets[column] is None for column in secrets)
    status = choice(ctx, table, "status", row.get("status"), INTEGRATION_STATUSES, default="disconnected")
    reason = None
    if unreadable and status == "connected":
        status, reason = "error", SECRET_UNREADABLE
    return {
        **base(row, ("integration_id", "user_id", "external_account_id", "external_account_name", "org_url")),
        **base(row, ("scopes", "default_team_id", "default_team_name", "default_project_id")),
        **base(row, ("default_project_name", "field_mappings")),
        "provider": provider,
        "status": status,
        "status_reason": reason,
        **secrets,
        "token_expires_at": when(row.get("token_expires_at")),
        "connected_at": when(row.get("updated_at")) if status == "connected" else None,
        **stamps(row, "created_at", "updated_at"),
    }


def push_mapping(row: dict, ctx: UserContext) -> Mapped:
    table = "external_push_mappings"
    if skip := bad_id(row["mapping_id"], "map"):
        return skip
    if not ctx.has("external_integrations", row.get("integration_id")):
        return Skip("its integration was not imported")
    kind = choice(ctx, table, "entity_type", row.get("entity_type"), PUSHED_ENTITIES)
    provider = choice(ctx, table, "provider", row.get("provider"), TRACKERS)
    if kind is None or provider is None:
        return Skip("entity type or tracker is not one of ours")
    return {
        **base(row, ("mapping_id", "user_id", "integration_id", "entity_id", "external_type", "external_id")),
        **base(row, ("external_key", "external_url", "project_id", "team_id", "last_push_hash")),
        "provider": provider,
        "entity_type": kind,
        "last_pushed_at": when(row.get("last_pushed_at") or row.get("updated_at") or row.get("created_at")),
        **stamps(row, "created_at", "updated_at"),
    }


def push_run(row: dict, ctx: UserContext) -> Mapped:
    table = "external_push_runs"
    if skip := bad_id(row["run_id"], "run"):
        return skip
    integration_id = row.get("integration_id")
    if integration_id is not None and not ctx.has("external_integrations", integration_id):
        return Skip("its integration was not imported")
    provider = choice(ctx, table, "provider", row.get("provider"), TRACKERS)
    if provider is None:
        return Skip(f"tracker {row.get('provider')!r} is not one of ours")
    started, ended = when(row.get("started_at") or row.get("created_at")), when(row.get("ended_at"))
    if started is None:
        return Skip("no start time")
    if ended is not None and ended < started:
        ctx.note(table, "ended before it started: end time dropped")
        ended = None
    return {
        **base(row, ("run_id", "user_id", "integration_id", "epic_id", "push_scope", "summary_json", "error_json")),
        "provider": provider,
        "started_at": started,
        "ended_at": ended,
        "status": choice(ctx, table, "status", row.get("status"), PUSH_STATUSES, default="failed"),
        "include_bugs": bool(row.get("include_bugs")),
        "is_dry_run": bool(row.get("is_dry_run")),
        "created_at": when(row.get("created_at")),
    }


def complete_snapshots(rows: dict[str, list[dict]], ctx: UserContext) -> None:
    """Every epic of ours has a snapshot: an original epic without one gets an empty one (noted)."""
    found = {row["epic_id"]: row for row in rows.get("epic_snapshots", [])}
    for epic_row in rows.get("epics", []):
        if epic_row["epic_id"] not in found:
            ctx.note("epic_snapshots", "epic without a snapshot: an empty one added")
            found[epic_row["epic_id"]] = {"epic_id": epic_row["epic_id"]}
            rows.setdefault("epic_snapshots", []).append(found[epic_row["epic_id"]])
    ctx.snapshots = found


# Our table, its primary key, and the rule for each original table a user's rows come from, in the
# order a user's rows are written (parents first). A None target means: read and counted, never written.
@dataclass(frozen=True)
class TableRule:
    original: str
    target: str | None
    key: str
    rule: Mapper


RULES: tuple[TableRule, ...] = (
    TableRule("subscriptions", "subscriptions", "subscription_id", subscription),
    TableRule("product_delivery_contexts", "product_delivery_contexts", "context_id", delivery_context),
    TableRule("llm_provider_configs", "llm_provider_configs", "config_id", provider_config),
    TableRule("persona_generation_settings", "persona_generation_settings", "settings_id", persona_settings),
    TableRule("payment_transactions", "payment_transactions", "transaction_id", payment),
    TableRule("epics", "epics", "epic_id", epic),
    TableRule("epic_snapshots", "epic_snapshots", "epic_id", snapshot),
    TableRule("epic_transcript_events", "epic_transcript_events", "event_id", transcript_event),
    TableRule("epic_decisions", "epic_decisions", "decision_id", decision),
    TableRule("epic_artifacts", "epic_artifacts", "artifact_id", artifact),
    TableRule("features", "features", "feature_id", feature),
    TableRule("feature_conversation_events", "feature_conversation_events", "event_id", feature_event),
    TableRule("user_stories", "user_stories", "story_id", story),
    TableRule("user_story_conversation_events", "user_story_conversation_events", "event_id", story_event),
    TableRule("poker_estimate_sessions", "poker_estimate_sessions", "session_id", poker_session),
    TableRule("poker_persona_estimates", "poker_persona_estimates", "estimate_id", poker_estimate),
    TableRule("bugs", "bugs", "bug_id", bug),
    TableRule("bug_links", "bug_links", "link_id", bug_link),
    TableRule("bug_status_history", "bug_status_history", "history_id", bug_history),
    TableRule(
        "bug_conversation_events", None, "event_id", not_kept("bug conversations have no table here (never written)")
    ),
    TableRule("personas", "personas", "persona_id", persona),
    TableRule("scope_plans", "scope_plans", "plan_id", scope_plan),
    TableRule("lean_canvases", "lean_canvases", "canvas_id", lean_canvas),
    TableRule("prd_documents", "prd_documents", "prd_id", prd),
    TableRule("sprint_insights", "sprint_insights", "insight_id", sprint_insight),
    TableRule("external_integrations", "external_integrations", "integration_id", integration),
    TableRule("external_push_mappings", "external_push_mappings", "mapping_id", push_mapping),
    TableRule("external_push_runs", "external_push_runs", "run_id", push_run),
    TableRule("user_sessions", None, "session_id", not_kept("sessions are not imported: users sign in again")),
    TableRule("verification_tokens", None, "token_id", not_kept("one-time tokens are not imported")),
)


def split_case_duplicates(users: list[dict]) -> tuple[list[dict], list[tuple[dict, dict]]]:
    """The accounts to import, and (dropped, kept) pairs for emails that differ only in case.

    The original compared emails case-sensitively; ours keeps one account per email whatever its case,
    so the most recently active of such accounts is imported and the others are listed in the report.
    """
    groups: dict[str, list[dict]] = {}
    for account in users:
        groups.setdefault((account.get("email") or "").strip().lower(), []).append(account)
    dropped: list[tuple[dict, dict]] = []
    kept_ids: set[str] = set()
    for group in groups.values():
        winner = max(group, key=_activity)
        kept_ids.add(winner["user_id"])
        dropped += [(account, winner) for account in group if account is not winner]
    return [account for account in users if account["user_id"] in kept_ids], dropped


def _activity(account: dict) -> tuple[datetime, int]:
    last = when(account.get("last_active")) or datetime.min.replace(tzinfo=UTC)
    return last, account.get("id") or 0
