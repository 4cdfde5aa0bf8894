"""Reading the original database: one read-only, repeatable-read transaction for the whole run.

These queries describe a foreign schema (the original's, reference section 2), so they live here as
SQL strings rather than in sql/, which holds queries against our own tables. They read tables only,
never alembic_version (the original's migration state is often broken), and select `t.*` because the
original's columns vary with how its schema was built (ad-hoc scripts, create_all or Alembic): the
mapping reads the columns it knows and treats a missing one as empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from jarlpm.db.pool import init_connection
from jarlpm.db.urls import connected

USER_EPICS = "SELECT e.epic_id FROM epics AS e WHERE e.user_id = $1"
USER_FEATURES = "SELECT f.feature_id FROM features AS f JOIN epics AS e ON e.epic_id = f.epic_id WHERE e.user_id = $1"
USER_STORIES = (
    "SELECT s.story_id FROM user_stories AS s"
    f" WHERE s.feature_id IN ({USER_FEATURES}) OR (s.feature_id IS NULL AND s.user_id = $1)"
)
USER_BUGS = "SELECT b.bug_id FROM bugs AS b WHERE b.user_id = $1"

# Who owns the epic, feature or story a bug link points at (NULL: it does not exist).
LINK_TARGET_OWNER = """
CASE t.entity_type
    WHEN 'epic' THEN (SELECT e.user_id FROM epics AS e WHERE e.epic_id = t.entity_id)
    WHEN 'feature' THEN (SELECT e.user_id FROM features AS f JOIN epics AS e ON e.epic_id = f.epic_id
                          WHERE f.feature_id = t.entity_id)
    WHEN 'story' THEN (SELECT coalesce(e.user_id, s.user_id) FROM user_stories AS s
                         LEFT JOIN features AS f ON f.feature_id = s.feature_id
                         LEFT JOIN epics AS e ON e.epic_id = f.epic_id
                        WHERE s.story_id = t.entity_id)
END AS target_owner"""


@dataclass(frozen=True)
class OriginalTable:
    """How to read one user's rows of an original table, in the order they were written."""

    name: str
    where: str
    order: str = "t.id"
    extra: str = ""
    needs: tuple[str, ...] = ()

    def query(self) -> str:
        extra = f", {self.extra}" if self.extra else ""
        return f"SELECT t.*{extra} FROM {self.name} AS t WHERE {self.where} ORDER BY {self.order}"


OWNED = "t.user_id = $1"
ORIGINAL_TABLES = (
    OriginalTable("subscriptions", OWNED),
    OriginalTable("product_delivery_contexts", OWNED),
    OriginalTable("llm_provider_configs", OWNED),
    OriginalTable("persona_generation_settings", OWNED, order="t.created_at NULLS FIRST, t.settings_id"),
    OriginalTable("payment_transactions", OWNED),
    OriginalTable("epics", OWNED),
    OriginalTable("epic_snapshots", f"t.epic_id IN ({USER_EPICS})", needs=("epics",)),
    OriginalTable("epic_transcript_events", f"t.epic_id IN ({USER_EPICS})", needs=("epics",)),
    OriginalTable("epic_decisions", f"t.epic_id IN ({USER_EPICS})", needs=("epics",)),
    OriginalTable("epic_artifacts", f"t.epic_id IN ({USER_EPICS})", needs=("epics",)),
    OriginalTable("features", f"t.epic_id IN ({USER_EPICS})", needs=("epics",)),
    OriginalTable("feature_conversation_events", f"t.feature_id IN ({USER_FEATURES})", needs=("epics", "features")),
    OriginalTable(
        "user_stories",
        f"t.feature_id IN ({USER_FEATURES}) OR (t.feature_id IS NULL AND t.user_id = $1)",
        needs=("epics", "features"),
    ),
    OriginalTable(
        "user_story_conversation_events",
        f"t.story_id IN ({USER_STORIES})",
        needs=("epics", "features", "user_stories"),
    ),
    OriginalTable(
        "poker_estimate_sessions", f"t.story_id IN ({USER_STORIES})", needs=("epics", "features", "user_stories")
    ),
    OriginalTable(
        "poker_persona_estimates",
        f"t.session_id IN (SELECT p.session_id FROM poker_estimate_sessions AS p WHERE p.story_id IN ({USER_STORIES}))",
        needs=("epics", "features", "user_stories", "poker_estimate_sessions"),
    ),
    OriginalTable("bugs", OWNED),
    OriginalTable(
        "bug_links",
        f"t.bug_id IN ({USER_BUGS})",
        extra=LINK_TARGET_OWNER,
        needs=("bugs", "epics", "features", "user_stories"),
    ),
    OriginalTable("bug_status_history", f"t.bug_id IN ({USER_BUGS})", needs=("bugs",)),
    OriginalTable("bug_conversation_events", f"t.bug_id IN ({USER_BUGS})", needs=("bugs",)),
    OriginalTable("personas", OWNED, order="t.created_at NULLS FIRST, t.persona_id"),
    OriginalTable("scope_plans", OWNED),
    OriginalTable("lean_canvases", OWNED),
    OriginalTable("prd_documents", OWNED),
    OriginalTable("sprint_insights", OWNED),
    OriginalTable("external_integrations", OWNED),
    OriginalTable("external_push_mappings", OWNED),
    OriginalTable("external_push_runs", OWNED),
    # Read only to be counted: users sign in again, and emailed links are re-sent.
    OriginalTable("user_sessions", OWNED),
    OriginalTable("verification_tokens", OWNED),
)

