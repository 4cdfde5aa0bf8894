"""An original JarlPM database (original_schema.sql) holding a small, realistic data set.

Two users who sign in with their original bcrypt passwords, and a third account whose email differs
from the first one's only in case. Alice has a locked epic with its history, features, stories (bound
and standalone), poker, bugs with valid and dangling links, an API key and tracker tokens encrypted
the original's way, scores, a scope plan, a PRD, a lean canvas, a persona and a sprint insight. Bob has
a cancelled subscription, a key encrypted under another secret, and a bug linked to Alice's feature.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import bcrypt

from jarlpm.importer.secrets import OriginalSecrets

SCHEMA = Path(__file__).with_name("original_schema.sql")
OLD_SECRET = "original-production-secret-42"
ALICE, BOB, ALICE_AGAIN = "user_a11ce0000001", "user_b0b000000002", "user_a11ce0000003"
ALICE_EMAIL, BOB_EMAIL = "alice@example.com", "bob@example.com"
ALICE_PASSWORD, BOB_PASSWORD = "Alice-original-1", "Bob-original-22"
ALICE_KEY, JIRA_TOKEN = "sk-alice-0123456789", "jira-access-token-xyz"
LOCKED_EPIC, BOB_EPIC, OLD_EPIC = "epic_a1000000000a", "epic_b0000000000b", "epic_dup00000000c"
FEATURE_APPROVED, FEATURE_DRAFT = "feat_a10000000001", "feat_a10000000002"
STORY_BOUND, STORY_DRAFT, STORY_STANDALONE = "story_a1000000001", "story_a1000000002", "story_a1000000003"
ALICE_BUG, BOB_BUG = "bug_a10000000001", "bug_b00000000001"
TRANSCRIPT = ["evt_a10000000001", "evt_a10000000002", "evt_a10000000003", "evt_a10000000004", "evt_a10000000005"]

T0 = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _bcrypt(password: str) -> str:
    # The original used bcrypt's default cost; a low one keeps the fixture quick and checks the same way.
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()


async def _insert(conn: asyncpg.Connection, table: str, **values: Any) -> None:
    columns = ", ".join(values)
    placeholders = ", ".join(f"${n}" for n in range(1, len(values) + 1))
    await conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", *values.values())


async def build(url: str) -> None:
    """Create the original's schema at url and fill it."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(SCHEMA.read_text())
        for type_name in ("json", "jsonb"):
            await conn.set_type_codec(type_name, encoder=_json, decoder=str, schema="pg_catalog")
        await _accounts(conn)
        await _alice(conn)
        await _bob(conn)
        await _alice_again(conn)
    finally:
        await conn.close()


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


async def _accounts(conn: asyncpg.Connection) -> None:
    await _insert(
        conn,
        "users",
        user_id=ALICE,
        email=ALICE_EMAIL,
        name="Alice Lind",
        password_hash=_bcrypt(ALICE_PASSWORD),
        email_verified=True,
        created_at=at(0),
        updated_at=at(0),
    )
    await _insert(
        conn,
        "users",
        user_id=BOB,
        email=BOB_EMAIL,
        name="Bob Berg",
        password_hash=_bcrypt(BOB_PASSWORD),
        created_at=at(1),
        updated_at=None,
    )
    await _insert(
        conn,
        "users",
        user_id=ALICE_AGAIN,
        email="Alice@Example.com",
        name="Alice (old)",
        password_hash=_bcrypt("whatever-9"),
        created_at=at(-90000),
        updated_at=at(-90000),
    )
    await _insert(
        conn,
        "user_sessions",
        session_id="sess_a1",
        user_id=ALICE,
        session_token="tok-a",
        expires_at=at(20000),
        created_at=at(600),
    )
    await _insert(
        conn,
        "verification_tokens",
        token_id="vtoken_a1",
        user_id=ALICE,
        token="vt-a",
        token_type="email_verification",
        expires_at=at(1440),
        created_at=at(0),
    )


