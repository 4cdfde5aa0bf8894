"""Row-level security (issue 2.12): under the owner in every WHERE, PostgreSQL itself shows and takes
only the acting user's rows. Every query here is a test-only query with no owner condition, run as the
service runs them: through the app's pool, as the application role, with the transaction's scope.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import asyncpg
import pytest

from jarlpm.app import create_app
from jarlpm.auth.rules import hash_token
from jarlpm.db import migrate
from jarlpm.db.pool import Database
from jarlpm.db.roles import APP_ROLE
from jarlpm.db.scope import CrossUser, Scope
from tests.builders import create_epic, create_feature, locked_epic, new_user
from tests.db.helpers import fetch
from tests.db.test_sql_ownership import TENANT_TABLES
from tests.helpers import User

ALL_EPICS = "SELECT epic_id FROM epics ORDER BY epic_id"


def database_of(app) -> Database:  # type: ignore[no-untyped-def]
    return app.app.extensions["jarlpm.database"]


async def user_id_of(database_url: str, email: str) -> str:
    [row] = await fetch(database_url, "SELECT user_id FROM users WHERE email = $1", email)
    return row["user_id"]


@pytest.fixture
async def two_tenants(app, pm: User, other: User, fake_llm, database_url):  # type: ignore[no-untyped-def]
    """pm with a locked epic and a feature under it, other with an epic of their own."""
    pm_epic = await locked_epic(pm, fake_llm)
    await create_feature(pm, pm_epic, title="Ward entry screen")
    other_epic = (await create_epic(other, title="Someone else's roadmap"))["epic_id"]
    return {
        "pm": (await user_id_of(database_url, "pm@jarlpm.dev"), pm_epic),
        "other": (await user_id_of(database_url, "other@jarlpm.dev"), other_epic),
    }


async def test_a_query_without_an_owner_condition_returns_only_the_acting_users_rows(app, two_tenants) -> None:
    database = database_of(app)
    for user_id, epic_id in two_tenants.values():
        async with database.connection(user_id) as conn:
            assert [row["epic_id"] for row in await conn.fetch(ALL_EPICS)] == [epic_id]
            # through a parent: the features and the transcript of that user's epic only
            features = await conn.fetch("SELECT epic_id FROM features")
            assert {row["epic_id"] for row in features} <= {epic_id}
            events = await conn.fetch("SELECT DISTINCT epic_id FROM epic_transcript_events")
            assert {row["epic_id"] for row in events} <= {epic_id}
            assert [row["user_id"] for row in await conn.fetch("SELECT user_id FROM users")] == [user_id]


async def test_the_session_names_the_acting_user_until_it_expires(app, pm: User, two_tenants, database_url) -> None:
    database = database_of(app)
    pm_id, pm_epic = two_tenants["pm"]
    session = Scope(session_hash=hash_token(pm.token))
    async with database.connection(session) as conn:
        assert [row["epic_id"] for row in await conn.fetch(ALL_EPICS)] == [pm_epic]
    expire = "UPDATE user_sessions SET expires_at = created_at + interval '1 millisecond' WHERE user_id = $1"
    await fetch(database_url, expire, pm_id)
    async with database.connection(session) as conn:
        assert await conn.fetch(ALL_EPICS) == []


async def test_with_no_user_set_nothing_is_visible(app, two_tenants) -> None:
    async with database_of(app).connection() as conn:
        for table in ("epics", "features", "users", "user_sessions", "llm_provider_configs"):
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table


async def test_a_row_owned_by_another_user_is_refused(app, two_tenants, database_url) -> None:
    database = database_of(app)
    pm_id, _ = two_tenants["pm"]
    other_id, other_epic = two_tenants["other"]
    before = await fetch(database_url, "SELECT count(*) AS n FROM epics")
    async with database.connection(pm_id) as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            await conn.execute(
                "INSERT INTO epics (epic_id, user_id, title) VALUES ('epic_f0f0f0f0f0f0', $1, 'x')", other_id
            )
    async with database.connection(pm_id) as conn:  # nor hung under another user's epic
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            await conn.execute(
                "INSERT INTO features (feature_id, epic_id, title) VALUES ('feat_f0f0f0f0f0f0', $1, 'x')", other_epic
            )
    async with database.connection(pm_id) as conn:  # and another user's rows are not there to change
        assert await conn.execute("UPDATE epics SET title = 'mine now' WHERE epic_id = $1", other_epic) == "UPDATE 0"
        assert await conn.execute("DELETE FROM epics WHERE epic_id = $1", other_epic) == "DELETE 0"
    assert await fetch(database_url, "SELECT count(*) AS n FROM epics") == before
    assert await fetch(database_url, "SELECT title FROM epics WHERE epic_id = $1", other_epic) == [
        {"title": "Someone else's roadmap"}
    ]


async def test_a_reviewed_cross_user_path_sees_every_account(app, two_tenants) -> None:
    async with database_of(app).connection(CrossUser.ACCOUNTS) as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 2


async def test_the_scope_is_transaction_local(app, two_tenants) -> None:
    """A pooled connection keeps nothing of the previous transaction's user."""
    database = database_of(app)
    pm_id, _ = two_tenants["pm"]
    async with database.connection(pm_id) as conn:
        assert await conn.fetchval("SELECT count(*) FROM epics") == 1
    for _ in range(3):  # whichever pooled connection comes next
        async with database.connection() as conn:
            assert await conn.fetchval("SELECT current_setting('jarlpm.user_id', true)") in (None, "")
            assert await conn.fetchval("SELECT count(*) FROM epics") == 0


