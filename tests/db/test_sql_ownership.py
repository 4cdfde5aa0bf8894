"""Ownership is in the SQL (DESIGN.md section 3): every statement on a user's rows names its owner.

Each sql/*.sql is read the way aiosql reads it (`-- name: query(params)`, comment lines, then the
statement). A statement that touches a tenant table must say `user_id = :user_id` somewhere (its
WHERE, a join or a subquery); an INSERT of a row that carries its owner and hangs under no other
owned row may instead bind that row's user_id to :user_id. Then one forgotten ownership check in
Python is a 404, never another user's data.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import asyncpg
import pytest

from jarlpm.auth import repo as auth_repo
from jarlpm.bugs import repo as bugs_repo
from jarlpm.db.pool import init_connection
from jarlpm.db.schema import metadata
from jarlpm.db.urls import connect_target
from jarlpm.epics import repo as epics_repo
from jarlpm.features import repo as features_repo
from jarlpm.paths import sql_dir
from jarlpm.stories import repo as stories_repo

# Rows that name their owner in their own user_id column and point at no other owned row.
OWNER_COLUMN_TABLES = frozenset(
    {
        "users",
        "user_sessions",
        "verification_tokens",
        "subscriptions",
        "product_delivery_contexts",
        "llm_provider_configs",
        "idempotency_keys",
        "llm_usage",
        "sprint_insights",
        "persona_generation_settings",
        "epics",
        "bugs",
        "initiative_generation_logs",
        "external_integrations",
        "payment_transactions",
        "oauth_states",
    }
)
# Rows that hang under another owned row: that row's owner owns them. epic_decisions.user_id is who
# decided, and a story may belong to a feature, so an INSERT into these selects the owned parent.
PARENTED_TABLES = frozenset(
    {
        "epic_snapshots",
        "epic_transcript_events",
        "epic_decisions",
        "epic_artifacts",
        "features",
        "feature_conversation_events",
        "user_stories",
        "user_story_conversation_events",
        "bug_links",
        "bug_status_history",
        "scope_plans",  # also names its user, as the contract's rows do; its epic's owner owns it
        "initiative_activity",
        "initiative_saves",  # also names its user; the epic's owner owns it
        "external_push_mappings",  # also names its user; the integration's owner owns it
        "external_push_runs",  # also names its user; the integration's owner owns it
        "initiative_edit_logs",  # also names its user; the epic's owner owns it
        "poker_estimate_sessions",  # also names its user; the story's owner owns it
        "poker_persona_estimates",
        "prd_documents",  # these three also name their user; the epic's owner owns them
        "lean_canvases",
        "personas",
    }
)
TENANT_TABLES = OWNER_COLUMN_TABLES | PARENTED_TABLES
# Tables that hold nobody's data: every other table must be classified above.
NOT_TENANT_TABLES = {
    "saved_replies": "claims of stored AI replies, keyed by a random reply id; no user data",
    "stripe_events": "Stripe event ids already processed (their effects live in the users' own rows)",
    "request_limits": "rate-limit arrival times keyed by an HMAC of endpoint and IP or session hash; no user id",
    "login_failures": "sign-in failure counts keyed by an HMAC of email and/or IP; never the raw email or IP",
}

# The statements that may touch tenant rows without naming the owner, and why. Keep it short.
ALLOWED = {
    ("auth", "get_credentials"): "sign-in, forgot-password and resend-verification find the account by its email",
    ("auth", "has_bcrypt_hashes"): "startup asks whether any imported bcrypt hash remains (yes or no)",
    ("importer", "account_with_email"): "`jarlpm import` checks whether an email signs in to another account",
    ("auth", "get_session"): "the session lookup: the token hash is the credential that names the user",
    ("ai", "ai_caller"): "an AI prelude's session lookup (and what its calls need): the token hash names the user",
    ("auth", "delete_session"): "logout ends the one session its token names (the token is the credential)",
    ("auth", "purge_expired_sessions"): "purge job run at sign-in: every user's expired sessions",
    ("auth", "get_token"): "an emailed link names its user through its token hash",
    ("auth", "use_token"): "spends, by primary key, the token just found by its hash in the same transaction",
    ("idempotency", "forget_old_keys"): "purge job: every user's keys expire after a day",
    ("billing", "find_subscriber"): "a signed Stripe event names its user through the Stripe ids stored on their row",
    ("integrations", "spend_oauth_state"): "an OAuth callback names its user through its state's hash (single use)",
    ("admin", "session_admin"): "the admin guard's allowlist check: the session token hash names the user",
    ("admin", "push_run_stats"): "admin audit-log stats count every user's push runs (behind the admin guard)",
    ("admin", "delete_push_runs_before"): "admin audit-log retention: every user's push runs older than the cutoff",
    ("admin", "trim_push_runs"): "admin maintenance: the 100,000-record limit over every user's push runs",
}

NAME_LINE = re.compile(r"^-- name: (?P<name>\w+)\((?P<params>[^)]*)\)[$^!#*<>]*\s*$", re.MULTILINE)
TABLE_REFERENCE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|USING)\s+(\w+)", re.IGNORECASE)
OWNER_CONDITION = re.compile(r"\buser_id\s*=\s*:user_id\b")
INSERT_VALUES = re.compile(r"^\s*INSERT\s+INTO\s+(?P<table>\w+)\s*\((?P<columns>[^)]*)\)\s*VALUES\s*\(", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    domain: str
    name: str
    sql: str

    @property
    def key(self) -> tuple[str, str]:
        return self.domain, self.name


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


def parse_statements(domain: str, text: str) -> list[Statement]:
    """The named statements of one aiosql file (its description lines dropped)."""
    starts = list(NAME_LINE.finditer(text))
    ends = [match.start() for match in starts[1:]] + [len(text)]
    return [
        Statement(domain, match["name"], _without_comments(text[match.end() : end]).strip())
        for match, end in zip(starts, ends, strict=True)
    ]


def all_statements(folder: Path) -> list[Statement]:
    return [
        statement
        for path in sorted(folder.glob("*.sql"))
        for statement in parse_statements(path.stem, path.read_text(encoding="utf-8"))
    ]


def tenant_tables_touched(sql: str) -> set[str]:
    return {table.lower() for table in TABLE_REFERENCE.findall(sql)} & TENANT_TABLES


def _top_level_items(text: str) -> list[str]:
    """The comma-separated items of a parenthesised list that `text` starts inside of, up to its
    closing parenthesis (commas inside function calls do not split)."""
    items: list[str] = []
    depth, current = 0, ""
    for char in text:
        if char == ")" and depth == 0:
            break
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [*items, current.strip()]


def inserts_own_row(sql: str) -> bool:
    """INSERT ... VALUES of a row that carries its owner, with its user_id bound to :user_id."""
    match = INSERT_VALUES.match(sql)
    if match is None or match["table"].lower() not in OWNER_COLUMN_TABLES:
        return False
    columns = [column.strip() for column in match["columns"].split(",")]
    values = _top_level_items(sql[match.end() :])
    return "user_id" in columns and values[columns.index("user_id")] == ":user_id"


def names_owner(sql: str) -> bool:
    return OWNER_CONDITION.search(sql) is not None or inserts_own_row(sql)


def ownerless(statements: list[Statement]) -> list[Statement]:
    return [s for s in statements if tenant_tables_touched(s.sql) and not names_owner(s.sql)]


STATEMENTS = all_statements(sql_dir())


def test_every_statement_on_a_users_rows_names_the_owner() -> None:
    unexplained = [f"{s.domain}.{s.name}" for s in ownerless(STATEMENTS) if s.key not in ALLOWED]
    assert unexplained == [], (
        "these statements touch a user's rows without `user_id = :user_id` (directly, or through a join "
        "or subquery to the owning row); add the owner, or justify an entry in ALLOWED"
    )


def test_the_allow_list_has_no_stale_entries() -> None:
    needed = {statement.key for statement in ownerless(STATEMENTS)}
    assert sorted(set(ALLOWED) - needed) == []


def test_the_sql_files_were_all_read() -> None:
    # A file the parser misread would silently pass the checks above.
    assert len(STATEMENTS) > 50
    assert len({statement.key for statement in STATEMENTS}) == len(STATEMENTS)
    assert all(statement.sql for statement in STATEMENTS)


def test_every_table_is_classified() -> None:
    known = TENANT_TABLES | set(NOT_TENANT_TABLES)
    assert sorted(set(metadata.tables) - known) == []
    assert sorted(known - set(metadata.tables)) == []


def _references(table: str) -> set[str]:
    return {key.column.table.name for key in metadata.tables[table].foreign_keys}


@pytest.mark.parametrize("table", sorted(OWNER_COLUMN_TABLES - {"users"}))
def test_owner_column_tables_carry_their_owner_and_no_other_owned_row(table: str) -> None:
    assert "user_id" in metadata.tables[table].columns
    assert _references(table) == {"users"}


@pytest.mark.parametrize("table", sorted(PARENTED_TABLES))
def test_parented_tables_hang_under_an_owned_row(table: str) -> None:
    assert _references(table) & (TENANT_TABLES - {"users"})


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT role FROM epic_transcript_events WHERE epic_id = :epic_id",
        "UPDATE features SET title = :title WHERE feature_id = :feature_id",
        "INSERT INTO epic_decisions (decision_id, epic_id, user_id) VALUES (:decision_id, :epic_id, :user_id)",
        "INSERT INTO user_stories (story_id, user_id, feature_id) VALUES (:story_id, :user_id, :feature_id)",
        "INSERT INTO epics (epic_id, user_id) VALUES (:epic_id, :other_user_id)",
        "DELETE FROM bug_links WHERE link_id = :link_id AND created_by_user_id = :user_id",
    ],
)
def test_the_check_catches_a_statement_without_its_owner(sql: str) -> None:
    assert ownerless([Statement("example", "query", sql)])


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT t.role FROM epic_transcript_events AS t JOIN epics AS e ON e.epic_id = t.epic_id "
        "WHERE t.epic_id = :epic_id AND e.user_id = :user_id",
        "INSERT INTO epic_artifacts (artifact_id, epic_id) SELECT :artifact_id, epic_id FROM epics "
        "WHERE epic_id = :epic_id AND user_id = :user_id RETURNING artifact_id",
        "INSERT INTO user_sessions (session_id, user_id, expires_at) "
        "VALUES (:session_id, :user_id, now() + make_interval(secs => :ttl_seconds))",
        "SELECT version_num FROM alembic_version",
    ],
)
def test_the_check_accepts_a_statement_that_names_its_owner(sql: str) -> None:
    assert ownerless([Statement("example", "query", sql)]) == []


# The same rule, run: a repository asked to write under another user's row writes nothing and says so.


class Rows(NamedTuple):
    """What the owner has, and who the intruder is."""

    owner: str
    intruder: str
    epic_id: str
    feature_id: str
    story_id: str
    bug_id: str


async def _connect(url: str) -> asyncpg.Connection:
    target = connect_target(url)
    conn = await asyncpg.connect(target.dsn, ssl=target.ssl)
    await init_connection(conn)
    return conn


async def _user(conn: asyncpg.Connection, email: str) -> str:
    user = await auth_repo.create_user(conn, email=email, name="Ana", password_hash="not-a-real-hash")
    assert user is not None
    return user["user_id"]


async def _owned_rows(conn: asyncpg.Connection) -> Rows:
    owner, intruder = await _user(conn, "owner@jarlpm.dev"), await _user(conn, "intruder@jarlpm.dev")
    epic_id = await epics_repo.create_epic(conn, user_id=owner, title="Medication entry")
    feature = await features_repo.create_feature(
        conn,
        user_id=owner,
        epic_id=epic_id,
        title="Ward entry",
        description="Once.",
        acceptance_criteria=[],
        source="manual",
    )
    assert feature is not None
    story = await stories_repo.create_story(
        conn,
        user_id=owner,
        feature_id=feature["feature_id"],
        source="manual",
        persona="nurse",
        action="record",
        benefit="once",
    )
    assert story is not None
    bug_id = await bugs_repo.create_bug(conn, user_id=owner, title="Lost dose", description="Gone.", severity="high")
    return Rows(owner, intruder, epic_id, feature["feature_id"], story["story_id"], bug_id)


CHILD_TABLES = sorted(PARENTED_TABLES)


async def _row_counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {table: await conn.fetchval(f"SELECT count(*) FROM {table}") for table in CHILD_TABLES}


def _writes_as(rows: Rows, user_id: str) -> dict[str, Callable[[asyncpg.Connection], Awaitable[object]]]:
    """Every child write, aimed at the owner's rows on behalf of `user_id`."""
    epic = {"user_id": user_id, "epic_id": rows.epic_id}
    return {
        "epic event": lambda c: epics_repo.add_event(c, **epic, role="user", content="hi", stage="problem_capture"),
        "decision": lambda c: epics_repo.add_decision(
            c, **epic, decision_type="auto_advance", from_stage="problem_capture", to_stage=None
        ),
        "artifact": lambda c: epics_repo.create_artifact(
            c, **epic, artifact_type="bug", title="t", description="d", acceptance_criteria=None, priority=None
        ),
        "feature": lambda c: features_repo.create_feature(
            c, **epic, title="t", description="d", acceptance_criteria=[], source="manual"
        ),
        "feature event": lambda c: features_repo.add_event(
            c, user_id=user_id, feature_id=rows.feature_id, epic_id=rows.epic_id, role="user", content="hi"
        ),
        "story": lambda c: stories_repo.create_story(
            c, user_id=user_id, feature_id=rows.feature_id, source="manual", persona="p", action="a", benefit="b"
        ),
        "story event": lambda c: stories_repo.add_event(
            c,
            user_id=user_id,
            story_id=rows.story_id,
            feature_id=rows.feature_id,
            epic_id=rows.epic_id,
            role="user",
            content="hi",
        ),
        "bug history": lambda c: bugs_repo.add_history(
            c, user_id=user_id, bug_id=rows.bug_id, from_status=None, to_status="draft", notes=None
        ),
        "bug link": lambda c: bugs_repo.add_link(
            c, user_id=user_id, bug_id=rows.bug_id, entity_type="epic", entity_id=rows.epic_id
        ),
    }


