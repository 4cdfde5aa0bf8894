"""AI replies that outlive the request: read to their end, stored whole, tracked until shutdown.

A reply is produced by a `ReplyJob`, a task of its own: it reads the provider, turns the text into a
result, stores it (retrying while the database is briefly away) and queues the frames the client
should see. The client's stream only relays those frames. So when the client goes away (a reload, a
closed lid), a reply whose result is stored keeps going and is saved exactly as if the client had
stayed; one whose result is not stored (drafts, interviews) is cancelled, and the provider call with it.

Only a provider failure, a reply over its bounds (LLM_MAX_REPLY_SECONDS, LLM_MAX_REPLY_CHARS) or the
service shutting down (after SHUTDOWN_GRACE_SECONDS) stores a partial reply, marked interrupted.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from quart import current_app

from jarlpm.admin import metrics
from jarlpm.db.pool import Database, DatabaseUnavailable, OutcomeUnknown, PoolTimeout
from jarlpm.errors import APIError

log = logging.getLogger(__name__)

EXTENSION_KEY = "jarlpm.replies"
CONVERSATION_WAIT_SECONDS = 30.0
INTERRUPT_SAVE_SECONDS = 10.0
# Failures a later attempt can get past; an epilogue is idempotent per reply, so a commit whose
# outcome is unknown is retried too (the second attempt finds the reply stored and does nothing).
RETRYABLE = (DatabaseUnavailable, PoolTimeout, OutcomeUnknown)


@dataclass(frozen=True)
class ReplyLimits:
    max_seconds: float
    max_chars: int
    save_retry_seconds: float


class ReplyTooLong(Exception):
    pass


async def save_with_retry(save: Callable[[], Awaitable[Any]], budget: float) -> Any:
    """`save()`, tried again with backoff while the database is away, for at most `budget` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    delay = 0.1
    while True:
        try:
            return await save()
        except RETRYABLE as error:
            if loop.time() + delay > deadline:
                raise
            log.warning("saving a reply failed (%s); retrying in %.1f s", error.code, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def new_reply_id() -> str:
    return f"msg_{uuid.uuid4().hex[:12]}"


class ReplyTracker:
    """Every running reply job of the process, by conversation too, so that shutdown can wait for them
    and a new message waits for the reply before it."""

    def __init__(self, database: Database, limits: ReplyLimits) -> None:
        self.database = database
        self.limits = limits
        self._jobs: set[asyncio.Task[None]] = set()
        self._interrupters: dict[asyncio.Task[None], Callable[[], None]] = {}
        self._conversations: dict[str, asyncio.Task[None]] = {}

    def start(
        self, work: Awaitable[None], *, interrupt: Callable[[], None], conversation: str | None
    ) -> asyncio.Task[None]:
        task = asyncio.ensure_future(work)
        self._jobs.add(task)
        metrics.stream_opened()
        self._interrupters[task] = interrupt
        if conversation is not None:
            self._conversations[conversation] = task
        task.add_done_callback(lambda done: self._forget(done, conversation))
        return task

    def _forget(self, task: asyncio.Task[None], conversation: str | None) -> None:
        self._jobs.discard(task)
        metrics.stream_closed()
        self._interrupters.pop(task, None)
        if conversation is not None and self._conversations.get(conversation) is task:
            del self._conversations[conversation]
        if not task.cancelled() and task.exception() is not None:
            log.error("a reply job failed", exc_info=task.exception())

    async def wait_until_stored(self, conversation: str, within: float = CONVERSATION_WAIT_SECONDS) -> None:
        """Waits for the conversation's reply in progress, if any; 409 when it takes longer than `within`."""
        task = self._conversations.get(conversation)
        if task is None:
            return
        done, _ = await asyncio.wait([task], timeout=within)
        if not done:
            raise APIError(
                409,
                "REPLY_IN_PROGRESS",
                "The previous reply in this conversation is still being completed. Please retry shortly.",
                headers={"Retry-After": "5"},
            )

    @property
    def running(self) -> int:
        return len(self._jobs)

    async def shutdown(self, grace: float) -> None:
        """Lets running replies finish for `grace` seconds, then interrupts the rest (each stores what
        it has, marked interrupted) and waits a little for those saves."""
        if not self._jobs:
            return
        log.info("waiting up to %g s for %d AI replies to finish", grace, len(self._jobs))
        _, pending = await asyncio.wait(set(self._jobs), timeout=grace)
        if not pending:
            return
        log.warning("interrupting %d AI replies at shutdown", len(pending))
        for task in pending:
            self._interrupters.get(task, task.cancel)()
        _, stuck = await asyncio.wait(pending, timeout=INTERRUPT_SAVE_SECONDS)
        for task in stuck:
            task.cancel()


def current_tracker() -> ReplyTracker:
    return current_app.extensions[EXTENSION_KEY]


async def conversation_idle(session_key: str, kind: str, item_id: str) -> str:
    """For a chat prelude, before it reads the history: waits until the reply to the previous message
    of this conversation is stored. Returns the conversation's name, for `sse.stream(conversation=)`.
    Named by the caller's session (known before the user is), so nobody else's messages are delayed."""
    conversation = f"{session_key}/{kind}/{item_id}"
    await current_tracker().wait_until_stored(conversation)
    return conversation
