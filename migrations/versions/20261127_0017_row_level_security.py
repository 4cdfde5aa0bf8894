"""row-level security: every table of a user's data shows and takes only the acting user's rows

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 22:00:00

The second wall under the owner in every WHERE (issue 2.12). Each transaction of the service names
who acts, transaction-locally (jarlpm/db/scope.py), in the round trip of its BEGIN:

- `jarlpm.user_id`: the acting user, when known;
- `jarlpm.session`: the SHA-256 of the caller's session token, before the user is known; the acting
  user is then the session's (unexpired) owner, so a request's first statement may already read the
  caller's rows;
- `jarlpm.cross_user`: the name of a reviewed path that legitimately spans users (sign-in by email,
  a Stripe webhook, an OAuth callback, admin, maintenance).

With none of them set, these tables show nothing and take nothing. The role that owns the tables (the
migration role) needs BYPASSRLS: pg_dump and `jarlpm import` read and write every user's rows, and
jarlpm_acting_user() reads user_sessions as its owner.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTING_USER = "(SELECT jarlpm_acting_user())"  # a scalar subquery: evaluated once per statement
CROSS_USER = "(SELECT jarlpm_cross_user())"

# Tables whose own user_id names the owner.
OWNED = (
    "users", "verification_tokens", "subscriptions", "product_delivery_contexts", "llm_provider_configs",
    "idempotency_keys", "llm_usage", "sprint_insights", "persona_generation_settings", "epics", "bugs",
    "initiative_generation_logs", "external_integrations", "payment_transactions", "oauth_states",
    # these hang under an epic, story or integration and carry its owner's id (written from the parent)
    "user_stories", "scope_plans", "initiative_activity", "initiative_saves", "initiative_edit_logs",
    "external_push_mappings", "external_push_runs", "poker_estimate_sessions", "prd_documents",
    "lean_canvases", "personas",
)
# Tables owned through a parent row: (table, its column, parent table, the parent's key).
PARENTED = (
    ("epic_snapshots", "epic_id", "epics", "epic_id"),
    ("epic_transcript_events", "epic_id", "epics", "epic_id"),
    ("epic_decisions", "epic_id", "epics", "epic_id"),  # its user_id is who decided, not the owner
    ("epic_artifacts", "epic_id", "epics", "epic_id"),
    ("features", "epic_id", "epics", "epic_id"),
    ("feature_conversation_events", "epic_id", "epics", "epic_id"),
    ("user_story_conversation_events", "story_id", "user_stories", "story_id"),
    ("bug_links", "bug_id", "bugs", "bug_id"),
    ("bug_status_history", "bug_id", "bugs", "bug_id"),
    ("poker_persona_estimates", "session_id", "poker_estimate_sessions", "session_id"),
)
# The session lookup itself: by the token hash the transaction names (no user is known yet).
SESSIONS = "user_sessions"

FUNCTIONS = (
    """
    CREATE FUNCTION jarlpm_acting_user() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = pg_catalog, public
    AS $$
        SELECT coalesce(
            nullif(current_setting('jarlpm.user_id', true), ''),
            (SELECT s.user_id
               FROM public.user_sessions AS s
              WHERE s.token_hash = nullif(current_setting('jarlpm.session', true), '')
                AND s.expires_at > now()))
    $$
    """,
    "COMMENT ON FUNCTION jarlpm_acting_user() IS 'The user this transaction acts for: jarlpm.user_id, "
    "else the owner of the unexpired session jarlpm.session names'",
    """
    CREATE FUNCTION jarlpm_cross_user() RETURNS boolean
        LANGUAGE sql STABLE
    AS $$
        SELECT coalesce(current_setting('jarlpm.cross_user', true), '') <> ''
    $$
    """,
    "COMMENT ON FUNCTION jarlpm_cross_user() IS 'Whether this transaction runs a reviewed path that spans "
    "users (jarlpm.cross_user names it)'",
)


def _policy(table: str, condition: str) -> list[str]:
    rule = f"({condition}) OR {CROSS_USER}"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant ON {table} USING ({rule}) WITH CHECK ({rule})",
    ]


def _conditions() -> list[tuple[str, str]]:
    conditions = [(table, f"user_id = {ACTING_USER}") for table in OWNED]
    conditions += [
        (table, f"EXISTS (SELECT 1 FROM {parent} AS p WHERE p.{key} = {table}.{column} AND p.user_id = {ACTING_USER})")
        for table, column, parent, key in PARENTED
    ]
    # Not through jarlpm_acting_user(), which reads this table: the session named, or the user's own.
    session = "token_hash = nullif(current_setting('jarlpm.session', true), '')"
    own = "user_id = nullif(current_setting('jarlpm.user_id', true), '')"
    conditions.append((SESSIONS, f"{session} OR {own}"))
    return conditions


def upgrade() -> None:
    for statement in FUNCTIONS:
        op.execute(statement)
    for table, condition in _conditions():
        for statement in _policy(table, condition):
            op.execute(statement)


def downgrade() -> None:
    for table, _ in reversed(_conditions()):
        op.execute(f"DROP POLICY tenant ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION jarlpm_cross_user()")
    op.execute("DROP FUNCTION jarlpm_acting_user()")
