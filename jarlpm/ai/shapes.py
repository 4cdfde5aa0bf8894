"""The AI conversation shapes the rooms share, as stream bodies (async iterators of event dicts):

- `chunks(reply)`: the reply's text as `chunk` events (a chat whose room saves the reply);
- `drafts(...)`: generate items (features, stories), then one event with the validated list; nothing
  is stored;
- `Refinement`: talk about one item; a tagged update block in the reply is validated, and its `save`
  stores the reply and applies the update through the room's writes;
- `Interview`: the client keeps the history, the assistant asks one question at a time, and `done`
  carries the proposal (a fenced ```json {"proposal": {...}} ``` block) once there is one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from asyncpg import Connection
from pydantic import BaseModel, Field, create_model

from jarlpm.ai.blocks import find_fenced_json
from jarlpm.ai.ending import StreamEnd
from jarlpm.ai.reply import Reply
from jarlpm.ai.structured import parse_block, parse_or_repair, parse_update
from jarlpm.llm.calls import LLMCall, Message

Event = dict[str, Any]
AFTER_FAILED_DRAFTS = ({"type": "done"},)  # the contract ends a failed generation with `done` too


def call_metadata(call: LLMCall, prompt_version: str) -> dict[str, str]:
    """Recorded on every stored assistant message: which wording and which model produced it."""
    return {"prompt_version": prompt_version, "provider": call.provider, "model": call.model}


async def chunks(reply: Reply) -> AsyncIterator[Event]:
    async for delta in reply:
        yield {"type": "chunk", "content": delta}


async def drafts(
    call: LLMCall, system: str, messages: Sequence[Message], *, schema: Any, event: str
) -> AsyncIterator[Event]:
    """chunk*, then `{type: event, event: [items]}` with the validated (repaired) items."""
    reply = Reply(call, system, messages)
    async for item in chunks(reply):
        yield item
    items = await parse_or_repair(call, system, messages, reply.text, schema)
    yield {"type": event, event: [found.model_dump() for found in items]}


@dataclass(frozen=True)
class RefinementWrites:
    """What a room stores for a refinement: the assistant's reply, and the update it carries.
    `apply_update` answers False when the item was approved meanwhile (content frozen): the update is
    then dropped, not announced."""

    save_reply: Callable[[Connection, str, dict], Awaitable[None]]
    apply_update: Callable[[Connection, dict], Awaitable[bool]]


class Refinement:
    """chunk*, then (from `save`) the applied update announced as `event`."""

    def __init__(
        self,
        call: LLMCall,
        system: str,
        messages: Sequence[Message],
        *,
        tag: str,
        update: type[BaseModel],
        event: str,
        metadata: Mapping[str, Any],
        writes: RefinementWrites,
    ) -> None:
        self.reply = Reply(call, system, messages)
        self.tag, self.update_model, self.event = tag, update, event
        self.metadata, self.writes = metadata, writes
        self.update: BaseModel | None = None

    async def events(self) -> AsyncIterator[Event]:
        async for item in chunks(self.reply):
            yield item
        reply = self.reply
        self.update = await parse_update(
            reply.call, reply.system, reply.messages, reply.text, self.tag, self.update_model
        )

    async def save(self, conn: Connection, end: StreamEnd) -> list[Event]:
        reply_metadata = end.reply_metadata(self.reply.text, self.metadata)
        if reply_metadata is None:
            return []
        await self.writes.save_reply(conn, self.reply.text, reply_metadata)
        if not end.completed or self.update is None:
            return []
        changes = self.update.changes()  # type: ignore[attr-defined]
        if not await self.writes.apply_update(conn, changes):
            return []
        return [{"type": self.event, "update": changes}]


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class InterviewIn(BaseModel):
    content: str = Field(min_length=1, max_length=20_000)
    conversation_history: list[HistoryMessage] = Field(default_factory=list, max_length=100)

    def messages(self) -> list[Message]:
        return [*(item.model_dump() for item in self.conversation_history), {"role": "user", "content": self.content}]


class Interview:
    """chunk*, then (as `done`) `{proposal, is_complete}`; nothing is stored."""

    def __init__(self, call: LLMCall, system: str, messages: Sequence[Message], *, proposal: type[BaseModel]) -> None:
        self.reply = Reply(call, system, messages)
        self.envelope = create_model(f"{proposal.__name__}Envelope", proposal=(proposal, ...))
        self.proposal: BaseModel | None = None

    async def events(self) -> AsyncIterator[Event]:
        async for item in chunks(self.reply):
            yield item
        reply = self.reply
        block = find_fenced_json(reply.text, "proposal")
        found: Any = await parse_block(reply.call, reply.system, reply.messages, reply.text, block, self.envelope)
        self.proposal = found.proposal if found else None

    def done(self, end: StreamEnd) -> Event:
        found = self.proposal.model_dump() if self.proposal else None
        return {"type": "done", "proposal": found, "is_complete": found is not None}
