"""Provider-configuration rows: a connection in, plain dicts out. Keys arrive and leave encrypted."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def list_configs(conn: Connection, *, user_id: str) -> list[dict]:
    return [dict(row) async for row in queries.llm_providers.list_configs(conn, user_id=user_id)]


async def _serialise_activation(conn: Connection, *, user_id: str) -> None:
    """Wait for the user's other saves and activations to commit, and keep them out until ours does.

    Switching one config off and another on is two statements; interleaved with a concurrent switch
    (a double click) the second breaks the one-active unique index or deadlocks. Doing it in one UPDATE
    is no cure: a non-deferrable unique index is checked row by row, so the order rows are visited in
    decides whether it fails. A lock on the user's row makes each switch see the last one committed.
    """
    await queries.llm_providers.lock_user_configs(conn, user_id=user_id)


async def save_active(
    conn: Connection,
    *,
    user_id: str,
    provider: str,
    encrypted_api_key: str | None,
    base_url: str | None,
    model_name: str | None,
) -> dict:
    """Upsert the user's config for this provider and make it the only active one (in the caller's transaction)."""
    await _serialise_activation(conn, user_id=user_id)
    await queries.llm_providers.deactivate_all(conn, user_id=user_id)
    row = await queries.llm_providers.upsert_active(
        conn,
        config_id=new_id("llm"),
        user_id=user_id,
        provider=provider,
        encrypted_api_key=encrypted_api_key,
        base_url=base_url,
        model_name=model_name,
    )
    return dict(row)


async def activate(conn: Connection, *, user_id: str, config_id: str) -> bool:
    """Make this config the only active one (in the caller's transaction); False when it is not the user's."""
    await _serialise_activation(conn, user_id=user_id)
    if not await queries.llm_providers.config_exists(conn, user_id=user_id, config_id=config_id):
        return False
    await queries.llm_providers.deactivate_all(conn, user_id=user_id)
    return await queries.llm_providers.activate(conn, user_id=user_id, config_id=config_id) is not None


async def delete_config(conn: Connection, *, user_id: str, config_id: str) -> bool:
    return await queries.llm_providers.delete_config(conn, user_id=user_id, config_id=config_id) is not None


async def get_active(conn: Connection, *, user_id: str) -> dict | None:
    row = await queries.llm_providers.get_active(conn, user_id=user_id)
    return optional_row(row)
