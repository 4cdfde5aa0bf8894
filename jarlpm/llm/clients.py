"""SDK clients for every provider, all on one HTTP client that lives as long as the process.

OpenAI, Google (its OpenAI-compatible endpoint) and local servers go through the `openai` SDK;
Anthropic through the `anthropic` SDK. Building an SDK client is cheap when it reuses the shared
HTTP client (without it each call costs ~20 ms of CPU and a new connection pool).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx2
from anthropic import AsyncAnthropic
from openai import AsyncOpenAI
from quart import current_app

if TYPE_CHECKING:
    from jarlpm.config import Settings

EXTENSION_KEY = "jarlpm.llm_http"
# The openai SDK refuses an empty key; a local server without auth ignores whatever is sent.
NO_KEY = "no-key"


def open_http_client(settings: Settings) -> httpx2.AsyncClient:
    timeout = httpx2.Timeout(settings.llm_read_timeout, connect=settings.llm_connect_timeout)
    return httpx2.AsyncClient(
        timeout=timeout, limits=httpx2.Limits(max_connections=1000, max_keepalive_connections=100)
    )


def current_http_client() -> httpx2.AsyncClient:
    return current_app.extensions[EXTENSION_KEY]


# Each SDK would otherwise apply its own 600 s default over the shared client's timeouts.
def openai_client(http: httpx2.AsyncClient, *, base_url: str, api_key: str | None, max_retries: int) -> AsyncOpenAI:
    return AsyncOpenAI(
        api_key=api_key or NO_KEY, base_url=base_url, http_client=http, max_retries=max_retries, timeout=http.timeout
    )


def anthropic_client(http: httpx2.AsyncClient, *, base_url: str, api_key: str, max_retries: int) -> AsyncAnthropic:
    return AsyncAnthropic(
        api_key=api_key, base_url=base_url, http_client=http, max_retries=max_retries, timeout=http.timeout
    )
