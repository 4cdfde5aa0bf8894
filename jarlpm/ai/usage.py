"""Metering: one `llm_usage` row per provider call, tokens as the provider reported them or null.

Rows are never written while a connection is held across a call: a stream collects them on its
`Meter` and stores them in its save; a JSON AI route stores each one right after its call.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from asyncpg import Connection

from jarlpm import db
from jarlpm.admin import metrics
from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.llm.calls import LLMCall, Usage
from jarlpm.usage.prices import cost_usd

log = logging.getLogger(__name__)

Outcome = Literal["ok", "failed", "interrupted"]


@dataclass(frozen=True)
class UsageRecord:
    user_id: str
    route: str
    provider: str
    model: str
    input_tokens: int | None
    output_tokens: int | None
    duration_ms: int
    outcome: Outcome
    repair: bool = False  # the call asked the model to repair its previous, invalid output
    cost_usd: Decimal | None = None


@dataclass
class Meter:
    """The provider calls of one stream, stored with its save."""

    records: list[UsageRecord] = field(default_factory=list)


_meter: ContextVar[Meter | None] = ContextVar("jarlpm_meter", default=None)


def start_meter() -> Meter:
    """Calls made from here on in this task (and the tasks it starts) are collected, not stored."""
    meter = Meter()
    _meter.set(meter)
    return meter


def current_meter() -> Meter | None:
    """The meter of the stream this task runs in (None in a JSON route): a body reads its own calls."""
    return _meter.get()


class Stopwatch:
    def __init__(self) -> None:
        self._started = time.monotonic()

    def milliseconds(self) -> int:
        return round((time.monotonic() - self._started) * 1000)


def usage_record(
    call: LLMCall, usage: Usage, watch: Stopwatch, outcome: Outcome, *, repair: bool = False
) -> UsageRecord | None:
    metrics.llm_call(call.provider, outcome, usage.input_tokens, usage.output_tokens)
    if call.user_id is None:
        return None  # a call outside any route (a script): nobody to meter
    return UsageRecord(
        user_id=call.user_id,
        route=call.route or "-",
        provider=call.provider,
        model=call.model,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        duration_ms=watch.milliseconds(),
        outcome=outcome,
        repair=repair,
        cost_usd=cost_usd(call.provider, call.model, usage.input_tokens, usage.output_tokens, datetime.now(UTC).date()),
    )


def note(record: UsageRecord | None) -> bool:
    """Adds the record to the current stream's meter; False when no stream is metering (a JSON route)."""
    meter = _meter.get()
    if meter is None:
        return False
    if record is not None:
        meter.records.append(record)
    return True


async def record(record: UsageRecord | None) -> None:
    """After a call: on the stream's meter, or (a JSON AI route) stored now on a short connection."""
    if record is None or note(record):
        return
    try:
        async with db.connection(record.user_id) as conn:
            await store(conn, [record])
    except Exception:  # metering never fails the user's request
        log.exception("storing an LLM usage row failed")


async def store(conn: Connection, records: list[UsageRecord]) -> None:
    for item in records:
        await queries.usage.add_usage(
            conn,
            usage_id=new_id("use"),
            user_id=item.user_id,
            route=item.route,
            provider=item.provider,
            model=item.model,
            input_tokens=item.input_tokens,
            output_tokens=item.output_tokens,
            duration_ms=item.duration_ms,
            outcome=item.outcome,
            repair=item.repair,
            cost_usd=item.cost_usd,
        )