async def test_every_tenant_table_has_forced_row_level_security_with_a_policy(database_url) -> None:
    rows = await fetch(
        database_url,
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, count(p.policyname) AS policies
          FROM pg_class AS c
          LEFT JOIN pg_policies AS p ON p.tablename = c.relname AND p.schemaname = 'public'
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
         GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity
        """,
    )
    protected = {
        row["relname"] for row in rows if row["relrowsecurity"] and row["relforcerowsecurity"] and row["policies"]
    }
    assert sorted(TENANT_TABLES - protected) == []


async def test_the_service_connects_as_a_role_that_cannot_bypass_it(app) -> None:
    async with database_of(app).connection() as conn:
        role = await conn.fetchrow("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        owned = await conn.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        )
    assert dict(role) == {"rolname": APP_ROLE, "rolsuper": False, "rolbypassrls": False}
    assert owned == 0


async def test_the_first_start_grants_the_application_role_what_it_lacks(make_settings, empty_database_url) -> None:
    """A database the owner just migrated: the service grants its role at startup, then serves under RLS."""
    await asyncio.to_thread(migrate.upgrade, empty_database_url)
    ungranted = "SELECT count(*) AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
    ungranted += "AND NOT has_table_privilege($1, oid, 'SELECT')"
    assert (await fetch(empty_database_url, ungranted, APP_ROLE))[0]["n"] > 0
    app = create_app(make_settings(empty_database_url))
    async with app.test_app() as served:
        user = await new_user(served, "first@jarlpm.dev")
        assert (await create_epic(user))["title"] == "Medication entry"
    assert await fetch(empty_database_url, ungranted, APP_ROLE) == [{"n": 0}]
    writes = "SELECT has_table_privilege($1, 'alembic_version', 'UPDATE') AS can"
    assert await fetch(empty_database_url, writes, APP_ROLE) == [{"can": False}]


# Every place that spans users, with its reason: a new one fails here until it is reviewed and listed.
REVIEWED_CROSS_USER = {
    ("jarlpm/admin/health.py", "ADMIN"): 1,  # the detailed health page counts every user's push runs
    ("jarlpm/admin/routes.py", "ADMIN"): 3,  # audit-log stats, retention and maintenance over every user
    ("jarlpm/app.py", "MAINTENANCE"): 1,  # startup: do imported bcrypt hashes remain (yes or no)
    ("jarlpm/auth/routes.py", "ACCOUNTS"): 8,  # sign-up, sign-in, emailed links: found by email or token
    ("jarlpm/auth/test_login.py", "ACCOUNTS"): 1,  # the development test-login (only with JARLPM_TEST_LOGIN)
    ("jarlpm/billing/service.py", "BILLING_WEBHOOK"): 1,  # a signed Stripe event names the customer
    ("jarlpm/http/idempotency.py", "MAINTENANCE"): 1,  # every user's expired idempotency keys
    ("jarlpm/integrations/jira/service.py", "OAUTH_CALLBACK"): 1,  # the state names the user
    ("jarlpm/integrations/linear/service.py", "OAUTH_CALLBACK"): 1,  # the state names the user
}


def test_every_cross_user_path_is_reviewed() -> None:
    root = Path(__file__).resolve().parents[2]
    found: dict[tuple[str, str], int] = {}
    for path in sorted((root / "jarlpm").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in ("jarlpm/db/scope.py", "jarlpm/db/pool.py"):
            continue
        for reason in re.findall(r"CrossUser\.([A-Z_]+)", path.read_text()):
            found[(relative, reason)] = found.get((relative, reason), 0) + 1
    assert found == REVIEWED_CROSS_USER
