"""One streamed provider reply: iterate it for the text deltas; it keeps the text and the tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import cast

from jarlpm.ai.usage import Outcome, Stopwatch, note, usage_record
from jarlpm.http import current_settings
from jarlpm.llm.calls import LLMCall, Message, Usage, stream


class ReplyTooLong(Exception):
    """The reply went past LLM_MAX_REPLY_CHARS: cut there (what arrived is kept)."""


class Reply:
    """`async for delta in reply` streams the provider's reply once; `.text` is everything received so
    far and `.usage` the tokens reported. Its call is metered when it ends, however it ends. Build it in
    the handler (it reads the reply bound from the settings)."""

    def __init__(self, call: LLMCall, system: str, messages: Sequence[Message]) -> None:
        self.call = call
        self.system = system
        self.messages = list(messages)
        self.usage = Usage()
        self.max_chars = current_settings().llm_max_reply_chars
        self._parts: list[str] = []
        self._size = 0

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def __aiter__(self) -> AsyncIterator[str]:
        return self._deltas()

    async def _deltas(self) -> AsyncIterator[str]:
        watch, outcome = Stopwatch(), cast(Outcome, "failed")
        try:
            async for delta in stream(self.call, self.system, self.messages, self.usage):
                self._parts.append(delta)
                self._size += len(delta)
                yield delta
                if self._size > self.max_chars:
                    outcome = cast(Outcome, "interrupted")
                    raise ReplyTooLong
            outcome = cast(Outcome, "ok")
        except (asyncio.CancelledError, GeneratorExit):
            outcome = cast(Outcome, "interrupted")
            raise
        finally:
            note(usage_record(self.call, self.usage, watch, outcome))
