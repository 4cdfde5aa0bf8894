"""What the LLM-layer tests send, and an LLMCall aimed at the fake provider."""

from __future__ import annotations

import httpx2

from jarlpm.llm.calls import LLMCall
from tests.fakes.llm_server import VALID_KEY, FakeLLMServer

SYSTEM = "You are a careful assistant."
MESSAGES = [{"role": "user", "content": "Say hello"}]
PROVIDERS = ["openai", "anthropic"]  # the two dialects; google and local speak openai's


def make_call(fake: FakeLLMServer, http: httpx2.AsyncClient, provider: str = "openai", **overrides) -> LLMCall:  # type: ignore[no-untyped-def]
    base_urls = {
        "openai": fake.openai_url,
        "google": fake.openai_url,
        "local": fake.openai_url,
        "anthropic": fake.anthropic_url,
    }
    values = {
        "provider": provider,
        "model": f"{provider}-model",
        "base_url": base_urls[provider],
        "api_key": VALID_KEY,
        "http": http,
    }
    values.update(overrides)
    return LLMCall(**values)  # type: ignore[arg-type]
