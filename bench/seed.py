"""A realistic data set, written with set-based SQL so seeding 200 users takes seconds.

Every user: a session token `bench-token-<n>`, an active subscription, a delivery context (a team of one
to three developers), an active OpenAI configuration (the fake's key), and EPICS_PER_USER epics created
three days apart, each with a snapshot, a six-event transcript, three features and two estimated,
prioritised stories per feature. Epics 3, 8, 13, 18 are drafted and 4, 9, 14, 19 in outcome capture; the
rest are locked (a day after creation); 10 and 20 are archived, and 5 was archived and restored (with
their activity rows). So the dashboard and the library have real work: initiatives over and under
capacity, locks inside and outside the last 30 days, a focus list, archived rows to filter out.
"""

from __future__ import annotations

from jarlpm.crypto import encrypt
from jarlpm.db.pool import init_connection
from jarlpm.db.urls import connect
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
SELECT 'ctx_b' || lpad(n::text, 6, '0'), 'user_b' || lpad(n::text, 6, '0'), 'Healthcare', 'scrum', 14, 1 + n % 3, 2,
       'jira'
  FROM generate_series(1, {users:d}) AS n;

INSERT INTO llm_provider_configs (config_id, user_id, provider, encrypted_api_key, is_active)
SELECT 'llm_b' || lpad(n::text, 6, '0'), 'user_b' || lpad(n::text, 6, '0'), 'openai', $1::text, true
  FROM generate_series(1, {users:d}) AS n;

INSERT INTO epics (epic_id, user_id, title, current_stage, locked_at, is_archived, archived_at, created_at,
                   updated_at)
SELECT 'epic_b' || lpad(n::text, 6, '0') || '_' || e, 'user_b' || lpad(n::text, 6, '0'),
       'Bench epic ' || e || ' of user ' || n, stage,
       CASE WHEN stage = 'epic_locked' THEN created + interval '1 day' END,
       e % 10 = 0, CASE WHEN e % 10 = 0 THEN created + interval '2 days' END, created, created + interval '2 days'
  FROM generate_series(1, {users:d}) AS n, generate_series(1, {epics:d}) AS e,
       LATERAL (SELECT now() - make_interval(days => 3 * e) AS created,
                       CASE e % 5 WHEN 3 THEN 'epic_drafted' WHEN 4 THEN 'outcome_capture' ELSE 'epic_locked' END
                           AS stage) AS shape;

INSERT INTO initiative_activity (activity_id, user_id, epic_id, event_type, created_at)
SELECT 'act_b' || md5(epic_id || 'archived'), user_id, epic_id, 'archived', created_at + interval '2 days'
  FROM epics
 WHERE split_part(epic_id, '_', 3) IN ('5', '10', '20')
UNION ALL
SELECT 'act_b' || md5(epic_id || 'restored'), user_id, epic_id, 'restored', created_at + interval '3 days'
  FROM epics
 WHERE split_part(epic_id, '_', 3) = '5';

INSERT INTO epic_snapshots (epic_id, problem_statement, problem_confirmed_at, desired_outcome, outcome_confirmed_at,
                            epic_summary, acceptance_criteria, epic_details, epic_locked_at)
SELECT epic_id, 'Problem of ' || title, created_at, 'Outcome of ' || title,
       CASE WHEN current_stage <> 'outcome_capture' THEN created_at END, 'Summary of ' || title,
       ARRAY['Criterion one', 'Criterion two', 'Criterion three'],
       '{{"in_scope": ["A"], "out_of_scope": ["B"], "dependencies": [], "assumptions": []}}'::jsonb, locked_at
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

INSERT INTO user_stories (story_id, user_id, feature_id, persona, action, benefit, acceptance_criteria,
                          story_points, story_priority)
SELECT 'story_b' || md5(f.feature_id || s), e.user_id, f.feature_id, 'nurse', 'do thing ' || s, 'it helps',
       ARRAY['Given a When b Then c'],
       (ARRAY[1, 2, 3, 5, 8, 13])[1 + ((hashtext(f.feature_id) & 1023) + s) % 6],
       (ARRAY['must-have', 'should-have', 'nice-to-have'])[1 + ((hashtext(f.feature_id) & 1023) + s) % 3]
  FROM features AS f
  JOIN epics AS e ON e.epic_id = f.epic_id, generate_series(1, 2) AS s;

ANALYZE;
"""


def token(user_number: int) -> str:
    return f"bench-token-{user_number}"


def user_epic(user_number: int, epic_number: int = 1) -> str:
    return f"epic_b{user_number:06d}_{epic_number}"


async def seed(database_url: str, *, users: int, encryption_key: str) -> None:
    conn = await connect(database_url)
    await init_connection(conn)
    try:
        async with conn.transaction():
            # asyncpg's prepared path takes one statement at a time; the counts are formatted in as integers.
            script = SEED.format(users=users, epics=EPICS_PER_USER)
            for statement in filter(None, (part.strip() for part in script.split(";\n"))):
                args = [encrypt(encryption_key, VALID_KEY)] if "$1" in statement else []
                await conn.execute(statement, *args)
    finally:
        await conn.close()