WRITES = sorted(_writes_as(Rows("owner", "intruder", "epic", "feature", "story", "bug"), "intruder"))  # their names


@pytest.mark.parametrize("write", WRITES)
async def test_a_write_under_another_users_row_writes_nothing(database_url: str, write: str) -> None:
    conn = await _connect(database_url)
    try:
        rows = await _owned_rows(conn)
        before = await _row_counts(conn)
        assert not await _writes_as(rows, rows.intruder)[write](conn)
        assert await _row_counts(conn) == before
        assert await _writes_as(rows, rows.owner)[write](conn)  # the same write, by the owner, is stored
    finally:
        await conn.close()


async def test_a_bug_links_only_to_its_owners_work(database_url: str) -> None:
    conn = await _connect(database_url)
    try:
        rows = await _owned_rows(conn)
        theirs = await epics_repo.create_epic(conn, user_id=rows.intruder, title="Theirs")
        link = await bugs_repo.add_link(
            conn, user_id=rows.owner, bug_id=rows.bug_id, entity_type="epic", entity_id=theirs
        )
        assert link is None
        assert await bugs_repo.list_links(conn, user_id=rows.owner, bug_id=rows.bug_id) == []
    finally:
        await conn.close()


async def test_reads_and_updates_under_another_users_row_find_nothing(database_url: str) -> None:
    conn = await _connect(database_url)
    try:
        rows = await _owned_rows(conn)
        await epics_repo.add_event(
            conn, user_id=rows.owner, epic_id=rows.epic_id, role="user", content="hi", stage="problem_capture"
        )
        intruder = rows.intruder
        assert await epics_repo.list_events(conn, user_id=intruder, epic_id=rows.epic_id) == []
        opened = await epics_repo.open_chat_turn(
            conn, user_id=intruder, epic_id=rows.epic_id, content="hi", history_limit=5
        )
        assert opened is None
        assert await features_repo.update_feature(conn, user_id=intruder, feature_id=rows.feature_id, title="x") is None
        assert await features_repo.approve_feature(conn, user_id=intruder, feature_id=rows.feature_id) is None
        assert await stories_repo.update_story(conn, user_id=intruder, story_id=rows.story_id, title="x") is None
        assert await stories_repo.approve_story(conn, user_id=intruder, story_id=rows.story_id) is None
        assert (
            await epics_repo.set_pending_proposal(
                conn, user_id=intruder, epic_id=rows.epic_id, stage="problem_capture", proposal={"x": 1}
            )
            is False
        )
        epic = await epics_repo.get_epic(conn, user_id=rows.owner, epic_id=rows.epic_id)
        assert epic is not None and epic["pending_proposal"] is None
    finally:
        await conn.close()
