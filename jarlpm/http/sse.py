"""Server-Sent Events: the transport every streaming route answers with.

`stream(body, save=..., done=..., after_error=...)` sends each event dict the body yields as one frame
(`data: <compact JSON>\\n\\n`, one write per event: the web client parses each network chunk on its own),
then the save's events, then `done`. It sends `: keep-alive` after `keep_alive_seconds` of silence,
whatever the body or the save is waiting for (the provider, a JSON repair, a database connection).
`chunk` events still waiting when the client's last write ends go out joined as one (in order, never
split, at most MAX_JOINED_CHUNK characters unless one delta is larger), so a busy process writes fewer
frames; the first chunk is never held back.

The body runs as a job of its own (`jarlpm.http.replies`); the client's response only relays its frames
and holds no database connection. When the body ends, `save(conn, end)` runs once, in one short
transaction retried while the database is briefly away, before the final events, so a client acting on
`done` finds the data. A stream with a save outlives its client: after a disconnect the body still runs
to its end and is saved exactly as if the client had stayed. One without a save (nothing of it is
stored) is cancelled with its client, and its provider call with it. Anything escaping the body
becomes one `error` event with a safe message.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asyncpg import Connection
from quart import Response

from jarlpm.ai.ending import Save, Status, StreamEnd
from jarlpm.ai.failures import AIFailure
from jarlpm.ai.reply import ReplyTooLong
from jarlpm.ai.usage import Meter, start_meter, store
from jarlpm.db.pool import Database
from jarlpm.db.queries import queries
from jarlpm.http.auth import current_caller
from jarlpm.http.replies import ReplyLimits, current_tracker, new_reply_id, save_with_retry
from jarlpm.llm.calls import ProviderError

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
# Chunk texts waiting side by side in a job's queue go out as one `chunk` event of at most this many
# characters (a single larger delta still goes out whole: a delta is never split).
MAX_JOINED_CHUNK = 16_384

Event = Mapping[str, Any]
Done = Event | Callable[[StreamEnd], Event] | None


def frame(event: Event) -> bytes:
    if "type" not in event:
        raise ValueError("every SSE event carries a type")
    return b"data: " + json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str).encode() + b"\n\n"


def event_stream(body: AsyncIterator[bytes]) -> Response:
    response = Response(body, content_type=CONTENT_TYPE, headers=HEADERS)
    response.timeout = None  # Quart's default 60 s would silently cut a long reply
    return response


# Raise AIFailure(message) from a body to end the stream with an `error` event showing that message.
SAFE_FAILURES = (ProviderError, AIFailure)


@dataclass(frozen=True)
class Ending:
    """What closes a stream: its save, and the events after it."""

    save: Save | None = None
    done: Done = None
    after_error: Sequence[Event] = ()


class StreamJob:
    """Runs one body, saves, and queues what the client should see: frames, and the text of `chunk`
    events as a plain str so that the relay can join the texts waiting side by side (None closes it)."""

    def __init__(
        self, body: AsyncIterator[Event], database: Database, limits: ReplyLimits, ending: Ending, user_id: str
    ) -> None:
        self.body = body
        self.database = database
        self.user_id = user_id  # whom the save acts for (row-level security), fixed by the request
        self.limits = limits
        self.ending = ending
        self.frames: asyncio.Queue[bytes | str | None] = asyncio.Queue()
        self._taken: bytes | str | None = None  # taken from the queue while joining chunks, sent next
        self._holding = False
        self.reply_id = new_reply_id()
        self._producing: asyncio.Future[None] | None = None
        self._interrupted = False

    @property
    def survives_its_client(self) -> bool:
        return self.ending.save is not None

    def interrupt(self) -> None:
        """Shutdown: stop the body now (reading or repairing) and save what it has, marked interrupted."""
        self._interrupted = True
        if self._producing is not None:
            self._producing.cancel()

    async def run(self) -> None:
        meter = start_meter()  # this task's provider calls are collected and stored with the save
        try:
            end = await self._end()
            events = await self._store(end, meter)
            if events is None:
                end = StreamEnd("failed", end.error or SAVE_FAILURE, self.reply_id)
            for chunk in self._final_frames(end, events or []):
                self.frames.put_nowait(chunk)
        except asyncio.CancelledError:
            await asyncio.shield(self._store_usage_only(meter))  # the calls made still cost the user
            raise
        finally:
            self.frames.put_nowait(None)

    async def _produce(self) -> None:
        async with asyncio.timeout(self.limits.max_seconds):
            async for event in self.body:
                self.frames.put_nowait(chunk_text(event) or frame(event))

    async def next_frame(self, wait: float) -> bytes | None:
        """The next frame to send (None: the end); TimeoutError after `wait` seconds of silence.

        Chunk texts already queued behind the first are joined with it: they arrived while the client's
        last write was under way, so joining them delays nothing, and saves a frame and a write each."""
        if self._holding:
            item, self._holding, self._taken = self._taken, False, None
        elif not self.frames.empty():
            item = self.frames.get_nowait()  # the busy path: no timer, no await
        else:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for wraps every wait in a task of its own.
            async with asyncio.timeout(wait):
                item = await self.frames.get()
        if not isinstance(item, str):
            return item
        return frame({"type": "chunk", "content": self._join(item)})

    def _join(self, text: str) -> str:
        parts, size = [text], len(text)
        while not self.frames.empty():
            item = self.frames.get_nowait()
            if not isinstance(item, str) or size + len(item) > MAX_JOINED_CHUNK:
                self._taken, self._holding = item, True
                break
            parts.append(item)
            size += len(item)
        return "".join(parts)

    def _ended(self, status: Status, error: str | None = None) -> StreamEnd:
        return StreamEnd(status, error, self.reply_id)

    async def _end(self) -> StreamEnd:
        self._producing = asyncio.ensure_future(self._produce())
        try:
            await self._producing
            return self._ended("completed")
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

    async def _store(self, end: StreamEnd, meter: Meter) -> list[Event] | None:
        """The save's events; None when it could not be stored within the retry budget."""
        save = self.ending.save

        async def once() -> list[Event]:
            async with self.database.transaction(self.user_id) as conn:
                if not await first_save(conn, end.reply_id):
                    return []  # an earlier attempt committed although its connection broke
                await store(conn, meter.records)
                return list(await save(conn, end)) if save else []

        try:
            return await save_with_retry(once, self.limits.save_retry_seconds)
        except Exception:
            log.exception("storing an AI reply failed")
            return None if save else []  # lost usage rows are logged, not shown to the user

    async def _store_usage_only(self, meter: Meter) -> None:
        if not meter.records:
            return
        try:
            async with self.database.transaction(self.user_id) as conn:
                await store(conn, meter.records)
        except Exception:
            log.exception("storing the usage of a cancelled AI stream failed")

    def _final_frames(self, end: StreamEnd, events: Sequence[Event]) -> list[bytes]:
        ending = self.ending
        if not end.completed:
            return [frame({"type": "error", "message": end.error}), *(frame(event) for event in ending.after_error)]
        done = ending.done(end) if callable(ending.done) else ending.done or {"type": "done"}
        return [frame(event) for event in [*events, done]]


