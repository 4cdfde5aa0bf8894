"""/api/llm-providers: a user's provider keys (checked live, stored encrypted, one active)."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_request, validate_response

from jarlpm import db
from jarlpm.crypto import encrypt
from jarlpm.errors import APIError
from jarlpm.http import current_settings
from jarlpm.http.auth import Caller, current_caller, login_required
from jarlpm.llm.keys import KeyCheck
from jarlpm.llm_providers import repo
from jarlpm.llm_providers.models import ConfigOut, MessageOut, ProviderIn, ValidOut
from jarlpm.llm_providers.service import check_target, raise_unless_valid, target_for

blueprint = Blueprint("llm_providers", __name__, url_prefix="/llm-providers")

NOT_FOUND = ("CONFIG_NOT_FOUND", "Configuration not found")


async def _authenticate(caller: Caller) -> None:
    """Check the session now: a key check reaches out to a provider (or a submitted URL), which only a
    signed-in user may make this server do."""
    async with db.connection(caller):
        pass  # entering resolves the caller: 401 for a missing or expired session


@blueprint.get("")
@login_required
@validate_response(list[ConfigOut])
async def list_configs() -> list[ConfigOut]:
    """The user's provider configurations (a plain array; keys are never returned)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        configs = await repo.list_configs(conn, user_id=caller.id)
    return [ConfigOut(**config) for config in configs]


@blueprint.post("")
@login_required
@validate_request(ProviderIn)
@validate_response(ConfigOut)
async def create_config(data: ProviderIn) -> ConfigOut:
    """Check the key with the provider, store it encrypted and make it the active configuration."""
    settings, caller = current_settings(), current_caller()
    await _authenticate(caller)
    target = await target_for(settings, data)
    raise_unless_valid(target, await check_target(target))  # no connection is held during the call
    encrypted = encrypt(settings.encryption_key, target.api_key) if target.api_key else None
    async with db.transaction(caller) as conn:
        config = await repo.save_active(
            conn,
            user_id=caller.id,
            provider=target.provider,
            encrypted_api_key=encrypted,
            base_url=target.base_url,
            model_name=target.model_name,
        )
    return ConfigOut(**config)


@blueprint.post("/validate")
@login_required
@validate_request(ProviderIn)
@validate_response(ValidOut)
async def validate_config(data: ProviderIn) -> ValidOut:
    """Check a key with the provider without storing anything."""
    await _authenticate(current_caller())
    target = await target_for(current_settings(), data)
    return ValidOut(valid=await check_target(target) is KeyCheck.VALID)


@blueprint.delete("/<config_id>")
@login_required
@validate_response(MessageOut)
async def delete_config(config_id: str) -> MessageOut:
    """Delete one of the user's configurations."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        deleted = await repo.delete_config(conn, user_id=caller.id, config_id=config_id)
    if not deleted:
        raise APIError(404, *NOT_FOUND)
    return MessageOut(message="Configuration deleted")


@blueprint.put("/<config_id>/activate")
@login_required
@validate_response(MessageOut)
async def activate_config(config_id: str) -> MessageOut:
    """Make one of the user's configurations the active one (the others are switched off)."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        activated = await repo.activate(conn, user_id=caller.id, config_id=config_id)
    if not activated:
        raise APIError(404, *NOT_FOUND)
    return MessageOut(message="Configuration activated")
