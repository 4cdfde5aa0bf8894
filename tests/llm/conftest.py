"""What every LLM-layer test needs: an HTTP client, and an LLMCall aimed at the fake provider."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from jarlpm.llm.calls import LLMCall
from tests.fakes.llm_server import VALID_KEY, FakeLLMServer

SYSTEM = "You are a careful assistant."
MESSAGES = [{"role": "user", "content": "Say hello"}]
PROVIDERS = ["openai", "anthropic"]  # the two dialects; google and local speak openai's


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(timeout=httpx2.Timeout(10, connect=5)) as client:
        yield client


def make_call(fake: FakeLLMServer, http: httpx2.AsyncClient, provider: str = "openai", **overrides) -> LLMCall:  # type: ignore[no-untyped-def]
    base_urls = {"openai": fake.openai_url, "google": fake.openai_url, "local": fake.openai_url, "anthropic": fake.anthropic_url}
    values = {"provider": provider, "model": f"{provider}-model", "base_url": base_urls[provider], "api_key": VALID_KEY, "http": http}
    values.update(overrides)
    return LLMCall(**values)  # type: ignore[arg-type]
