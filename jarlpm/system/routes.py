"""GET /api/, /api/health (liveness, no database) and /api/ready (database reachable and at head)."""

from __future__ import annotations

import logging

import asyncpg
from quart import Blueprint
from quart_schema import validate_response

from jarlpm import db
from jarlpm.db.migrate import current_revision, head_revision
from jarlpm.errors import APIError
from jarlpm.http.auth import public
from jarlpm.http.openapi import no_database
from jarlpm.system.models import HealthOut, ReadyOut, RootOut

log = logging.getLogger(__name__)

blueprint = Blueprint("system", __name__)


@blueprint.get("/")
@public
@no_database
@validate_response(RootOut)
async def root() -> RootOut:
    """Identify the API."""
    return RootOut(message="JarlPM API", status="healthy")


@blueprint.get("/health")
@public
@no_database
@validate_response(HealthOut)
async def health() -> HealthOut:
    """Liveness: the process answers (no database involved)."""
    return HealthOut(status="healthy", service="jarlpm")


@blueprint.get("/ready")
@public
@validate_response(ReadyOut)
async def ready() -> ReadyOut:
    """Readiness: the database answers and its schema is at this code's head revision."""
    try:
        async with db.connection() as conn:
            current = await current_revision(conn)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        log.warning("readiness check failed: %s", type(error).__name__)
        raise APIError(503, "DB_UNAVAILABLE", "The database is not reachable") from None
    head = head_revision()
    if current != head:
        raise APIError(503, "DB_NOT_AT_HEAD", f"The database is at revision {current or 'base'}, the code needs {head}")
    return ReadyOut(status="ready", revision=head)
