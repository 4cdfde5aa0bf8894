"""Alembic environment: async on the asyncpg dialect, with an offline mode for DBA review.

The database is, in order: a connection handed in through config.attributes["connection"], the URL in
config.attributes["database_url"], DATABASE_URL, or the embedded development server.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from jarlpm.db.migrate import resolve_database_url
from jarlpm.db.schema import metadata
from jarlpm.db.urls import connect_target

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

COMPARE_OPTIONS = {"target_metadata": metadata, "compare_type": True, "compare_server_default": True}


def run_migrations_offline() -> None:
    """Render SQL only (`alembic upgrade head --sql`): no database is contacted."""
    context.configure(
        dialect_name="postgresql", literal_binds=True, dialect_opts={"paramstyle": "named"}, **COMPARE_OPTIONS
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **COMPARE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    target = connect_target(config.attributes.get("database_url") or resolve_database_url())
    engine = create_async_engine(target.sqlalchemy_url(), poolclass=pool.NullPool, connect_args=target.connect_args)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
