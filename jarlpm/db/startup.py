"""What happens to the database before the service serves.

- No DATABASE_URL: start the embedded server and migrate it to head (development default).
- DB_RESET_ON_STARTUP=true (never in production; config refuses it): drop the schema, migrate to head.
- Otherwise nothing is migrated: an operator runs `alembic upgrade head` first, and the service
  refuses to start when the database is not at head.

Synchronous (Alembic runs its own event loop): call it before the loop starts or in a worker thread.
"""

from __future__ import annotations

import logging

from jarlpm.config import Settings
from jarlpm.db import embedded, migrate

log = logging.getLogger(__name__)


def prepare_database(settings: Settings) -> str:
    """Return the URL to serve from, after starting / migrating / resetting as the settings say."""
    if settings.database_url is None:
        url = embedded.start(settings.data_dir)
        log.info("migrating the embedded database to head %s", migrate.head_revision())
        migrate.upgrade(url)
        log.info("embedded database migrated to head %s", migrate.head_revision())
        return url
    if settings.db_reset_on_startup:
        log.warning("DB_RESET_ON_STARTUP=true: dropping the schema and migrating it to head")
        migrate.reset_schema(settings.database_url)
    return settings.database_url
