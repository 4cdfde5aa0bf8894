"""Server-Sent Events, and the prelude / stream / epilogue shape every AI route streams with.

Frames are `data: <compact JSON>\\n\\n`, one JSON object with a `type` per event and one write per
event (the web client parses each network chunk on its own). While the provider is silent a
`: keep-alive` comment goes out every 15 s, fed by a reader task so no SDK read is ever cancelled.

The stream holds no database connection. The reply is produced by a job of its own
(`jarlpm.http.replies`): when the provider is done, one short transaction runs the caller's epilogue
(retried while the database is briefly away) before the final events, so a client acting on `done`
finds the data. The client only relays the job's frames: when it goes away, a reply with an epilogue
is still read to its end and stored whole; one without (nothing of it is stored) is cancelled.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Mapping,
    Sequence,
)
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Literal

from asyncpg import Connection
from quart import Response

from jarlpm.db.pool import Database
from jarlpm.db.queries import queries
from jarlpm.http.replies import (
    ReplyLimits,
    ReplyTooLong,
    current_tracker,
    new_reply_id,
    save_with_retry,
)
from jarlpm.llm.calls import ProviderError
from jarlpm.llm.structured import StructuredOutputError

log = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 15.0
KEEP_ALIVE = b": keep-alive\n\n"
CONTENT_TYPE = "text/event-stream; charset=utf-8"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
GENERIC_FAILURE = "An error occurred while generating the response"
SAVE_FAILURE = "The reply could not be saved; please try again"
TOO_LONG = "The AI reply went past the length limit and was cut off; the part received is saved"
TOO_SLOW = "The AI reply took longer than allowed and was cut off; the part received is saved"
SHUTTING_DOWN = "The service is restarting; the part of the reply received is saved. Please continue shortly"


def frame(event: Mapping[str, Any]) -> bytes:
    if "type" not in event:
        raise ValueError("every SSE event carries a type")
    return b"data: " + json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str).encode() + b"\n\n"


def event_stream(body: AsyncIterator[bytes]) -> Response:
    response = Response(body, content_type=CONTENT_TYPE, headers=HEADERS)
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
    """How a reply ended, as the epilogue sees it."""

    status: Literal["completed", "failed", "interrupted"]
    text: str  # everything the provider sent
    result: Any = None  # what `finish` made of the text (completed replies only)
    error: str | None = None  # the safe message (failed and interrupted replies)
    reply_id: str = ""  # one per reply: the same on every attempt to store it

    @property
    def interrupted(self) -> bool:
        return self.status != "completed"

    def reply_metadata(self, metadata: Mapping[str, Any]) -> dict[str, Any] | None:
        """The metadata to store the assistant's reply with, or None when there is nothing to store (no
        text arrived). A reply the provider or the service cut short is marked interrupted."""
        if not self.text:
            return None
        return {**metadata, **({"interrupted": True} if self.interrupted else {})}


Finish = Callable[[str], Awaitable[Any]]
Announce = Callable[[StreamEnd], Sequence[Mapping[str, Any]]]
Epilogue = Callable[[Connection, StreamEnd], Awaitable[Sequence[Mapping[str, Any]]]]
Done = Mapping[str, Any] | Callable[[StreamEnd], Mapping[str, Any]] | None


@dataclass(frozen=True)
class Ending:
    """What a reply does once the provider is done: result, storage, and the events that close it."""

    finish: Finish | None = None
    epilogue: Epilogue | None = None
    announce: Announce | None = None
    done: Done = None
    after_error: Sequence[Mapping[str, Any]] = ()


class ReplyJob:
    """Reads one reply, stores it and queues the frames the client should see (None closes them)."""

    def __init__(self, deltas: AsyncGenerator[str, None], database: Database, limits: ReplyLimits, ending: Ending) -> None:
        self.deltas = deltas
        self.database = database
        self.limits = limits
        self.ending = ending
        self.frames: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.reply_id = new_reply_id()
        self._received: list[str] = []
        self._producing: asyncio.Future[Any] | None = None
        self._interrupted = False

    @property
    def text(self) -> str:
        return "".join(self._received)

    def interrupt(self) -> None:
        """Shutdown: stop reading (or repairing) now and store what arrived, marked interrupted."""
        self._interrupted = True
        if self._producing is not None:
            self._producing.cancel()

    async def run(self) -> None:
        try:
            end = await self._end()
            events = await self._store(end)
            if events is None:
                end = StreamEnd("failed", end.text, error=end.error or SAVE_FAILURE, reply_id=self.reply_id)
            for chunk in self._final_frames(end, events or []):
                self.frames.put_nowait(chunk)
        finally:
            self.frames.put_nowait(None)

    async def _read(self) -> Any:
        size = 0
        # aclosing: a reply cut at its bounds closes the provider's stream now, not when collected.
        async with asyncio.timeout(self.limits.max_seconds), aclosing(self.deltas):
            async for delta in self.deltas:
                self._received.append(delta)
                self.frames.put_nowait(frame({"type": "chunk", "content": delta}))
                size += len(delta)
                if size > self.limits.max_chars:
                    raise ReplyTooLong
        finish = self.ending.finish
        return await finish(self.text) if finish else None

    def _ended(self, status: Literal["completed", "failed", "interrupted"], error: str | None = None, result: Any = None) -> StreamEnd:
        return StreamEnd(status, self.text, result=result, error=error, reply_id=self.reply_id)

    async def _end(self) -> StreamEnd:
        self._producing = asyncio.ensure_future(self._read())
        try:
            return self._ended("completed", result=await self._producing)
        except SAFE_FAILURES as error:
            return self._ended("failed", error.message)
        except ReplyTooLong:
            return self._ended("interrupted", TOO_LONG)
        except TimeoutError:
            return self._ended("interrupted", TOO_SLOW)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if self._interrupted and not (current and current.cancelling()):
                return self._ended("interrupted", SHUTTING_DOWN)
            raise
        except Exception:
            log.exception("AI stream failed")
            return self._ended("failed", GENERIC_FAILURE)

    async def _store(self, end: StreamEnd) -> list[Mapping[str, Any]] | None:
        """The epilogue's events; None when it could not be stored within the retry budget."""
        epilogue = self.ending.epilogue
        if epilogue is None:
            return []

        async def once() -> list[Mapping[str, Any]]:
            async with self.database.transaction() as conn:
                if not await first_save(conn, end.reply_id):
                    return []  # an earlier attempt committed although its connection broke
                return list(await epilogue(conn, end))

        try:
            return await save_with_retry(once, self.limits.save_retry_seconds)
        except Exception:
            log.exception("storing an AI reply failed")
            return None

    def _final_frames(self, end: StreamEnd, events: Sequence[Mapping[str, Any]]) -> list[bytes]:
        ending = self.ending
        if end.status != "completed":
            return [frame({"type": "error", "message": end.error}), *(frame(event) for event in ending.after_error)]
        announced = ending.announce(end) if ending.announce else []
        done = ending.done(end) if callable(ending.done) else ending.done or {"type": "done"}
        return [frame(event) for event in [*announced, *events, done]]


