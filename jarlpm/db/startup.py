"""What happens to the database before the service serves.

- No DATABASE_URL: start the embedded server, migrate it to head as its superuser, and serve as the
  application role (jarlpm/db/roles.py), the same split as a server of your own.
- DB_RESET_ON_STARTUP=true (never in production; config refuses it): drop the schema, migrate to head.
- Otherwise nothing is migrated: an operator runs `alembic upgrade head` first, and the service
  refuses to start when the database is not at head. With MIGRATION_DATABASE_URL, the application
  role is granted what it needs on every table, as the owner, when it lacks it (at the pool's opening).

Synchronous (Alembic runs its own event loop): call it before the loop starts or in a worker thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from jarlpm.config import Settings
from jarlpm.db import embedded, migrate, roles

log = logging.getLogger(__name__)


def prepare_database(settings: Settings) -> Settings:
    """The settings to serve with (concrete DATABASE_URL and MIGRATION_DATABASE_URL), after starting /
    migrating / resetting / granting as they say."""
    if settings.database_url is None:
        owner = embedded.start(settings.data_dir)
        log.info("migrating the embedded database to head %s", migrate.head_revision())
        migrate.upgrade(owner)
        log.info("embedded database migrated to head %s", migrate.head_revision())
        return _granted(settings, owner, roles.app_url(owner))
    owner = settings.owner_database_url or settings.database_url
    if settings.db_reset_on_startup:
        log.warning("DB_RESET_ON_STARTUP=true: dropping the schema and migrating it to head")
        migrate.reset_schema(owner)
    # The application role's grants are checked once the pool is open (roles.grant_if_needed).
    return dataclasses.replace(settings, migration_database_url=owner)


def _granted(settings: Settings, owner: str, app: str) -> Settings:
    asyncio.run(roles.provision(owner, app))
    return dataclasses.replace(settings, database_url=app, migration_database_url=owner)
