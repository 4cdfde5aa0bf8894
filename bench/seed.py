"""A realistic data set, written with set-based SQL so seeding 200 users takes seconds.

Every user: a session token `bench-token-<n>`, an active subscription, a delivery context, an active
OpenAI configuration (the fake's key), and EPICS_PER_USER locked epics, each with a snapshot, a six-event
transcript, three features and two stories per feature.
"""

from __future__ import annotations

import asyncpg

from jarlpm.crypto import encrypt
from jarlpm.db.pool import init_connection
from jarlpm.db.urls import connect_target
from tests.fakes.llm_server import VALID_KEY

EPICS_PER_USER = 20

SEED = """
INSERT INTO users (user_id, email, name, email_verified)
SELECT 'user_b' || lpad(n::text, 6, '0'), 'bench' || n || '@jarlpm.dev', 'Bench user ' || n, true
  FROM generate_series(1, {users:d}) AS n;

INSERT INTO user_sessions (session_id, user_id, token_hash, expires_at)
SELECT 'sess_b' || lpad(n::text, 6, '0'), 'user_b' || lpad(n::text, 6, '0'),
       encode(sha256(convert_to('bench-token-' || n, 'UTF8')), 'hex'), now() + interval '7 days'
  FROM generate_series(1, {users:d}) AS n;

INSERT INTO subscriptions (subscription_id, user_id, status, current_period_end)
SELECT 'sub_b' || lpad(n::text, 6, '0'), 'user_b' || lpad(n::text, 6, '0'), 'active', now() + interval '1 year'
  FROM generate_series(1, {users:d}) AS n;

INSERT INTO product_delivery_contexts (context_id, user_id, industry, delivery_methodology, sprint_cycle_length,
                                       num_developers, num_qa, delivery_platform)
SELECT 'ctx_b' || lpad(n::text, 6, '0'), 'user_b' || lpad(n::text, 6, '0'), 'Healthcare', 'scrum', 14, 5, 2, 'jira'
  FROM generate_series(1, {users:d}) AS n;

INSERT INTO llm_provider_configs (config_id, user_id, provider, encrypted_api_key, is_active)
SELECT 'llm_b' || lpad(n::text, 6, '0'), 'user_b' || lpad(n::text, 6, '0'), 'openai', $1::text, true
  FROM generate_series(1, {users:d}) AS n;

INSERT INTO epics (epic_id, user_id, title, current_stage, locked_at, created_at, updated_at)
SELECT 'epic_b' || lpad(n::text, 6, '0') || '_' || e, 'user_b' || lpad(n::text, 6, '0'),
       'Bench epic ' || e || ' of user ' || n, 'epic_locked', now(),
       now() - (e || ' hours')::interval, now() - (e || ' hours')::interval
  FROM generate_series(1, {users:d}) AS n, generate_series(1, {epics:d}) AS e;

INSERT INTO epic_snapshots (epic_id, problem_statement, problem_confirmed_at, desired_outcome, outcome_confirmed_at,
                            epic_summary, acceptance_criteria, epic_details, epic_locked_at)
SELECT epic_id, 'Problem of ' || title, now(), 'Outcome of ' || title, now(), 'Summary of ' || title,
       ARRAY['Criterion one', 'Criterion two', 'Criterion three'],
       '{{"in_scope": ["A"], "out_of_scope": ["B"], "dependencies": [], "assumptions": []}}'::jsonb, now()
  FROM epics;

INSERT INTO epic_transcript_events (event_id, epic_id, role, content, stage)
SELECT 'evt_b' || md5(epic_id || k), epic_id,
       CASE WHEN k = 1 THEN 'system' WHEN k % 2 = 0 THEN 'user' ELSE 'assistant' END,
       repeat('A sentence of conversation. ', 12), 'problem_capture'
  FROM epics, generate_series(1, 6) AS k;

INSERT INTO features (feature_id, epic_id, title, description, acceptance_criteria, current_stage, approved_at)
SELECT 'feat_b' || md5(epic_id || f), epic_id, 'Feature ' || f, 'What feature ' || f || ' does.',
       ARRAY['It works', 'It is fast'], 'approved', now()
  FROM epics, generate_series(1, 3) AS f;

INSERT INTO user_stories (story_id, user_id, feature_id, persona, action, benefit, acceptance_criteria)
SELECT 'story_b' || md5(f.feature_id || s), e.user_id, f.feature_id, 'nurse', 'do thing ' || s, 'it helps',
       ARRAY['Given a When b Then c']
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id, generate_series(1, 2) AS s;

ANALYZE;
"""


def token(user_number: int) -> str:
    return f"bench-token-{user_number}"


def user_epic(user_number: int, epic_number: int = 1) -> str:
    return f"epic_b{user_number:06d}_{epic_number}"


async def seed(database_url: str, *, users: int, encryption_key: str) -> None:
    target = connect_target(database_url)
    conn = await asyncpg.connect(target.dsn, ssl=target.ssl)
    await init_connection(conn)
    try:
        async with conn.transaction():
            # asyncpg's prepared path takes one statement at a time.
            # asyncpg's prepared path takes one statement at a time; the counts are formatted in as integers.
            script = SEED.format(users=users, epics=EPICS_PER_USER)
            for statement in filter(None, (part.strip() for part in script.split(";\n"))):
                args = [encrypt(encryption_key, VALID_KEY)] if "$1" in statement else []
                await conn.execute(statement, *args)
    finally:
        await conn.close()