async def _alice(conn: asyncpg.Connection) -> None:
    old = OriginalSecrets(OLD_SECRET)
    await _insert(
        conn,
        "subscriptions",
        subscription_id="sub_a1",
        user_id=ALICE,
        status="active",
        stripe_customer_id="cus_1",
        current_period_end=at(43200),
        created_at=at(2),
        updated_at=at(2),
    )
    await _insert(
        conn,
        "payment_transactions",
        transaction_id="txn_a1",
        user_id=ALICE,
        stripe_session_id="cs_1",
        amount=20.0,
        payment_status="paid",
        payment_metadata={"plan": "monthly"},
        created_at=at(2),
    )
    await _insert(
        conn,
        "product_delivery_contexts",
        context_id="ctx_a1",
        user_id=ALICE,
        industry="fintech,saas",
        delivery_methodology="scrum",
        sprint_cycle_length=14,
        sprint_start_date=at(-4000),
        num_developers=4,
        num_qa=1,
        delivery_platform="jira",
        points_per_dev_per_sprint=8,
        created_at=at(3),
    )
    await _insert(
        conn,
        "llm_provider_configs",
        config_id="llm_a1",
        user_id=ALICE,
        provider="openai",
        encrypted_api_key=old.encrypt(ALICE_KEY),
        model_name="gpt-4o",
        is_active=True,
        created_at=at(3),
    )
    await _insert(conn, "persona_generation_settings", settings_id="pgs_a1", user_id=ALICE, default_persona_count=9)
    await _insert(
        conn,
        "epics",
        epic_id=LOCKED_EPIC,
        user_id=ALICE,
        title="Faster payouts",
        current_stage="epic_locked",
        moscow_score="must_have",
        moscow_reasoning="Revenue",
        created_at=at(10),
        updated_at=at(60),
    )
    await _insert(
        conn,
        "epic_snapshots",
        epic_id=LOCKED_EPIC,
        problem_statement="Payouts take 5 days",
        problem_confirmed_at=at(20),
        desired_outcome="Payouts in 1 day",
        outcome_confirmed_at=at(30),
        epic_summary="Same-day payouts",
        acceptance_criteria=["Payout < 24h", "Audit trail"],
        epic_locked_at=at(50),
    )
    stages = ["problem_capture", "problem_capture", "outcome_capture", "epic_drafted", "epic_locked"]
    roles = ["system", "user", "assistant", "user", "system"]
    for n, (event_id, stage, role) in enumerate(zip(TRANSCRIPT, stages, roles, strict=True)):
        # Equal timestamps on purpose: only the original's id order tells which came first.
        await _insert(
            conn,
            "epic_transcript_events",
            event_id=event_id,
            epic_id=LOCKED_EPIC,
            role=role,
            content=f"message {n}",
            stage=stage,
            created_at=at(10 + 10 * (n // 2)),
        )
    decisions = [
        ("confirm_proposal", "problem_capture", "problem_confirmed"),
        ("auto_advance", "problem_confirmed", "outcome_capture"),
        ("confirm_proposal", "outcome_capture", "outcome_confirmed"),
        ("confirm_proposal", "epic_drafted", "epic_locked"),
    ]
    for n, (kind, from_stage, to_stage) in enumerate(decisions):
        await _insert(
            conn,
            "epic_decisions",
            decision_id=f"dec_a1000000000{n}",
            epic_id=LOCKED_EPIC,
            decision_type=kind,
            from_stage=from_stage,
            to_stage=to_stage,
            proposal_id=f"prop_{n}",
            user_id=ALICE,
            created_at=at(20 + 10 * n),
        )
    await _insert(
        conn,
        "epic_artifacts",
        artifact_id="art_a1",
        epic_id=LOCKED_EPIC,
        artifact_type="feature",
        title="Legacy artifact",
        description="From the old flow",
        created_at=at(55),
    )
    await _insert(
        conn,
        "features",
        feature_id=FEATURE_APPROVED,
        epic_id=LOCKED_EPIC,
        title="Instant ledger",
        description="Post payouts in real time",
        acceptance_criteria=["Ledger updates"],
        current_stage="approved",
        source="ai_generated",
        priority=1,
        moscow_score="should_have",
        rice_reach=500,
        rice_impact=2.0,
        rice_confidence=0.8,
        rice_effort=3.0,
        rice_total=266.67,
        created_at=at(70),
        updated_at=at(80),
        approved_at=None,
    )
    await _insert(
        conn,
        "features",
        feature_id=FEATURE_DRAFT,
        epic_id=LOCKED_EPIC,
        title="Payout alerts",
        description="Notify on payout",
        current_stage="draft",
        source="manual",
        priority=2,
        created_at=at(71),
        updated_at=at(71),
    )
    for n in range(2):
        await _insert(
            conn,
            "feature_conversation_events",
            event_id=f"fevt_a1000000000{n}",
            feature_id=FEATURE_APPROVED,
            role=["user", "assistant"][n],
            content=f"feature talk {n}",
            created_at=at(75),
        )
    await _insert(
        conn,
        "user_stories",
        story_id=STORY_BOUND,
        feature_id=FEATURE_APPROVED,
        user_id=None,
        persona="finance lead",
        action="see payouts land the same day",
        benefit="cash flow is predictable",
        story_text="As a finance lead, ...",
        acceptance_criteria=["Given a payout, when..., then..."],
        labels=["payments"],
        story_priority="must-have",
        current_stage="approved",
        story_points=5,
        status="ready",
        sprint_number=1,
        created_at=at(90),
        updated_at=at(95),
        approved_at=at(95),
    )
    await _insert(
        conn,
        "user_stories",
        story_id=STORY_DRAFT,
        feature_id=FEATURE_DRAFT,
        user_id=None,
        persona="merchant",
        action="get a payout alert",
        benefit="I know money arrived",
        story_text="As a merchant, ...",
        story_priority="nice to have",
        status="weird",
        created_at=at(91),
        updated_at=at(91),
    )
    await _insert(
        conn,
        "user_stories",
        story_id=STORY_STANDALONE,
        feature_id=None,
        user_id=ALICE,
        persona="admin",
        action="export payouts",
        benefit="audits are easy",
        story_text="As a admin, ...",
        is_standalone=True,
        source="manual",
        created_at=at(92),
        updated_at=at(92),
    )
    await _insert(
        conn,
        "user_story_conversation_events",
        event_id="sevt_a10000000001",
        story_id=STORY_BOUND,
        role="user",
        content="story talk",
        created_at=at(93),
    )
    await _insert(
        conn,
        "poker_estimate_sessions",
        session_id="pses_a1",
        story_id=STORY_BOUND,
        user_id=ALICE,
        min_estimate=3,
        max_estimate=5,
        average_estimate=4.0,
        suggested_estimate=5,
        accepted_estimate=5,
        accepted_at=at(96),
        created_at=at(96),
    )
    for n, (points, confidence) in enumerate([(5, "high"), (3, "medium"), (4, "low")]):
        await _insert(
            conn,
            "poker_persona_estimates",
            estimate_id=f"pest_a1{n}",
            session_id="pses_a1",
            persona_name=f"Dev {n}",
            persona_role="Developer",
            estimate_points=points,
            reasoning="because",
            confidence=confidence,
            created_at=at(96),
        )
    await _insert(
        conn,
        "bugs",
        bug_id=ALICE_BUG,
        user_id=ALICE,
        title="Payout twice",
        description="Paid twice on retry",
        severity="high",
        status="confirmed",
        priority="P1",
        rice_reach=100,
        rice_impact=3.0,
        rice_confidence=1.0,
        rice_effort=1.0,
        rice_total=300.0,
        created_at=at(100),
        updated_at=at(110),
    )
    links = [
        ("link_a1", "epic", LOCKED_EPIC),
        ("link_a2", "feature", FEATURE_APPROVED),
        ("link_a3", "story", STORY_BOUND),
        ("link_a4", "story", "story_gone00000000"),
        ("link_a5", "epic", BOB_EPIC),
    ]
    for link_id, kind, target in links:
        await _insert(
            conn, "bug_links", link_id=link_id, bug_id=ALICE_BUG, entity_type=kind, entity_id=target, created_at=at(101)
        )
    await _insert(
        conn,
        "bug_status_history",
        history_id="hist_a1",
        bug_id=ALICE_BUG,
        from_status=None,
        to_status="draft",
        changed_by=ALICE,
        created_at=at(100),
    )
    await _insert(
        conn,
        "bug_status_history",
        history_id="hist_a2",
        bug_id=ALICE_BUG,
        from_status="draft",
        to_status="confirmed",
        changed_by=ALICE,
        notes="Reproduced",
        created_at=at(110),
    )
    await _insert(
        conn,
        "bug_conversation_events",
        event_id="evt_bugtalk0001",
        bug_id=ALICE_BUG,
        role="user",
        content="never written by the original",
        created_at=at(111),
    )
    await _insert(
        conn,
        "personas",
        persona_id="persona_a10000000001",
        epic_id=LOCKED_EPIC,
        user_id=ALICE,
        name="Fiona",
        role="Finance lead",
        goals_and_motivations=["Predictable cash"],
        pain_points=["Slow payouts"],
        key_behaviors=[],
        jobs_to_be_done=["Close the month"],
        created_at=datetime(2025, 1, 10, 11, 0),
        updated_at=datetime(2025, 1, 10, 11, 0),
    )
    await _insert(
        conn,
        "scope_plans",
        plan_id="splan_a1",
        epic_id=LOCKED_EPIC,
        user_id=ALICE,
        name="MVP cut",
        deferred_story_ids=[STORY_DRAFT],
        total_points=5,
        deferred_points=0,
        remaining_points=5,
        is_active=True,
        created_at=at(120),
        updated_at=at(120),
    )
    await _insert(
        conn,
        "lean_canvases",
        canvas_id="canvas_a1",
        epic_id=LOCKED_EPIC,
        user_id=ALICE,
        problem="Slow payouts",
        solution="Instant ledger",
        source="ai_generated",
        created_at=at(121),
    )
    prd = {
        "prd": {"summary": {"title": "Faster payouts", "overview": "Same-day payouts"}},
        "format": "json",
        "validated": True,
    }
    await _insert(
        conn,
        "prd_documents",
        prd_id="prd_a1",
        epic_id=LOCKED_EPIC,
        user_id=ALICE,
        title="Faster payouts PRD",
        sections=prd,
        source="ai_generated",
        status="review",
        created_at=at(122),
        updated_at=at(123),
    )
    await _insert(
        conn,
        "sprint_insights",
        insight_id="si_a1",
        user_id=ALICE,
        sprint_number=1,
        insight_type="kickoff_plan",
        content={"summary": "Focus on the ledger"},
        generated_at=at(130),
        created_at=at(130),
    )
    await _insert(
        conn,
        "external_integrations",
        integration_id="int_a1",
        user_id=ALICE,
        provider="jira",
        status="connected",
        external_account_id="cloud-1",
        external_account_name="Acme",
        access_token_encrypted=old.encrypt(JIRA_TOKEN),
        refresh_token_encrypted=old.encrypt("jira-refresh"),
        org_url="https://acme.atlassian.net",
        default_project_id="10001",
        default_project_name="PAY",
        created_at=at(140),
        updated_at=at(141),
    )
    await _insert(
        conn,
        "external_push_mappings",
        mapping_id="map_a1",
        user_id=ALICE,
        integration_id="int_a1",
        provider="jira",
        entity_type="epic",
        entity_id=LOCKED_EPIC,
        external_type="Jira Issue",
        external_id="10500",
        external_key="PAY-1",
        last_pushed_at=at(150),
        created_at=at(150),
    )
    await _insert(
        conn,
        "external_push_runs",
        run_id="run_a1",
        user_id=ALICE,
        integration_id="int_a1",
        provider="jira",
        started_at=at(150),
        ended_at=at(151),
        status="success",
        epic_id=LOCKED_EPIC,
        push_scope="epic_only",
        summary_json={"created": 1, "updated": 0, "errors": 0},
        created_at=at(150),
    )


async def _bob(conn: asyncpg.Connection) -> None:
    await _insert(
        conn,
        "subscriptions",
        subscription_id="sub_b0",
        user_id=BOB,
        status="cancelled",
        created_at=at(4),
        updated_at=at(5),
    )
    # A key written under another secret (rotated, or lost): the import cannot read it.
    other = OriginalSecrets("some-other-secret")
    await _insert(
        conn,
        "llm_provider_configs",
        config_id="llm_b0",
        user_id=BOB,
        provider="anthropic",
        encrypted_api_key=other.encrypt("sk-ant-bob"),
        is_active=True,
        created_at=at(5),
    )
    await _insert(
        conn,
        "llm_provider_configs",
        config_id="llm_b1",
        user_id=BOB,
        provider="local",
        encrypted_api_key=OriginalSecrets(OLD_SECRET).encrypt("local-key"),
        base_url="http://localhost:11434",
        model_name="llama3",
        is_active=False,
        created_at=at(6),
    )
    proposal = {
        "proposal_id": "prop_b0000000001",
        "field": "problem_statement",
        "proposed_content": "Sign-in takes too long",
        "proposed_at": at(205).isoformat(),
        "target_stage": "problem_confirmed",
    }
    await _insert(
        conn, "epics", epic_id=BOB_EPIC, user_id=BOB, title="Bob's idea", pending_proposal=proposal, created_at=at(200)
    )
    await _insert(conn, "epic_snapshots", epic_id=BOB_EPIC)
    await _insert(
        conn,
        "epic_transcript_events",
        event_id="evt_b00000000001",
        epic_id=BOB_EPIC,
        role="system",
        content="Epic 'Bob's idea' created.",
        stage="problem_capture",
        created_at=at(200),
    )
    await _insert(
        conn,
        "bugs",
        bug_id=BOB_BUG,
        user_id=BOB,
        title="Login slow",
        description="Takes 10 s",
        created_at=at(210),
        updated_at=at(210),
    )
    await _insert(
        conn, "bug_links", link_id="link_b1", bug_id=BOB_BUG, entity_type="epic", entity_id=BOB_EPIC, created_at=at(211)
    )
    await _insert(
        conn,
        "bug_links",
        link_id="link_b2",
        bug_id=BOB_BUG,
        entity_type="feature",
        entity_id=FEATURE_APPROVED,
        created_at=at(211),
    )
    await _insert(
        conn,
        "bug_status_history",
        history_id="hist_b1",
        bug_id=BOB_BUG,
        to_status="draft",
        changed_by=BOB,
        created_at=at(210),
    )


async def _alice_again(conn: asyncpg.Connection) -> None:
    await _insert(conn, "epics", epic_id=OLD_EPIC, user_id=ALICE_AGAIN, title="An old epic", created_at=at(-90000))