# The last sign-in when sessions are kept, else the last change of the account.
USERS_QUERY = """
SELECT t.*,
       greatest(t.created_at, t.updated_at, {last_session}) AS last_active
  FROM users AS t
 ORDER BY t.id"""
LAST_SESSION = "(SELECT max(s.created_at) FROM user_sessions AS s WHERE s.user_id = t.user_id)"

OWNED_COUNTS = """
SELECT (SELECT count(*) FROM epics WHERE user_id = $1) AS epics,
       (SELECT count(*) FROM bugs WHERE user_id = $1) AS bugs,
       (SELECT count(*) FROM user_stories WHERE feature_id IS NULL AND user_id = $1) AS standalone_stories"""


class Original:
    """The original database, read inside one read-only snapshot."""

    def __init__(self, conn: asyncpg.Connection, tables: frozenset[str]) -> None:
        self.conn = conn
        self.tables = tables

    def has(self, table: str) -> bool:
        return table in self.tables

    def readable(self, spec: OriginalTable) -> bool:
        return self.has(spec.name) and all(self.has(needed) for needed in spec.needs)

    async def users(self) -> list[dict]:
        last_session = LAST_SESSION if self.has("user_sessions") else "NULL"
        return [dict(row) for row in await self.conn.fetch(USERS_QUERY.format(last_session=last_session))]

    async def user_rows(self, user_id: str) -> dict[str, list[dict]]:
        """Every row this user owns, table by table (absent tables read as empty)."""
        rows: dict[str, list[dict]] = {}
        for spec in ORIGINAL_TABLES:
            found = await self.conn.fetch(spec.query(), user_id) if self.readable(spec) else []
            rows[spec.name] = [dict(row) for row in found]
        return rows

    async def owned_counts(self, user_id: str) -> dict[str, int]:
        if not all(self.has(table) for table in ("epics", "bugs", "user_stories")):
            return {}
        return dict(await self.conn.fetchrow(OWNED_COUNTS, user_id))


async def _tables(conn: asyncpg.Connection) -> frozenset[str]:
    rows = await conn.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE'"
    )
    return frozenset(row["table_name"] for row in rows)


@asynccontextmanager
async def open_original(url: str) -> AsyncIterator[Original]:
    """The original, read-only: the server refuses any write in this transaction."""
    async with connected(url) as conn:
        await init_connection(conn)  # its JSON columns arrive as Python values
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            original = Original(conn, await _tables(conn))
            if not original.has("users"):
                raise OriginalUnreadable("the source database has no users table: is it a JarlPM database?")
            yield original


class OriginalUnreadable(Exception):
    """The source is not an original JarlPM database."""
