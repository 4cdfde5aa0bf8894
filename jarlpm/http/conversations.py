"""The three AI conversation shapes the rooms share, on top of sse.ai_events:

- drafts: generate items (features, stories) and announce the validated list; nothing is stored;
- refinement: talk about one item; a tagged update block in the reply is validated and the room's
  epilogue stores the reply and applies the update;
- interview: the client keeps the history, the assistant asks one question at a time, and `done`
  carries the proposal (a fenced ```json {"proposal": {...}} ``` block) once there is one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Literal

from asyncpg import Connection

from pydantic import BaseModel, Field, create_model

from jarlpm.db.pool import Database
from jarlpm.http.sse import Epilogue, StreamEnd, ai_events
from jarlpm.llm.calls import LLMCall, Message, stream
from jarlpm.llm.structured import parse_or_repair
from jarlpm.llm.update_blocks import find_fenced_json, parse_block, parse_update

AFTER_FAILED_DRAFTS = [{"type": "done"}]  # the contract ends a failed generation with `done` too


def call_metadata(call: LLMCall, prompt_version: str) -> dict[str, str]:
    """Recorded on every stored assistant message: which wording and which model produced it."""
    return {"prompt_version": prompt_version, "provider": call.provider, "model": call.model}


def draft_events(
    call: LLMCall, system: str, messages: Sequence[Message], *, database: Database, schema: Any, event: str
) -> AsyncIterator[bytes]:
    """chunk*, then `{type: event, event: [items]}` with the validated (repaired) items, then done."""

    async def validate(text: str) -> Any:
        return await parse_or_repair(call, system, messages, text, schema)

    def announce(end: StreamEnd) -> list[dict]:
        return [{"type": event, event: [item.model_dump() for item in end.result]}]

    deltas = stream(call, system, messages)
    return ai_events(
        deltas, database=database, finish=validate, announce=announce, after_error=AFTER_FAILED_DRAFTS
    )


SaveReply = Callable[[Connection, str, dict], Awaitable[None]]
ApplyUpdate = Callable[[Connection, dict], Awaitable[bool]]


def refinement_epilogue(*, metadata: dict, event: str, save_reply: SaveReply, apply_update: ApplyUpdate) -> Epilogue:
    """Stores the assistant's reply, then applies its validated update and announces it as `event`.

    `apply_update` answers False when the item was approved while the reply streamed (content frozen):
    the update is then dropped, not announced.
    """

    async def save(conn: Connection, end: StreamEnd) -> list[dict]:
        reply_metadata = end.reply_metadata(metadata)
        if reply_metadata is None:
            return []
        await save_reply(conn, end.text, reply_metadata)
        if end.result is None:
            return []
        changes = end.result.changes()
        if not await apply_update(conn, changes):
            return []
        return [{"type": event, "update": changes}]

    return save


def refinement_events(
    call: LLMCall,
    system: str,
    messages: Sequence[Message],
    *,
    database: Database,
    tag: str,
    update: type[BaseModel],
    epilogue: Epilogue,
    conversation: str,
) -> AsyncIterator[bytes]:
    """chunk*, then whatever the epilogue announces (the applied update), then done."""

    async def find_update(text: str) -> BaseModel | None:
        return await parse_update(call, system, messages, text, tag, update)

    deltas = stream(call, system, messages)
    return ai_events(deltas, database=database, finish=find_update, epilogue=epilogue, conversation=conversation)


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
