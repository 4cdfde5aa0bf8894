"""Waiting for the fake provider to receive a call, for the tests that act while the model thinks."""

from __future__ import annotations

import asyncio

from tests.fakes.llm_server import FakeLLMServer


async def model_called(fake_llm: FakeLLMServer, count: int) -> None:
    """Returns once the fake has received `count` chat requests in all (fails after ~4 s)."""
    for _ in range(200):
        if len(fake_llm.chat_requests()) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the model was never called")
