"""Server-Sent Events, and the prelude / stream / epilogue shape every AI route streams with.

Frames are `data: <compact JSON>\\n\\n`, one JSON object with a `type` per event and one write per
event (the web client parses each network chunk on its own). While the provider is silent a
`: keep-alive` comment goes out every 15 s, fed by a reader task so no SDK read is ever cancelled.

The stream holds no database connection. When it ends, one short transaction (shielded from
cancellation) runs the caller's epilogue before the final events, so a client acting on `done` finds
the data; it also runs when the client disconnects (with the text received so far) and when the
provider fails (so the failure can be recorded).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from asyncpg import Connection
from quart import Response

from jarlpm.db.pool import Database
from jarlpm.llm.calls import ProviderError
from jarlpm.llm.structured import StructuredOutputError

log = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 15.0
KEEP_ALIVE = b": keep-alive\n\n"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
GENERIC_FAILURE = "An error occurred while generating the response"
SAVE_FAILURE = "The reply could not be saved; please try again"


def frame(event: Mapping[str, Any]) -> bytes:
    if "type" not in event:
        raise ValueError("every SSE event carries a type")
    return b"data: " + json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str).encode() + b"\n\n"


def event_stream(body: AsyncIterator[bytes]) -> Response:
    response = Response(body, content_type="text/event-stream", headers=HEADERS)
    response.timeout = None  # Quart's default 60 s would silently cut a long reply
    return response


class StreamFailure(Exception):
    """Raised by a `finish` step to end the stream with an `error` event; `message` is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


SAFE_FAILURES = (ProviderError, StructuredOutputError, StreamFailure)


@dataclass(frozen=True)
class StreamEnd:
    """How a stream ended, as the epilogue sees it."""

    status: Literal["completed", "failed", "interrupted"]
    text: str  # everything the provider sent
    result: Any = None  # what `finish` made of the text (completed streams only)
    error: str | None = None  # the safe message (failed streams only)

    @property
    def interrupted(self) -> bool:
        return self.status == "interrupted"

    def reply_metadata(self, metadata: Mapping[str, Any]) -> dict[str, Any] | None:
        """The metadata to store the assistant's reply with, or None when there is nothing to store:
        a failed call, or a disconnect before any text arrived. A partial reply is marked interrupted."""
        if self.status == "failed" or (self.interrupted and not self.text):
            return None
        return {**metadata, **({"interrupted": True} if self.interrupted else {})}


Finish = Callable[[str], Awaitable[Any]]
Announce = Callable[[StreamEnd], Sequence[Mapping[str, Any]]]
Epilogue = Callable[[Connection, StreamEnd], Awaitable[Sequence[Mapping[str, Any]]]]

_DONE = object()


async def with_keep_alive(source: AsyncIterator[str], interval: float) -> AsyncIterator[str | None]:
    """The source's items, and None whenever it has been silent for `interval` seconds."""
    queue: asyncio.Queue[object] = asyncio.Queue()

    async def read() -> None:
        try:
            async for item in source:
                await queue.put(item)
            await queue.put(_DONE)
        except Exception as error:  # handed to the consumer; cancellation just ends the reader
            await queue.put(error)

    reader = asyncio.create_task(read())
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), interval)
            except TimeoutError:
                yield None
                continue
            if item is _DONE:
                return
            if isinstance(item, Exception):
                raise item
            yield item  # type: ignore[misc]
    finally:
        reader.cancel()
        await asyncio.wait([reader])  # lets the SDK close its response; never swallows our own cancel


async def _run_epilogue(database: Database, epilogue: Epilogue | None, end: StreamEnd) -> list[Mapping[str, Any]]:
    if epilogue is None:
        return []

    async def save() -> list[Mapping[str, Any]]:
        async with database.transaction() as conn:
            return list(await epilogue(conn, end))

    # Shielded: a disconnect arriving meanwhile cannot cut the transaction in half.
    return await asyncio.shield(asyncio.ensure_future(save()))


async def ai_events(
    deltas: AsyncIterator[str],
    *,
    database: Database,
    epilogue: Epilogue | None = None,
    finish: Finish | None = None,
    announce: Announce | None = None,
    done: Mapping[str, Any] | Callable[[StreamEnd], Mapping[str, Any]] | None = None,
    after_error: Sequence[Mapping[str, Any]] = (),
    keep_alive_seconds: float = KEEP_ALIVE_SECONDS,
) -> AsyncIterator[bytes]:
    """`chunk` events as the provider streams, then the epilogue, its events, and `done`.

    `finish` turns the full text into a result without a connection (parsing, repairs); `announce`
    turns a completed stream into events that need no database (e.g. generated drafts); the epilogue
    stores what should be stored and adds its events. On failure the client gets `error` (then
    `after_error`).
    """
    received: list[str] = []
    try:
        async for delta in with_keep_alive(deltas, keep_alive_seconds):
            if delta is None:
                yield KEEP_ALIVE
                continue
            received.append(delta)
            yield frame({"type": "chunk", "content": delta})
        text = "".join(received)
        end = StreamEnd("completed", text, result=await finish(text) if finish else None)
    except SAFE_FAILURES as error:
        end = StreamEnd("failed", "".join(received), error=error.message)
    except Exception:
        log.exception("AI stream failed")
        end = StreamEnd("failed", "".join(received), error=GENERIC_FAILURE)
    except BaseException:  # the client went away (CancelledError / GeneratorExit): keep what was said
        await _save_interrupted(database, epilogue, "".join(received))
        raise
    async for chunk in _final_frames(database, epilogue, end, announce, done, after_error):
        yield chunk


async def _save_interrupted(database: Database, epilogue: Epilogue | None, text: str) -> None:
    try:
        await _run_epilogue(database, epilogue, StreamEnd("interrupted", text))
    except Exception:
        log.exception("saving an interrupted reply failed")


async def _final_frames(
    database: Database,
    epilogue: Epilogue | None,
    end: StreamEnd,
    announce: Announce | None,
    done: Mapping[str, Any] | Callable[[StreamEnd], Mapping[str, Any]] | None,
    after_error: Sequence[Mapping[str, Any]],
) -> AsyncIterator[bytes]:
    try:
        events = await _run_epilogue(database, epilogue, end)
    except Exception:
        log.exception("AI stream epilogue failed")
        end, events = StreamEnd("failed", end.text, error=end.error or SAVE_FAILURE), []
    if end.status == "failed":
        yield frame({"type": "error", "message": end.error})
        for event in after_error:
            yield frame(event)
        return
    for event in [*(announce(end) if announce else []), *events]:
        yield frame(event)
    yield frame(done(end) if callable(done) else done or {"type": "done"})
