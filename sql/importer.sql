-- Writes of `jarlpm import` into our tables (reading the original is jarlpm/importer/source.py).
-- Each insert keeps the original's public id and does nothing when a row with that id is already
-- here, so a second run skips what the first one wrote (any other conflict is an error). A NULL from
-- the original takes our default. A row that hangs under another owned row is written only when
-- that parent belongs to :user_id (ownership is in the SQL here too).

-- name: account_with_email(email)$
-- The account that already signs in with this email here (whatever its case), if any.
SELECT user_id
  FROM users
 WHERE lower(email) = lower(:email);

-- name: insert_users(user_id, email, name, password_hash, email_verified, picture, created_at, updated_at)$
-- One original users row of :user_id; nothing when its user_id is already here.
INSERT INTO users (
    user_id, email, name, password_hash, email_verified, picture, created_at, updated_at
)
VALUES (
    :user_id,
    :email,
    :name,
    :password_hash,
    COALESCE(:email_verified, false),
    :picture,
    COALESCE(:created_at, now()),
    COALESCE(:updated_at, now())
)
    ON CONFLICT (user_id) DO NOTHING
RETURNING user_id;

-- name: insert_subscriptions(subscription_id, user_id, status, stripe_subscription_id, stripe_customer_id, current_period_start, current_period_end, cancel_at_period_end, billing_cycle, created_at, updated_at)$
-- One original subscriptions row of :user_id; nothing when its subscription_id is already here.
INSERT INTO subscriptions (
    subscription_id, user_id, status, stripe_subscription_id, stripe_customer_id, current_period_start,
    current_period_end, cancel_at_period_end, billing_cycle, created_at, updated_at
)
VALUES (
    :subscription_id,
    :user_id,
    COALESCE(:status, 'inactive'),
    :stripe_subscription_id,
    :stripe_customer_id,
    :current_period_start,
    :current_period_end,
    COALESCE(:cancel_at_period_end, false),
    :billing_cycle,
    COALESCE(:created_at, now()),
    COALESCE(:updated_at, now())
)
    ON CONFLICT (subscription_id) DO NOTHING
RETURNING subscription_id;

-- name: insert_product_delivery_contexts(context_id, user_id, industry, delivery_methodology, sprint_cycle_length, sprint_start_date, num_developers, num_qa, delivery_platform, points_per_dev_per_sprint, quality_mode, created_at, updated_at)$
-- One original product_delivery_contexts row of :user_id; nothing when its context_id is already here.
INSERT INTO product_delivery_contexts (
    context_id, user_id, industry, delivery_methodology, sprint_cycle_length, sprint_start_date,
    num_developers, num_qa, delivery_platform, points_per_dev_per_sprint, quality_mode, created_at, updated_at
)
VALUES (
    :context_id,
    :user_id,
    :industry,
    :delivery_methodology,
    :sprint_cycle_length,
    :sprint_start_date,
    :num_developers,
    :num_qa,
    :delivery_platform,
    COALESCE(:points_per_dev_per_sprint, 8),
    COALESCE(:quality_mode, 'standard'),
    COALESCE(:created_at, now()),
    COALESCE(:updated_at, now())
)
    ON CONFLICT (context_id) DO NOTHING
RETURNING context_id;

-- name: insert_llm_provider_configs(config_id, user_id, provider, encrypted_api_key, base_url, model_name, is_active, created_at, updated_at)$
-- One original llm_provider_configs row of :user_id; nothing when its config_id is already here.
INSERT INTO llm_provider_configs (
    config_id, user_id, provider, encrypted_api_key, base_url, model_name, is_active, created_at, updated_at
)
VALUES (
    :config_id,
    :user_id,
    :provider,
    :encrypted_api_key,
    :base_url,
    :model_name,
    COALESCE(:is_active, false),
    COALESCE(:created_at, now()),
    COALESCE(:updated_at, now())
)
    ON CONFLICT (config_id) DO NOTHING
