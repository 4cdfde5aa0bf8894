"""What every LLM-layer test needs: an HTTP client (helpers.py aims an LLMCall at the fake provider)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(timeout=httpx2.Timeout(10, connect=5)) as client:
        yield client
