"""The two roles (issue 2.12): the service connects as an application role that does not own the tables
and cannot bypass row-level security; migrations, backups and `jarlpm import` use the role that owns
them (MIGRATION_DATABASE_URL, with BYPASSRLS).

The embedded default and the tests make the same split: the server's superuser migrates, and the
service connects as APP_ROLE, created here. Against a server of your own, create the roles as the README
says; startup then grants the application role what it needs on every table (idempotent).
"""

from __future__ import annotations

import logging

import asyncpg

from jarlpm.db.urls import connected, user_of, with_user

log = logging.getLogger(__name__)

APP_ROLE = "jarlpm_app"  # the embedded default's and the tests' application role


def quoted(role: str) -> str:
    return '"' + role.replace('"', '""') + '"'


def app_url(owner_url: str) -> str:
    """The application role's URL on the same server and database as the owner's (trust or peer auth)."""
    return with_user(owner_url, APP_ROLE)


async def create_app_role(conn: asyncpg.Connection) -> None:
    """APP_ROLE, if missing: may log in, owns nothing, bypasses nothing."""
    exists = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", APP_ROLE)
    if not exists:
        try:
            async with conn.transaction():  # a savepoint when the caller has a transaction open
                await conn.execute(
                    f"CREATE ROLE {quoted(APP_ROLE)} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                )
        except (asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
            pass  # created a moment ago by another process on the same server


async def grant_app_role(conn: asyncpg.Connection, role: str) -> None:
    """What the application role needs: rows of every table (row-level security decides which), the
    sequences, and the policy functions; nothing on the schema's structure, and only reading the
    migration version."""
    name = quoted(role)
    await conn.execute(
        f"""
        GRANT USAGE ON SCHEMA public TO {name};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name};
        REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {name};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name};
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {name};
        """
    )


# Concurrent GRANTs on one object fail ("tuple concurrently updated"): workers and instances starting
# together take turns on this lock.
_GRANT_LOCK = "SELECT pg_advisory_xact_lock(hashtext('jarlpm: grants to the application role'))"
_UNGRANTED = """
SELECT count(*)
  FROM pg_class
 WHERE relnamespace = 'public'::regnamespace
   AND relkind IN ('r', 'p')
   AND NOT has_table_privilege($1, oid, 'SELECT')
"""


async def provision(owner_url: str, app_database_url: str) -> None:
    """As the owner: create the embedded default's role when it is the one asked for, and grant it what
    it needs unless every table is granted already (a migration's new tables are granted at the next start)."""
    role = user_of(app_database_url)
    async with connected(owner_url) as conn, conn.transaction():
        await conn.execute(_GRANT_LOCK)
        if role == APP_ROLE:
            await create_app_role(conn)
        if await conn.fetchval(_UNGRANTED, role):
            await grant_app_role(conn, role)


async def grant_if_needed(conn: asyncpg.Connection, owner_url: str | None, app_database_url: str) -> None:
    """On the service's own connection: when a table is not granted to it yet (the first start, or one
    after a migration added tables), grant as the owner. One cheap query otherwise."""
    if owner_url and owner_url != app_database_url and await conn.fetchval(_UNGRANTED, user_of(app_database_url)):
        await provision(owner_url, app_database_url)


async def warn_unless_protected(conn: asyncpg.Connection) -> bool:
    """Whether row-level security applies to the role the service connects as (logged when it does not)."""
    row = await conn.fetchrow("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    protected = row is not None and not row["rolsuper"] and not row["rolbypassrls"]
    if not protected:
        log.warning(
            "DATABASE_URL's role is a superuser or has BYPASSRLS: row-level security does not apply to it; "
            "connect the service as an application role (README: Database roles)"
        )
    return protected