def chunk_text(event: Event) -> str | None:
    """The text of a plain `{type: chunk, content}` event (the only kind joined); None for any other."""
    if event.get("type") != "chunk" or len(event) != 2:
        return None
    content = event.get("content")
    return content if isinstance(content, str) and content else None


async def first_save(conn: Connection, reply_id: str) -> bool:
    """Claims the stream's id in the saving transaction: False when a committed attempt already saved it."""
    return await queries.replies.claim_reply(conn, reply_id=reply_id) is not None


async def _relay(job: StreamJob, task: asyncio.Task[None], *, keep_alive_seconds: float) -> AsyncIterator[bytes]:
    """The job's frames, and a keep-alive whenever it has been silent for `keep_alive_seconds`."""
    try:
        while True:
            try:
                chunk = await job.next_frame(keep_alive_seconds)
            except TimeoutError:
                yield KEEP_ALIVE
                continue
            if chunk is None:
                return
            yield chunk
    finally:
        if not job.survives_its_client and not task.done():
            task.cancel()


def stream(
    body: AsyncIterator[Event],
    *,
    save: Save | None = None,
    done: Done = None,
    after_error: Sequence[Event] = (),
    keep_alive_seconds: float = KEEP_ALIVE_SECONDS,
    conversation: str | None = None,
) -> Response:
    """The streaming response: the body's events, then the save's, then `done` (or `error`, then
    `after_error`). The body starts at once, as a tracked job; `conversation` (from
    `replies.conversation_idle`) is what the next message of the same conversation waits for."""
    tracker = current_tracker()
    job = StreamJob(body, tracker.database, tracker.limits, Ending(save, done, after_error), current_caller().id)
    task = tracker.start(job.run(), interrupt=job.interrupt, conversation=conversation if save else None)
    return event_stream(_relay(job, task, keep_alive_seconds=keep_alive_seconds))
