"""/api/integrations: every tracker's status, the push history and where an entity was pushed.
Each tracker's own routes live in its sub-module (jarlpm/integrations/<tracker>/)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint
from quart_schema import validate_querystring, validate_response

from jarlpm import db
from jarlpm.db.queries import queries
from jarlpm.http.auth import current_caller, login_required
from jarlpm.integrations import repo, service
from jarlpm.integrations.models import (
    HistoryOut,
    HistoryQuery,
    MappingOut,
    MappingsOut,
    ProviderStatusOut,
    RunOut,
    StatusOut,
)
from jarlpm.integrations.tables import TRACKERS

blueprint = Blueprint("integrations", __name__, url_prefix="/integrations")


@blueprint.get("/status")
@login_required
@validate_response(StatusOut)
async def status() -> StatusOut:
    """The user's connection to each tracker, and whether this server is configured for it."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows = await repo.list_integrations(conn, user_id=caller.id)
    by_provider = {row["provider"]: dict(row) for row in rows}
    return StatusOut.model_validate(
        {provider: service.status_of(provider, by_provider.get(provider)) for provider in TRACKERS}
    )


@blueprint.get("/status/<provider>")
@login_required
@validate_response(ProviderStatusOut)
async def provider_status(provider: str) -> ProviderStatusOut:
    """One tracker's connection: {status, connected, account_name, default_team, default_project}."""
    tracker = service.tracker_of(provider)
    caller = current_caller()
    async with db.connection(caller) as conn:
        row = await queries.integrations.get_integration(conn, user_id=caller.id, provider=tracker)
    entry = service.status_of(tracker, dict(row) if row else None)
    return ProviderStatusOut.model_validate({**entry, "connected": entry["status"] == "connected"})


@blueprint.get("/push-history")
@login_required
@validate_querystring(HistoryQuery)
@validate_response(HistoryOut)
async def push_history(query_args: HistoryQuery) -> HistoryOut:
    """The user's pushes, newest first (dry runs included)."""
    provider = service.tracker_of(query_args.provider) if query_args.provider else None
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows = await repo.list_runs(conn, user_id=caller.id, provider=provider, max_rows=query_args.limit)
    return HistoryOut(runs=[_run(row) for row in rows])


@blueprint.get("/mappings/<entity_id>")
@login_required
@validate_response(MappingsOut)
async def mappings(entity_id: str) -> MappingsOut:
    """Where one of the user's epics, features, stories or bugs was pushed."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        rows = await repo.entity_mappings(conn, user_id=caller.id, entity_id=entity_id)
    return MappingsOut(
        mappings=[
            MappingOut(
                provider=row["provider"],
                external_key=row["external_key"],
                external_url=row["external_url"],
                last_pushed_at=row["last_pushed_at"].isoformat(),
            )
            for row in rows
        ]
    )


def _run(row: Any) -> RunOut:
    return RunOut(
        run_id=row["run_id"],
        provider=row["provider"],
        epic_id=row["epic_id"],
        push_scope=row["push_scope"],
        status=row["status"],
        is_dry_run=row["is_dry_run"],
        started_at=row["started_at"].isoformat(),
        ended_at=row["ended_at"].isoformat() if row["ended_at"] else None,
        summary=row["summary_json"],
        errors=row["error_json"] or [],
    )
