"""Turning what a user submits into a checked provider target, and checking its key live."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from jarlpm.config import Settings
from jarlpm.crypto import SecretUnreadable, decrypt
from jarlpm.errors import APIError
from jarlpm.llm.calls import LLMCall
from jarlpm.llm.clients import current_http_client
from jarlpm.llm.keys import KeyCheck, check_key
from jarlpm.llm.urls import check_reachable_url, normalize_local_base_url
from jarlpm.llm_providers.models import ProviderIn


@dataclass(frozen=True)
class Target:
    provider: str
    api_key: str | None = field(repr=False)
    base_url: str | None  # stored: only a local server has one
    endpoint: str  # where the SDK is pointed
    model_name: str | None


def endpoint_for(settings: Settings, provider: str, base_url: str | None) -> str:
    return base_url if provider == "local" and base_url else settings.llm_base_url(provider)


async def target_for(settings: Settings, data: ProviderIn) -> Target:
    """Validate the submitted provider, key and URL (400 with a reason), resolving the SSRF rule."""
    api_key = (data.api_key or "").strip() or None
    model_name = (data.model_name or "").strip() or None
    if data.provider != "local":
        if api_key is None:
            raise APIError(400, "API_KEY_REQUIRED", f"An API key is required for {data.provider}")
        # Hosted providers are reached at the server's configured endpoints; a submitted base_url is ignored.
        return Target(data.provider, api_key, None, settings.llm_base_url(data.provider), model_name)
    if not (data.base_url or "").strip():
        raise APIError(400, "BASE_URL_REQUIRED", "A base_url is required for a local provider")
    base_url = normalize_local_base_url(data.base_url or "")
    await check_reachable_url(base_url, allow_private=settings.llm_allow_private_urls)
    return Target(data.provider, api_key, base_url, base_url, model_name)


KEY_CHECK_ERRORS = {
    KeyCheck.REJECTED: ("INVALID_API_KEY", "Invalid API key for {provider}. Please check the key and try again."),
    KeyCheck.UNREACHABLE: ("PROVIDER_UNREACHABLE", "Could not reach {provider} to check the key. Please try again."),
    KeyCheck.FAILED: ("PROVIDER_ERROR", "{provider} returned an error while checking the key. Please try again."),
}


async def check_target(target: Target) -> KeyCheck:
    return await check_key(
        current_http_client(), provider=target.provider, base_url=target.endpoint, api_key=target.api_key
    )


def raise_unless_valid(target: Target, result: KeyCheck) -> None:
    if result is not KeyCheck.VALID:
        code, detail = KEY_CHECK_ERRORS[result]
        raise APIError(400, code, detail.format(provider=target.provider))


NO_PROVIDER = "No LLM provider configured. Please add an API key in Settings."


def call_for(settings: Settings, config: Mapping | None) -> LLMCall:
    """The call (key decrypted) for a user's active configuration (`provider`, `encrypted_api_key`,
    `base_url`, `model_name`); 400 without one, or when its key cannot be read."""
    if config is None:
        raise APIError(400, "NO_LLM_PROVIDER", NO_PROVIDER)
    try:
        api_key = decrypt(settings.encryption_key, config["encrypted_api_key"]) if config["encrypted_api_key"] else None
    except SecretUnreadable:
        raise APIError(
            400, "LLM_KEY_UNREADABLE", "The stored API key cannot be read; please save it again in Settings"
        ) from None
    return LLMCall(
        provider=config["provider"],
        model=config["model_name"] or settings.llm_default_model(config["provider"]),
        base_url=endpoint_for(settings, config["provider"], config["base_url"]),
        api_key=api_key,
        http=current_http_client(),
        allow_private_urls=settings.llm_allow_private_urls,
    )