RETURNING config_id;

-- name: insert_persona_generation_settings(settings_id, user_id, image_provider, image_model, default_persona_count, created_at, updated_at)$
-- One original persona_generation_settings row of :user_id; nothing when its settings_id is already here.
INSERT INTO persona_generation_settings (
    settings_id, user_id, image_provider, image_model, default_persona_count, created_at, updated_at
)
VALUES (
    :settings_id,
    :user_id,
    COALESCE(:image_provider, 'openai'),
    COALESCE(:image_model, 'gpt-image-1'),
    COALESCE(:default_persona_count, 3),
    COALESCE(:created_at, now()),
    COALESCE(:updated_at, now())
)
    ON CONFLICT (settings_id) DO NOTHING
RETURNING settings_id;

-- name: insert_payment_transactions(transaction_id, user_id, stripe_session_id, stripe_payment_id, amount, currency, payment_status, transaction_type, payment_metadata, created_at, updated_at)$
-- One original payment_transactions row of :user_id; nothing when its transaction_id is already here.
INSERT INTO payment_transactions (
    transaction_id, user_id, stripe_session_id, stripe_payment_id, amount, currency, payment_status,
    transaction_type, payment_metadata, created_at, updated_at
)
VALUES (
    :transaction_id,
    :user_id,
    :stripe_session_id,
    :stripe_payment_id,
    :amount,
    COALESCE(:currency, 'usd'),
    COALESCE(:payment_status, 'pending'),
    COALESCE(:transaction_type, 'subscription'),
    :payment_metadata,
    COALESCE(:created_at, now()),
    COALESCE(:updated_at, now())
)
    ON CONFLICT (transaction_id) DO NOTHING
RETURNING transaction_id;

-- name: insert_epics(epic_id, user_id, title, current_stage, is_archived, archived_at, pending_proposal, locked_at, moscow_score, moscow_reasoning, created_at, updated_at)$
-- One original epics row of :user_id; nothing when its epic_id is already here.
INSERT INTO epics (
    epic_id, user_id, title, current_stage, is_archived, archived_at, pending_proposal, locked_at,
    moscow_score, moscow_reasoning, created_at, updated_at
)
VALUES (
    :epic_id,
    :user_id,
    :title,
    COALESCE(:current_stage, 'problem_capture'),
    COALESCE(:is_archived, false),
    :archived_at,
    :pending_proposal,
    :locked_at,
    :moscow_score,
    :moscow_reasoning,
    COALESCE(:created_at, now()),
    COALESCE(:updated_at, now())
)
    ON CONFLICT (epic_id) DO NOTHING
RETURNING epic_id;

