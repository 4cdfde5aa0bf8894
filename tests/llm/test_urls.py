"""The local base URL rules on their own: what is refused (400 INVALID_BASE_URL) and what still passes."""

from __future__ import annotations

import pytest

from jarlpm.errors import APIError
from jarlpm.llm.urls import check_reachable_url, normalize_local_base_url


@pytest.mark.parametrize(
    "raw",
    [
        "http://[::1/v1",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:0",
        "http://exa\x00mple.com",
        "http://models.internal/v\x001",
        "http://exa\x1bmple.com",
        "http://exa\u200bmple.com",  # invisible, and a different host once the HTTP client maps it
        "http://exa mple.com",
        "http://exa\nmple.com",
        "http://",
        "https://:443",
        "http://[::1]:8080junk",
        "http://[fe80::1%25eth0]:8080",
        "http://" + "a" * 64 + ".internal",
    ],
)
async def test_a_malformed_url_is_refused_when_saved_and_when_called(raw) -> None:
    with pytest.raises(APIError) as saving:
        normalize_local_base_url(raw)
    assert (saving.value.status, saving.value.code) == (400, "INVALID_BASE_URL")
    for allow_private in (True, False):
        with pytest.raises(APIError) as calling:
            await check_reachable_url(raw, allow_private=allow_private)
        assert (calling.value.status, calling.value.code) == (400, "INVALID_BASE_URL")


@pytest.mark.parametrize(
    "raw,normalized",
    [
        (" http://localhost:11434/ \n", "http://localhost:11434/v1"),
        ("http://ollama_server:11434/v1", "http://ollama_server:11434/v1"),  # a Docker Compose service name
        ("https://LLM.Example.com/v1/", "https://LLM.Example.com/v1"),
        ("http://[::1]:8000", "http://[::1]:8000/v1"),
        ("http://bücher.example/api", "http://bücher.example/api/v1"),
        ("http://127.0.0.1:65535", "http://127.0.0.1:65535/v1"),
        ("http://localhost:/v1", "http://localhost:/v1"),  # an empty port is the scheme's default
    ],
)
async def test_well_formed_urls_still_pass(raw, normalized) -> None:
    assert normalize_local_base_url(raw) == normalized
    await check_reachable_url(normalized, allow_private=True)
