-- The ORIGINAL JarlPM schema, written from reference section 2.2 (the ORM), as a database built by
-- create_all plus its ad-hoc scripts looks, with the original's quirks: serial ids beside public ids,
-- nullable timestamps without defaults, JSON (not JSONB), enums as plain strings, no FK from
-- bug links, and a broken Alembic state. Only what the import reads is here (no analytics tables).
-- Left out on purpose, as in databases that never ran the ad-hoc script: product_delivery_contexts.quality_mode.

CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('f8fd07732cde');  -- the revision that cannot run: the state is a lie

CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    user_id VARCHAR(50) NOT NULL UNIQUE,
    email VARCHAR(255) NOT NULL UNIQUE,
    name VARCHAR(255) NOT NULL,
    password_hash VARCHAR(255),
    email_verified BOOLEAN NOT NULL DEFAULT false,
    picture VARCHAR(500),
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE user_sessions (
    id SERIAL PRIMARY KEY,
    session_id VARCHAR(100) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    session_token VARCHAR(500) NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ
);

CREATE TABLE verification_tokens (
    id SERIAL PRIMARY KEY,
    token_id VARCHAR(100) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    token VARCHAR(255) NOT NULL UNIQUE,
    token_type VARCHAR(50) NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ
);

CREATE TABLE subscriptions (
    id SERIAL PRIMARY KEY,
    subscription_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL UNIQUE REFERENCES users (user_id) ON DELETE CASCADE,
    status VARCHAR(50) NOT NULL DEFAULT 'inactive',
    stripe_subscription_id VARCHAR(255),
    stripe_customer_id VARCHAR(255),
    current_period_start TIMESTAMPTZ,
    current_period_end TIMESTAMPTZ,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE payment_transactions (
    id SERIAL PRIMARY KEY,
    transaction_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    stripe_session_id VARCHAR(255) NOT NULL UNIQUE,
    stripe_payment_id VARCHAR(255),
    amount FLOAT NOT NULL,
    currency VARCHAR(10) NOT NULL DEFAULT 'usd',
    payment_status VARCHAR(50) NOT NULL DEFAULT 'pending',
    transaction_type VARCHAR(50) NOT NULL DEFAULT 'subscription',
    payment_metadata JSON,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE llm_provider_configs (
    id SERIAL PRIMARY KEY,
    config_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    provider VARCHAR(50) NOT NULL,
    encrypted_api_key TEXT NOT NULL,
    base_url VARCHAR(500),
    model_name VARCHAR(100),
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    CONSTRAINT uq_user_provider UNIQUE (user_id, provider)
);

CREATE TABLE product_delivery_contexts (
    id SERIAL PRIMARY KEY,
    context_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL UNIQUE REFERENCES users (user_id) ON DELETE CASCADE,
    industry VARCHAR(500),
    delivery_methodology VARCHAR(50),
    sprint_cycle_length INTEGER,
    sprint_start_date TIMESTAMPTZ,
    num_developers INTEGER,
    num_qa INTEGER,
    delivery_platform VARCHAR(50),
    points_per_dev_per_sprint INTEGER DEFAULT 8,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE epics (
    id SERIAL PRIMARY KEY,
    epic_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    title VARCHAR(500) NOT NULL,
    current_stage VARCHAR(50) NOT NULL DEFAULT 'problem_capture',
    is_archived BOOLEAN NOT NULL DEFAULT false,
    archived_at TIMESTAMPTZ,
    pending_proposal JSON,
    lock_confirmed_at TIMESTAMPTZ,
    lock_confirmed_by VARCHAR(50),
    lock_confirmation_hash VARCHAR(255),
    locked_at TIMESTAMPTZ,
    locked_by VARCHAR(50),
    moscow_score VARCHAR(50),
    moscow_reasoning TEXT,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    CONSTRAINT ck_valid_stage CHECK (current_stage IN ('problem_capture', 'problem_confirmed', 'outcome_capture',
                                                        'outcome_confirmed', 'epic_drafted', 'epic_locked'))
);

CREATE TABLE epic_snapshots (
    id SERIAL PRIMARY KEY,
    epic_id VARCHAR(50) UNIQUE REFERENCES epics (epic_id) ON DELETE CASCADE,
    problem_statement TEXT,
    problem_confirmed_at TIMESTAMPTZ,
    desired_outcome TEXT,
    outcome_confirmed_at TIMESTAMPTZ,
    epic_summary TEXT,
    acceptance_criteria TEXT[],
    epic_locked_at TIMESTAMPTZ
);

CREATE TABLE epic_transcript_events (
    id SERIAL PRIMARY KEY,
    event_id VARCHAR(50) NOT NULL UNIQUE,
    epic_id VARCHAR(50) NOT NULL REFERENCES epics (epic_id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content TEXT NOT NULL,
    stage VARCHAR(50) NOT NULL,
    event_metadata JSON,
    created_at TIMESTAMPTZ
);

CREATE TABLE epic_decisions (
    id SERIAL PRIMARY KEY,
    decision_id VARCHAR(50) NOT NULL UNIQUE,
    epic_id VARCHAR(50) NOT NULL REFERENCES epics (epic_id) ON DELETE CASCADE,
    decision_type VARCHAR(50) NOT NULL,
    from_stage VARCHAR(50) NOT NULL,
    to_stage VARCHAR(50),
    proposal_id VARCHAR(50),
    content_snapshot TEXT,
    user_id VARCHAR(50) NOT NULL,
    created_at TIMESTAMPTZ
);

CREATE TABLE epic_artifacts (
    id SERIAL PRIMARY KEY,
    artifact_id VARCHAR(50) NOT NULL UNIQUE,
    epic_id VARCHAR(50) NOT NULL REFERENCES epics (epic_id) ON DELETE CASCADE,
    artifact_type VARCHAR(50) NOT NULL,
    title VARCHAR(500) NOT NULL,
    description TEXT NOT NULL,
    acceptance_criteria TEXT[],
    priority INTEGER,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE features (
    id SERIAL PRIMARY KEY,
    feature_id VARCHAR(50) NOT NULL UNIQUE,
    epic_id VARCHAR(50) NOT NULL REFERENCES epics (epic_id) ON DELETE CASCADE,
    title VARCHAR(500) NOT NULL,
    description TEXT NOT NULL,
    acceptance_criteria TEXT[],
    current_stage VARCHAR(50) NOT NULL DEFAULT 'draft' CHECK (current_stage IN ('draft', 'refining', 'approved')),
    source VARCHAR(50) NOT NULL DEFAULT 'ai_generated',
    priority INTEGER,
    moscow_score VARCHAR(50),
    moscow_reasoning TEXT,
    rice_reach INTEGER, rice_impact FLOAT, rice_confidence FLOAT, rice_effort FLOAT, rice_total FLOAT,
    rice_reasoning TEXT,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    approved_at TIMESTAMPTZ
);

CREATE TABLE feature_conversation_events (
    id SERIAL PRIMARY KEY,
    event_id VARCHAR(50) NOT NULL UNIQUE,
    feature_id VARCHAR(50) NOT NULL REFERENCES features (feature_id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content TEXT NOT NULL,
    event_metadata JSON,
    created_at TIMESTAMPTZ
);

CREATE TABLE user_stories (
    id SERIAL PRIMARY KEY,
    story_id VARCHAR(50) NOT NULL UNIQUE,
    feature_id VARCHAR(50) REFERENCES features (feature_id) ON DELETE CASCADE,
    user_id VARCHAR(50),
    persona VARCHAR(200) NOT NULL,
    action TEXT NOT NULL,
    benefit TEXT NOT NULL,
    story_text TEXT NOT NULL,
    title VARCHAR(500),
    acceptance_criteria TEXT[],
    labels TEXT[] DEFAULT '{}',
    story_priority VARCHAR(50),
    dependencies TEXT[] DEFAULT '{}',
    risks TEXT[] DEFAULT '{}',
    edge_cases TEXT[],
    notes_for_engineering TEXT,
    current_stage VARCHAR(50) NOT NULL DEFAULT 'draft' CHECK (current_stage IN ('draft', 'refining', 'approved')),
    source VARCHAR(50) NOT NULL DEFAULT 'ai_generated',
    story_points INTEGER,
    priority INTEGER,
    rice_reach INTEGER, rice_impact FLOAT, rice_confidence FLOAT, rice_effort FLOAT, rice_total FLOAT,
    rice_reasoning TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    parent_story_id VARCHAR(50),
    is_frozen BOOLEAN NOT NULL DEFAULT false,
    is_standalone BOOLEAN NOT NULL DEFAULT false,
    sprint_number INTEGER,
    status VARCHAR(50),
    blocked_reason TEXT,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    approved_at TIMESTAMPTZ
);

CREATE TABLE user_story_conversation_events (
    id SERIAL PRIMARY KEY,
    event_id VARCHAR(50) NOT NULL UNIQUE,
    story_id VARCHAR(50) NOT NULL REFERENCES user_stories (story_id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content TEXT NOT NULL,
    event_metadata JSON,
    created_at TIMESTAMPTZ
);

CREATE TABLE poker_estimate_sessions (
    id SERIAL PRIMARY KEY,
    session_id VARCHAR(50) NOT NULL UNIQUE,
    story_id VARCHAR(50) NOT NULL REFERENCES user_stories (story_id) ON DELETE CASCADE,
    user_id VARCHAR(50) NOT NULL,
    min_estimate INTEGER, max_estimate INTEGER, average_estimate FLOAT, suggested_estimate INTEGER,
    accepted_estimate INTEGER,
    accepted_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT now()
);

CREATE TABLE poker_persona_estimates (
    id SERIAL PRIMARY KEY,
    estimate_id VARCHAR(50) NOT NULL UNIQUE,
    session_id VARCHAR(50) NOT NULL REFERENCES poker_estimate_sessions (session_id) ON DELETE CASCADE,
    persona_name VARCHAR(100) NOT NULL,
    persona_role VARCHAR(100) NOT NULL,
    estimate_points INTEGER NOT NULL,
    reasoning TEXT NOT NULL,
    confidence VARCHAR(20),
    created_at TIMESTAMPTZ
);

CREATE TABLE bugs (
    id SERIAL PRIMARY KEY,
    bug_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    title VARCHAR(500) NOT NULL,
    description TEXT NOT NULL,
    severity VARCHAR(50) NOT NULL DEFAULT 'medium',
    status VARCHAR(50) NOT NULL DEFAULT 'draft',
    steps_to_reproduce TEXT, expected_behavior TEXT, actual_behavior TEXT,
    environment VARCHAR(500),
    assignee_id VARCHAR(50),
    priority VARCHAR(50),
    due_date TIMESTAMPTZ,
    is_deleted BOOLEAN NOT NULL DEFAULT false,
    deleted_at TIMESTAMPTZ,
    rice_reach INTEGER, rice_impact FLOAT, rice_confidence FLOAT, rice_effort FLOAT, rice_total FLOAT,
    rice_reasoning TEXT,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE bug_links (
    id SERIAL PRIMARY KEY,
    link_id VARCHAR(50) NOT NULL UNIQUE,
    bug_id VARCHAR(50) NOT NULL REFERENCES bugs (bug_id) ON DELETE CASCADE,
    entity_type VARCHAR(50) NOT NULL,
    entity_id VARCHAR(50) NOT NULL,  -- polymorphic: no foreign key, existence never checked
    created_at TIMESTAMPTZ,
    CONSTRAINT uq_bug_entity_link UNIQUE (bug_id, entity_type, entity_id)
);

CREATE TABLE bug_status_history (
    id SERIAL PRIMARY KEY,
    history_id VARCHAR(50) NOT NULL UNIQUE,
    bug_id VARCHAR(50) NOT NULL REFERENCES bugs (bug_id) ON DELETE CASCADE,
    from_status VARCHAR(50),
    to_status VARCHAR(50) NOT NULL,
    changed_by VARCHAR(50) NOT NULL,
    notes TEXT,
    created_at TIMESTAMPTZ
);

CREATE TABLE bug_conversation_events (
    id SERIAL PRIMARY KEY,
    event_id VARCHAR(50) NOT NULL UNIQUE,
    bug_id VARCHAR(50) NOT NULL REFERENCES bugs (bug_id) ON DELETE CASCADE,
    role VARCHAR(50) NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMPTZ
);

CREATE TABLE personas (
    persona_id VARCHAR PRIMARY KEY,
    epic_id VARCHAR NOT NULL REFERENCES epics (epic_id) ON DELETE CASCADE,
    user_id VARCHAR NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    role VARCHAR(200) NOT NULL,
    age_range VARCHAR(50), location VARCHAR(200), tech_proficiency VARCHAR(50),
    goals_and_motivations JSON, pain_points JSON, key_behaviors JSON, jobs_to_be_done JSON,
    product_interaction_context TEXT,
    representative_quote TEXT,
    portrait_image_base64 TEXT,
    portrait_prompt TEXT,
    source VARCHAR(20) DEFAULT 'ai_generated',
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMP,  -- the initial migration dropped the time zone
    updated_at TIMESTAMP
);

CREATE TABLE persona_generation_settings (
    settings_id VARCHAR PRIMARY KEY,
    user_id VARCHAR NOT NULL UNIQUE REFERENCES users (user_id) ON DELETE CASCADE,
    image_provider VARCHAR(50) DEFAULT 'openai',
    image_model VARCHAR(100) DEFAULT 'gpt-image-1',
    default_persona_count INTEGER DEFAULT 3,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE scope_plans (
    id SERIAL PRIMARY KEY,
    plan_id VARCHAR(50) NOT NULL UNIQUE,
    epic_id VARCHAR(50) NOT NULL REFERENCES epics (epic_id) ON DELETE CASCADE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL DEFAULT 'Default Plan',
    deferred_story_ids TEXT[],
    total_points INTEGER NOT NULL DEFAULT 0,
    deferred_points INTEGER NOT NULL DEFAULT 0,
    remaining_points INTEGER NOT NULL DEFAULT 0,
    notes TEXT,
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE lean_canvases (
    id SERIAL PRIMARY KEY,
    canvas_id VARCHAR(50) NOT NULL UNIQUE,
    epic_id VARCHAR(50) NOT NULL REFERENCES epics (epic_id) ON DELETE CASCADE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    problem TEXT, solution TEXT, unique_value TEXT, unfair_advantage TEXT, customer_segments TEXT,
    key_metrics TEXT, channels TEXT, cost_structure TEXT, revenue_streams TEXT,
    source VARCHAR(50) NOT NULL DEFAULT 'manual',
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    CONSTRAINT uq_lean_canvas_epic UNIQUE (epic_id)
);

CREATE TABLE prd_documents (
    id SERIAL PRIMARY KEY,
    prd_id VARCHAR(50) NOT NULL UNIQUE,
    epic_id VARCHAR(50) NOT NULL REFERENCES epics (epic_id) ON DELETE CASCADE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    title VARCHAR(500),
    sections JSON,
    source VARCHAR(50),
    generation_context JSON,
    version VARCHAR(50) NOT NULL DEFAULT '1.0',
    status VARCHAR(50) NOT NULL DEFAULT 'draft',
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    CONSTRAINT uq_prd_epic UNIQUE (epic_id)
);

CREATE TABLE sprint_insights (
    id SERIAL PRIMARY KEY,
    insight_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    sprint_number INTEGER NOT NULL,
    insight_type VARCHAR(50) NOT NULL,
    content JSON NOT NULL,
    generated_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE external_integrations (
    id SERIAL PRIMARY KEY,
    integration_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    provider VARCHAR(50) NOT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'disconnected',
    external_account_id VARCHAR(255), external_account_name VARCHAR(255),
    access_token_encrypted TEXT, refresh_token_encrypted TEXT,
    token_expires_at TIMESTAMPTZ,
    pat_encrypted TEXT,
    org_url VARCHAR(500),
    scopes JSON,
    default_team_id VARCHAR(255), default_team_name VARCHAR(255),
    default_project_id VARCHAR(255), default_project_name VARCHAR(255),
    field_mappings JSON,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT uq_user_provider_integration UNIQUE (user_id, provider)
);

CREATE TABLE external_push_mappings (
    id SERIAL PRIMARY KEY,
    mapping_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    integration_id VARCHAR(50) NOT NULL REFERENCES external_integrations (integration_id) ON DELETE CASCADE,
    provider VARCHAR(50) NOT NULL,
    entity_type VARCHAR(50) NOT NULL,
    entity_id VARCHAR(50) NOT NULL,
    external_type VARCHAR(100) NOT NULL,
    external_id VARCHAR(255) NOT NULL,
    external_key VARCHAR(100),
    external_url VARCHAR(500),
    project_id VARCHAR(255), team_id VARCHAR(255),
    last_pushed_at TIMESTAMPTZ NOT NULL,
    last_push_hash VARCHAR(64),
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    CONSTRAINT uq_user_provider_entity UNIQUE (user_id, provider, entity_type, entity_id)
);

CREATE TABLE external_push_runs (
    id SERIAL PRIMARY KEY,
    run_id VARCHAR(50) NOT NULL UNIQUE,
    user_id VARCHAR(50) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    integration_id VARCHAR(50) REFERENCES external_integrations (integration_id) ON DELETE CASCADE,
    provider VARCHAR(50) NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    status VARCHAR(50) NOT NULL DEFAULT 'success',
    epic_id VARCHAR(50),
    push_scope VARCHAR(50),
    include_bugs BOOLEAN NOT NULL DEFAULT false,
    is_dry_run BOOLEAN NOT NULL DEFAULT false,
    summary_json JSON,
    error_json JSON,
    created_at TIMESTAMPTZ
);
