"""Ownership is in the SQL (DESIGN.md section 3): every statement on a user's rows names its owner.

Each sql/*.sql is read the way aiosql reads it (`-- name: query(params)`, comment lines, then the
statement). A statement that touches a tenant table must say `user_id = :user_id` somewhere (its
WHERE, a join or a subquery); an INSERT of a row that carries its owner and hangs under no other
owned row may instead bind that row's user_id to :user_id. Then one forgotten ownership check in
Python is a 404, never another user's data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from jarlpm.db.schema import metadata
from jarlpm.paths import sql_dir

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
        "epics",
        "bugs",
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
    }
)
TENANT_TABLES = OWNER_COLUMN_TABLES | PARENTED_TABLES
# Tables that hold nobody's data: every other table must be classified above.
NOT_TENANT_TABLES = {
    "saved_replies": "claims of stored AI replies, keyed by a random reply id; no user data",
}

# The statements that may touch tenant rows without naming the owner, and why. Keep it short.
ALLOWED = {
    ("auth", "get_credentials"): "sign-in, forgot-password and resend-verification find the account by its email",
    ("auth", "get_session"): "the session lookup: the token hash is the credential that names the user",
    ("auth", "delete_session"): "logout ends the one session its token names (the token is the credential)",
    ("auth", "purge_expired_sessions"): "purge job run at sign-in: every user's expired sessions",
    ("auth", "get_token"): "an emailed link names its user through its token hash",
    ("auth", "use_token"): "spends, by primary key, the token just found by its hash in the same transaction",
    ("idempotency", "forget_old_keys"): "purge job: every user's keys expire after a day",
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
    return [statement for statement in statements if tenant_tables_touched(statement.sql) and not names_owner(statement.sql)]


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
