"""Alembic, driven from code: the head revision, upgrades, the startup check and the dev-only reset.

Alembic's async env.py calls asyncio.run(), so the synchronous functions here must run outside an
event loop: in the CLI before Hypercorn starts, or in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
from functools import cache

import asyncpg
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from jarlpm.db.queries import queries
from jarlpm.db.urls import connected
from jarlpm.paths import PROJECT_DIR, migrations_dir

log = logging.getLogger(__name__)


class DatabaseNotAtHead(RuntimeError):
    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"the database is at revision {current or 'base (never migrated)'} but this code needs {head}; "
            "run `alembic upgrade head` (with the same DATABASE_URL), then start again"
        )
        self.current = current
        self.head = head


def alembic_config(database_url: str | None = None) -> Config:
    ini = PROJECT_DIR / "alembic.ini"
    config = Config(str(ini)) if ini.is_file() else Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["configure_logging"] = False
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no Alembic revision found")
    return head


def resolve_database_url() -> str:
    """The role that owns the tables: MIGRATION_DATABASE_URL, else DATABASE_URL, else the embedded
    development server (so autogenerate works in development too)."""
    url = os.environ.get("MIGRATION_DATABASE_URL", "").strip() or os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    from jarlpm.config import Settings
    from jarlpm.db import embedded

    return embedded.start(Settings.from_env().data_dir)


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


async def current_revision(conn: asyncpg.Connection) -> str | None:
    try:
        return await queries.system.current_revision(conn)
    except asyncpg.UndefinedTableError:
        return None


def ensure_at_head(current: str | None) -> None:
    if current != head_revision():
        raise DatabaseNotAtHead(current, head_revision())


async def _with_connection(database_url: str, work):
    async with connected(database_url) as conn:
        return await work(conn)


def check_at_head(database_url: str) -> None:
    ensure_at_head(asyncio.run(_with_connection(database_url, current_revision)))


def reset_schema(database_url: str) -> None:
    """DEV ONLY: drop everything in the public schema and migrate it to head again."""

    async def drop(conn: asyncpg.Connection) -> None:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")

    asyncio.run(_with_connection(database_url, drop))
    upgrade(database_url)
