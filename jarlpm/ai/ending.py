"""How a streamed AI reply ended, as the route's save sees it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from asyncpg import Connection

Status = Literal["completed", "failed", "interrupted"]


@dataclass(frozen=True)
class StreamEnd:
    status: Status
    error: str | None = None  # the safe message (failed and interrupted streams)
    reply_id: str = ""  # one per stream: the same on every attempt to save it

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    def reply_metadata(self, text: str, metadata: Mapping[str, Any]) -> dict[str, Any] | None:
        """The metadata to store an assistant reply with, or None when there is nothing to store (no
        text arrived). A reply the provider, its bounds or a shutdown cut short is marked interrupted."""
        if not text:
            return None
        return {**metadata, **({} if self.completed else {"interrupted": True})}


# Runs once per stream in one short transaction, before the final events; returns events to send.
Save = Callable[[Connection, StreamEnd], Awaitable[Sequence[Mapping[str, Any]]]]