async def first_save(conn: Connection, reply_id: str) -> bool:
    """Claims the reply id in the saving transaction: False when a committed attempt already stored it."""
    return await queries.replies.claim_reply(conn, reply_id=reply_id) is not None


async def _relay(job: ReplyJob, task: asyncio.Task[None], *, keep_alive_seconds: float) -> AsyncIterator[bytes]:
    """The job's frames, and a keep-alive whenever it has been silent for `keep_alive_seconds` (whether it
    is reading, repairing or saving). A reply nothing is stored of stops when its client goes away."""
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(job.frames.get(), keep_alive_seconds)
            except TimeoutError:
                yield KEEP_ALIVE
                continue
            if chunk is None:
                return
            yield chunk
    finally:
        if job.ending.epilogue is None and not task.done():
            task.cancel()


def ai_events(
    deltas: AsyncGenerator[str, None],
    *,
    database: Database,
    epilogue: Epilogue | None = None,
    finish: Finish | None = None,
    announce: Announce | None = None,
    done: Done = None,
    after_error: Sequence[Mapping[str, Any]] = (),
    keep_alive_seconds: float = KEEP_ALIVE_SECONDS,
    conversation: str | None = None,
) -> AsyncIterator[bytes]:
    """`chunk` events as the provider streams, then the epilogue, its events, and `done`.

    `finish` turns the full text into a result without a connection (parsing, repairs); `announce`
    turns a completed reply into events that need no database (e.g. generated drafts); the epilogue
    stores what should be stored and adds its events. On failure the client gets `error` (then
    `after_error`). The reply starts at once, as a tracked job; `conversation` names what a following
    message must wait for (see `replies.conversation_idle`). Call it from the handler (it needs the app).
    """
    tracker = current_tracker()
    ending = Ending(finish=finish, epilogue=epilogue, announce=announce, done=done, after_error=after_error)
    job = ReplyJob(deltas, database, tracker.limits, ending)
    task = tracker.start(job.run(), interrupt=job.interrupt, conversation=conversation if epilogue else None)
    return _relay(job, task, keep_alive_seconds=keep_alive_seconds)