-- name: insert_epic_snapshots(epic_id, problem_statement, problem_confirmed_at, desired_outcome, outcome_confirmed_at, epic_summary, acceptance_criteria, epic_details, epic_locked_at, user_id)$
-- One original epic_snapshots row under a parent of :user_id; nothing when its epic_id is already here.
INSERT INTO epic_snapshots (
    epic_id, problem_statement, problem_confirmed_at, desired_outcome, outcome_confirmed_at, epic_summary,
    acceptance_criteria, epic_details, epic_locked_at
)
SELECT
    CAST(:epic_id AS text),
    CAST(:problem_statement AS text),
    CAST(:problem_confirmed_at AS timestamptz),
    CAST(:desired_outcome AS text),
    CAST(:outcome_confirmed_at AS timestamptz),
    CAST(:epic_summary AS text),
    CAST(:acceptance_criteria AS text[]),
    CAST(:epic_details AS jsonb),
    CAST(:epic_locked_at AS timestamptz)
 WHERE EXISTS (
        SELECT 1
          FROM epics AS e
         WHERE e.epic_id = :epic_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (epic_id) DO NOTHING
RETURNING epic_id;

-- name: insert_epic_transcript_events(event_id, epic_id, role, content, stage, event_metadata, created_at, user_id)$
-- One original epic_transcript_events row under a parent of :user_id; nothing when its event_id is already here.
INSERT INTO epic_transcript_events (
    event_id, epic_id, role, content, stage, event_metadata, created_at
)
SELECT
    CAST(:event_id AS text),
    CAST(:epic_id AS text),
    CAST(:role AS text),
    CAST(:content AS text),
    CAST(:stage AS text),
    CAST(:event_metadata AS jsonb),
    COALESCE(CAST(:created_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM epics AS e
         WHERE e.epic_id = :epic_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (event_id) DO NOTHING
RETURNING event_id;

-- name: insert_epic_decisions(decision_id, epic_id, decision_type, from_stage, to_stage, proposal_id, content_snapshot, user_id, created_at)$
-- One original epic_decisions row under a parent of :user_id; nothing when its decision_id is already here.
INSERT INTO epic_decisions (
    decision_id, epic_id, decision_type, from_stage, to_stage, proposal_id, content_snapshot, user_id,
    created_at
)
SELECT
    CAST(:decision_id AS text),
    CAST(:epic_id AS text),
    CAST(:decision_type AS text),
    CAST(:from_stage AS text),
    CAST(:to_stage AS text),
    CAST(:proposal_id AS text),
    CAST(:content_snapshot AS text),
    CAST(:user_id AS text),
    COALESCE(CAST(:created_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM epics AS e
         WHERE e.epic_id = :epic_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (decision_id) DO NOTHING
RETURNING decision_id;

-- name: insert_epic_artifacts(artifact_id, epic_id, artifact_type, title, description, acceptance_criteria, priority, created_at, updated_at, user_id)$
-- One original epic_artifacts row under a parent of :user_id; nothing when its artifact_id is already here.
INSERT INTO epic_artifacts (
    artifact_id, epic_id, artifact_type, title, description, acceptance_criteria, priority, created_at,
    updated_at
)
SELECT
    CAST(:artifact_id AS text),
    CAST(:epic_id AS text),
    CAST(:artifact_type AS text),
    CAST(:title AS text),
    CAST(:description AS text),
    CAST(:acceptance_criteria AS text[]),
    CAST(:priority AS integer),
    COALESCE(CAST(:created_at AS timestamptz), now()),
    COALESCE(CAST(:updated_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM epics AS e
         WHERE e.epic_id = :epic_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (artifact_id) DO NOTHING
RETURNING artifact_id;

-- name: insert_features(feature_id, epic_id, title, description, acceptance_criteria, current_stage, source, priority, moscow_score, moscow_reasoning, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total, rice_reasoning, created_at, updated_at, approved_at, user_id)$
-- One original features row under a parent of :user_id; nothing when its feature_id is already here.
INSERT INTO features (
    feature_id, epic_id, title, description, acceptance_criteria, current_stage, source, priority,
    moscow_score, moscow_reasoning, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total,
    rice_reasoning, created_at, updated_at, approved_at
)
SELECT
    CAST(:feature_id AS text),
    CAST(:epic_id AS text),
    CAST(:title AS text),
    CAST(:description AS text),
    COALESCE(CAST(:acceptance_criteria AS text[]), '{}'::text[]),
    COALESCE(CAST(:current_stage AS text), 'draft'),
    COALESCE(CAST(:source AS text), 'manual'),
    CAST(:priority AS integer),
    CAST(:moscow_score AS text),
    CAST(:moscow_reasoning AS text),
    CAST(:rice_reach AS integer),
    CAST(:rice_impact AS float),
    CAST(:rice_confidence AS float),
    CAST(:rice_effort AS float),
    CAST(:rice_total AS float),
    CAST(:rice_reasoning AS text),
    COALESCE(CAST(:created_at AS timestamptz), now()),
    COALESCE(CAST(:updated_at AS timestamptz), now()),
    CAST(:approved_at AS timestamptz)
 WHERE EXISTS (
        SELECT 1
          FROM epics AS e
         WHERE e.epic_id = :epic_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (feature_id) DO NOTHING
RETURNING feature_id;

-- name: insert_feature_conversation_events(event_id, feature_id, epic_id, role, content, event_metadata, created_at, user_id)$
-- One original feature_conversation_events row under a parent of :user_id; nothing when its event_id is already here.
INSERT INTO feature_conversation_events (
    event_id, feature_id, epic_id, role, content, event_metadata, created_at
)
SELECT
    CAST(:event_id AS text),
    CAST(:feature_id AS text),
    CAST(:epic_id AS text),
    CAST(:role AS text),
    CAST(:content AS text),
    CAST(:event_metadata AS jsonb),
    COALESCE(CAST(:created_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM features AS f
          JOIN epics AS e ON e.epic_id = f.epic_id
         WHERE f.feature_id = :feature_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (event_id) DO NOTHING
RETURNING event_id;

-- name: insert_user_stories(story_id, user_id, feature_id, title, persona, action, benefit, acceptance_criteria, labels, story_priority, dependencies, risks, edge_cases, notes_for_engineering, current_stage, source, story_points, priority, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total, rice_reasoning, sprint_number, status, blocked_reason, created_at, updated_at, approved_at)$
-- One original user_stories row under a parent of :user_id; nothing when its story_id is already here.
INSERT INTO user_stories (
    story_id, user_id, feature_id, title, persona, action, benefit, acceptance_criteria, labels,
    story_priority, dependencies, risks, edge_cases, notes_for_engineering, current_stage, source,
    story_points, priority, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total,
    rice_reasoning, sprint_number, status, blocked_reason, created_at, updated_at, approved_at
)
SELECT
    CAST(:story_id AS text),
    CAST(:user_id AS text),
    CAST(:feature_id AS text),
    CAST(:title AS text),
    CAST(:persona AS text),
    CAST(:action AS text),
    CAST(:benefit AS text),
    COALESCE(CAST(:acceptance_criteria AS text[]), '{}'::text[]),
    COALESCE(CAST(:labels AS text[]), '{}'::text[]),
    CAST(:story_priority AS text),
    COALESCE(CAST(:dependencies AS text[]), '{}'::text[]),
    COALESCE(CAST(:risks AS text[]), '{}'::text[]),
    COALESCE(CAST(:edge_cases AS text[]), '{}'::text[]),
    CAST(:notes_for_engineering AS text),
    COALESCE(CAST(:current_stage AS text), 'draft'),
    COALESCE(CAST(:source AS text), 'manual'),
    CAST(:story_points AS integer),
    CAST(:priority AS integer),
    CAST(:rice_reach AS integer),
    CAST(:rice_impact AS float),
    CAST(:rice_confidence AS float),
    CAST(:rice_effort AS float),
    CAST(:rice_total AS float),
    CAST(:rice_reasoning AS text),
    CAST(:sprint_number AS integer),
    CAST(:status AS text),
    CAST(:blocked_reason AS text),
    COALESCE(CAST(:created_at AS timestamptz), now()),
    COALESCE(CAST(:updated_at AS timestamptz), now()),
    CAST(:approved_at AS timestamptz)
 WHERE CAST(:feature_id AS text) IS NULL  -- standalone stories have no feature
    OR EXISTS (
        SELECT 1
          FROM features AS f
          JOIN epics AS e ON e.epic_id = f.epic_id
         WHERE f.feature_id = :feature_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (story_id) DO NOTHING
RETURNING story_id;

-- name: insert_user_story_conversation_events(event_id, story_id, feature_id, epic_id, role, content, event_metadata, created_at, user_id)$
-- One original user_story_conversation_events row under a parent of :user_id; nothing when its event_id is already here.
INSERT INTO user_story_conversation_events (
    event_id, story_id, feature_id, epic_id, role, content, event_metadata, created_at
)
SELECT
    CAST(:event_id AS text),
    CAST(:story_id AS text),
    CAST(:feature_id AS text),
    CAST(:epic_id AS text),
    CAST(:role AS text),
    CAST(:content AS text),
    CAST(:event_metadata AS jsonb),
    COALESCE(CAST(:created_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM user_stories AS s
         WHERE s.story_id = :story_id
           AND s.user_id = :user_id
    )
    ON CONFLICT (event_id) DO NOTHING
RETURNING event_id;

-- name: insert_poker_estimate_sessions(session_id, story_id, user_id, min_estimate, max_estimate, average_estimate, suggested_estimate, accepted_estimate, accepted_at, created_at)$
-- One original poker_estimate_sessions row under a parent of :user_id; nothing when its session_id is already here.
INSERT INTO poker_estimate_sessions (
    session_id, story_id, user_id, min_estimate, max_estimate, average_estimate, suggested_estimate,
    accepted_estimate, accepted_at, created_at
)
SELECT
    CAST(:session_id AS text),
    CAST(:story_id AS text),
    CAST(:user_id AS text),
    CAST(:min_estimate AS integer),
    CAST(:max_estimate AS integer),
    CAST(:average_estimate AS float),
    CAST(:suggested_estimate AS integer),
    CAST(:accepted_estimate AS integer),
    CAST(:accepted_at AS timestamptz),
    COALESCE(CAST(:created_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM user_stories AS s
         WHERE s.story_id = :story_id
           AND s.user_id = :user_id
    )
    ON CONFLICT (session_id) DO NOTHING
RETURNING session_id;

-- name: insert_poker_persona_estimates(estimate_id, session_id, persona_name, persona_role, estimate_points, reasoning, confidence, created_at, user_id)$
-- One original poker_persona_estimates row under a parent of :user_id; nothing when its estimate_id is already here.
INSERT INTO poker_persona_estimates (
    estimate_id, session_id, persona_name, persona_role, estimate_points, reasoning, confidence, created_at
)
SELECT
    CAST(:estimate_id AS text),
    CAST(:session_id AS text),
    CAST(:persona_name AS text),
    CAST(:persona_role AS text),
    CAST(:estimate_points AS integer),
    CAST(:reasoning AS text),
    CAST(:confidence AS text),
    COALESCE(CAST(:created_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM poker_estimate_sessions AS p
         WHERE p.session_id = :session_id
           AND p.user_id = :user_id
    )
    ON CONFLICT (estimate_id) DO NOTHING
RETURNING estimate_id;

-- name: insert_bugs(bug_id, user_id, title, description, severity, status, steps_to_reproduce, expected_behavior, actual_behavior, environment, assignee_id, priority, due_date, is_deleted, deleted_at, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total, rice_reasoning, created_at, updated_at)$
-- One original bugs row of :user_id; nothing when its bug_id is already here.
INSERT INTO bugs (
    bug_id, user_id, title, description, severity, status, steps_to_reproduce, expected_behavior,
    actual_behavior, environment, assignee_id, priority, due_date, is_deleted, deleted_at, rice_reach,
    rice_impact, rice_confidence, rice_effort, rice_total, rice_reasoning, created_at, updated_at
)
VALUES (
    :bug_id,
    :user_id,
    :title,
    :description,
    COALESCE(:severity, 'medium'),
    COALESCE(:status, 'draft'),
    :steps_to_reproduce,
    :expected_behavior,
    :actual_behavior,
    :environment,
    :assignee_id,
    :priority,
    :due_date,
    COALESCE(:is_deleted, false),
    :deleted_at,
    :rice_reach,
    :rice_impact,
    :rice_confidence,
    :rice_effort,
    :rice_total,
    :rice_reasoning,
    COALESCE(:created_at, now()),
    COALESCE(:updated_at, now())
)
    ON CONFLICT (bug_id) DO NOTHING
RETURNING bug_id;

-- name: insert_bug_links(link_id, bug_id, entity_type, epic_id, feature_id, story_id, created_at, user_id)$
-- One original bug_links row under a parent of :user_id; nothing when its link_id is already here.
INSERT INTO bug_links (
    link_id, bug_id, entity_type, epic_id, feature_id, story_id, created_at
)
SELECT
    CAST(:link_id AS text),
    CAST(:bug_id AS text),
    CAST(:entity_type AS text),
    CAST(:epic_id AS text),
    CAST(:feature_id AS text),
    CAST(:story_id AS text),
    COALESCE(CAST(:created_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM bugs AS b
         WHERE b.bug_id = :bug_id
           AND b.user_id = :user_id
    )
    ON CONFLICT (link_id) DO NOTHING
RETURNING link_id;

-- name: insert_bug_status_history(history_id, bug_id, from_status, to_status, changed_by, notes, created_at, user_id)$
-- One original bug_status_history row under a parent of :user_id; nothing when its history_id is already here.
INSERT INTO bug_status_history (
    history_id, bug_id, from_status, to_status, changed_by, notes, created_at
)
SELECT
    CAST(:history_id AS text),
    CAST(:bug_id AS text),
    CAST(:from_status AS text),
    CAST(:to_status AS text),
    CAST(:changed_by AS text),
    CAST(:notes AS text),
    COALESCE(CAST(:created_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM bugs AS b
         WHERE b.bug_id = :bug_id
           AND b.user_id = :user_id
    )
    ON CONFLICT (history_id) DO NOTHING
RETURNING history_id;

-- name: insert_personas(persona_id, epic_id, user_id, name, role, age_range, location, tech_proficiency, goals_and_motivations, pain_points, key_behaviors, jobs_to_be_done, product_interaction_context, representative_quote, portrait_image_base64, portrait_prompt, source, is_active, created_at, updated_at)$
-- One original personas row under a parent of :user_id; nothing when its persona_id is already here.
INSERT INTO personas (
    persona_id, epic_id, user_id, name, role, age_range, location, tech_proficiency, goals_and_motivations,
    pain_points, key_behaviors, jobs_to_be_done, product_interaction_context, representative_quote,
    portrait_image_base64, portrait_prompt, source, is_active, created_at, updated_at
)
SELECT
    CAST(:persona_id AS text),
    CAST(:epic_id AS text),
    CAST(:user_id AS text),
    CAST(:name AS text),
    CAST(:role AS text),
    CAST(:age_range AS text),
    CAST(:location AS text),
    CAST(:tech_proficiency AS text),
    COALESCE(CAST(:goals_and_motivations AS jsonb), '[]'::jsonb),
    COALESCE(CAST(:pain_points AS jsonb), '[]'::jsonb),
    COALESCE(CAST(:key_behaviors AS jsonb), '[]'::jsonb),
    COALESCE(CAST(:jobs_to_be_done AS jsonb), '[]'::jsonb),
    CAST(:product_interaction_context AS text),
    CAST(:representative_quote AS text),
    CAST(:portrait_image_base64 AS text),
    CAST(:portrait_prompt AS text),
    COALESCE(CAST(:source AS text), 'ai_generated'),
    COALESCE(CAST(:is_active AS boolean), true),
    COALESCE(CAST(:created_at AS timestamptz), now()),
    COALESCE(CAST(:updated_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM epics AS e
         WHERE e.epic_id = :epic_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (persona_id) DO NOTHING
RETURNING persona_id;

-- name: insert_scope_plans(plan_id, epic_id, user_id, name, deferred_story_ids, total_points, deferred_points, remaining_points, notes, is_active, created_at, updated_at)$
-- One original scope_plans row under a parent of :user_id; nothing when its plan_id is already here.
INSERT INTO scope_plans (
    plan_id, epic_id, user_id, name, deferred_story_ids, total_points, deferred_points, remaining_points,
    notes, is_active, created_at, updated_at
)
SELECT
    CAST(:plan_id AS text),
    CAST(:epic_id AS text),
    CAST(:user_id AS text),
    COALESCE(CAST(:name AS text), 'Default Plan'),
    COALESCE(CAST(:deferred_story_ids AS text[]), '{}'::text[]),
    COALESCE(CAST(:total_points AS integer), 0),
    COALESCE(CAST(:deferred_points AS integer), 0),
    COALESCE(CAST(:remaining_points AS integer), 0),
    CAST(:notes AS text),
    COALESCE(CAST(:is_active AS boolean), true),
    COALESCE(CAST(:created_at AS timestamptz), now()),
    COALESCE(CAST(:updated_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM epics AS e
         WHERE e.epic_id = :epic_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (plan_id) DO NOTHING
RETURNING plan_id;

-- name: insert_lean_canvases(canvas_id, epic_id, user_id, problem, solution, unique_value, unfair_advantage, customer_segments, key_metrics, channels, cost_structure, revenue_streams, source, created_at, updated_at)$
-- One original lean_canvases row under a parent of :user_id; nothing when its canvas_id is already here.
INSERT INTO lean_canvases (
    canvas_id, epic_id, user_id, problem, solution, unique_value, unfair_advantage, customer_segments,
    key_metrics, channels, cost_structure, revenue_streams, source, created_at, updated_at
)
SELECT
    CAST(:canvas_id AS text),
    CAST(:epic_id AS text),
    CAST(:user_id AS text),
    CAST(:problem AS text),
    CAST(:solution AS text),
    CAST(:unique_value AS text),
    CAST(:unfair_advantage AS text),
    CAST(:customer_segments AS text),
    CAST(:key_metrics AS text),
    CAST(:channels AS text),
    CAST(:cost_structure AS text),
    CAST(:revenue_streams AS text),
    COALESCE(CAST(:source AS text), 'manual'),
    COALESCE(CAST(:created_at AS timestamptz), now()),
    COALESCE(CAST(:updated_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM epics AS e
         WHERE e.epic_id = :epic_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (canvas_id) DO NOTHING
RETURNING canvas_id;

-- name: insert_prd_documents(prd_id, epic_id, user_id, title, sections, source, version, status, created_at, updated_at)$
-- One original prd_documents row under a parent of :user_id; nothing when its prd_id is already here.
INSERT INTO prd_documents (
    prd_id, epic_id, user_id, title, sections, source, version, status, created_at, updated_at
)
SELECT
    CAST(:prd_id AS text),
    CAST(:epic_id AS text),
    CAST(:user_id AS text),
    CAST(:title AS text),
    CAST(:sections AS jsonb),
    CAST(:source AS text),
    COALESCE(CAST(:version AS text), '1.0'),
    COALESCE(CAST(:status AS text), 'draft'),
    COALESCE(CAST(:created_at AS timestamptz), now()),
    COALESCE(CAST(:updated_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM epics AS e
         WHERE e.epic_id = :epic_id
           AND e.user_id = :user_id
    )
    ON CONFLICT (prd_id) DO NOTHING
RETURNING prd_id;

-- name: insert_sprint_insights(insight_id, user_id, sprint_number, insight_type, content, generated_at, created_at)$
-- One original sprint_insights row of :user_id; nothing when its insight_id is already here.
INSERT INTO sprint_insights (
    insight_id, user_id, sprint_number, insight_type, content, generated_at, created_at
)
VALUES (
    :insight_id,
    :user_id,
    :sprint_number,
    :insight_type,
    :content,
    COALESCE(:generated_at, now()),
    COALESCE(:created_at, now())
)
    ON CONFLICT (insight_id) DO NOTHING
RETURNING insight_id;

-- name: insert_external_integrations(integration_id, user_id, provider, status, status_reason, external_account_id, external_account_name, access_token_encrypted, refresh_token_encrypted, token_expires_at, pat_encrypted, org_url, scopes, default_team_id, default_team_name, default_project_id, default_project_name, field_mappings, connected_at, created_at, updated_at)$
-- One original external_integrations row of :user_id; nothing when its integration_id is already here.
INSERT INTO external_integrations (
    integration_id, user_id, provider, status, status_reason, external_account_id, external_account_name,
    access_token_encrypted, refresh_token_encrypted, token_expires_at, pat_encrypted, org_url, scopes,
    default_team_id, default_team_name, default_project_id, default_project_name, field_mappings,
    connected_at, created_at, updated_at
)
VALUES (
    :integration_id,
    :user_id,
    :provider,
    COALESCE(:status, 'disconnected'),
    :status_reason,
    :external_account_id,
    :external_account_name,
    :access_token_encrypted,
    :refresh_token_encrypted,
    :token_expires_at,
    :pat_encrypted,
    :org_url,
    :scopes,
    :default_team_id,
    :default_team_name,
    :default_project_id,
    :default_project_name,
    :field_mappings,
    :connected_at,
    COALESCE(:created_at, now()),
    COALESCE(:updated_at, now())
)
    ON CONFLICT (integration_id) DO NOTHING
RETURNING integration_id;

-- name: insert_external_push_mappings(mapping_id, user_id, integration_id, provider, entity_type, entity_id, external_type, external_id, external_key, external_url, project_id, team_id, last_pushed_at, last_push_hash, created_at, updated_at)$
-- One original external_push_mappings row under a parent of :user_id; nothing when its mapping_id is already here.
INSERT INTO external_push_mappings (
    mapping_id, user_id, integration_id, provider, entity_type, entity_id, external_type, external_id,
    external_key, external_url, project_id, team_id, last_pushed_at, last_push_hash, created_at, updated_at
)
SELECT
    CAST(:mapping_id AS text),
    CAST(:user_id AS text),
    CAST(:integration_id AS text),
    CAST(:provider AS text),
    CAST(:entity_type AS text),
    CAST(:entity_id AS text),
    CAST(:external_type AS text),
    CAST(:external_id AS text),
    CAST(:external_key AS text),
    CAST(:external_url AS text),
    CAST(:project_id AS text),
    CAST(:team_id AS text),
    CAST(:last_pushed_at AS timestamptz),
    CAST(:last_push_hash AS text),
    COALESCE(CAST(:created_at AS timestamptz), now()),
    COALESCE(CAST(:updated_at AS timestamptz), now())
 WHERE EXISTS (
        SELECT 1
          FROM external_integrations AS i
         WHERE i.integration_id = :integration_id
           AND i.user_id = :user_id
    )
    ON CONFLICT (mapping_id) DO NOTHING
RETURNING mapping_id;

-- name: insert_external_push_runs(run_id, user_id, integration_id, provider, started_at, ended_at, status, epic_id, push_scope, include_bugs, is_dry_run, summary_json, error_json, created_at)$
-- One original external_push_runs row under a parent of :user_id; nothing when its run_id is already here.
INSERT INTO external_push_runs (
    run_id, user_id, integration_id, provider, started_at, ended_at, status, epic_id, push_scope,
    include_bugs, is_dry_run, summary_json, error_json, created_at
)
SELECT
    CAST(:run_id AS text),
    CAST(:user_id AS text),
    CAST(:integration_id AS text),
    CAST(:provider AS text),
    CAST(:started_at AS timestamptz),
    CAST(:ended_at AS timestamptz),
    CAST(:status AS text),
    CAST(:epic_id AS text),
    CAST(:push_scope AS text),
    COALESCE(CAST(:include_bugs AS boolean), false),
    COALESCE(CAST(:is_dry_run AS boolean), false),
    CAST(:summary_json AS jsonb),
    CAST(:error_json AS jsonb),
    COALESCE(CAST(:created_at AS timestamptz), now())
 WHERE CAST(:integration_id AS text) IS NULL  -- a run may name no integration
    OR EXISTS (
        SELECT 1
          FROM external_integrations AS i
         WHERE i.integration_id = :integration_id
           AND i.user_id = :user_id
    )
    ON CONFLICT (run_id) DO NOTHING
RETURNING run_id;
