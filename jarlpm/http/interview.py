"""The AI interview shape shared by stories and bugs: the client keeps the history, the assistant asks
one question at a time, and the final `done` event carries the proposal once there is one.

The proposal arrives as a fenced ```json {"proposal": {...}} ``` block, validated (and repaired) against
the room's proposal model. Nothing is stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Literal

from pydantic import BaseModel, Field, create_model

from jarlpm.db.pool import Database
from jarlpm.http.sse import StreamEnd, ai_events
from jarlpm.llm.calls import LLMCall, Message, stream
from jarlpm.llm.update_blocks import find_fenced_json, parse_block


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class InterviewIn(BaseModel):
    content: str = Field(min_length=1, max_length=20_000)
    conversation_history: list[HistoryMessage] = Field(default_factory=list, max_length=100)

    def messages(self) -> list[Message]:
        return [*(item.model_dump() for item in self.conversation_history), {"role": "user", "content": self.content}]


def interview_events(
    call: LLMCall, system: str, messages: Sequence[Message], *, database: Database, proposal: type[BaseModel]
) -> AsyncIterator[bytes]:
    """chunk* then done {proposal, is_complete}; an `error` event when the provider fails."""
    envelope = create_model(f"{proposal.__name__}Envelope", proposal=(proposal, ...))

    async def find_proposal(text: str) -> BaseModel | None:
        found = await parse_block(call, system, messages, text, find_fenced_json(text, "proposal"), envelope)
        return found.proposal if found else None  # type: ignore[attr-defined]

    def done(end: StreamEnd) -> dict:
        found = end.result.model_dump() if end.result else None
        return {"type": "done", "proposal": found, "is_complete": found is not None}

    return ai_events(stream(call, system, messages), database=database, finish=find_proposal, done=done)
