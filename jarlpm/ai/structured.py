"""Structured output, one mechanism everywhere: ask for JSON, extract it (`jarlpm.ai.blocks`), validate
it with pydantic, and ask the model to repair it (up to 2 times) before giving up with a clear error.
A block inside a chat reply (an update, a proposal) goes through the same repairs, and one that stays
invalid is dropped, never half-applied. Every provider call is metered."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from jarlpm.ai.blocks import extract_json, find_block
from jarlpm.ai.failures import AIFailure
from jarlpm.ai.usage import Outcome, Stopwatch, record, usage_record
from jarlpm.llm.calls import LLMCall, Message, ProviderError, Usage, complete

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_REPAIRS = 2


class StructuredOutputError(AIFailure):
    """The model's reply did not become valid data, even after repairs."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors


async def metered_complete(call: LLMCall, system: str, messages: Sequence[Message], *, repair: bool = False) -> str:
    """`complete()`, with its usage row recorded however it ends (`repair`: it asks to fix invalid output)."""
    usage, watch = Usage(), Stopwatch()
    outcome: Outcome = "failed"
    try:
        text = await complete(call, system, messages, usage)
        outcome = "ok"
        return text
    except asyncio.CancelledError:
        outcome = "interrupted"  # cut by its client or shutdown: not the model's failure
        raise
    finally:
        await record(usage_record(call, usage, watch, outcome, repair=repair))


def _problems(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return [f"{'.'.join(map(str, item['loc'])) or 'value'}: {item['msg']}" for item in error.errors()]
    return [str(error)]


def parse(text: str, schema: type[T] | Any) -> T:
    """Validate a reply against a schema (a pydantic model or any type TypeAdapter accepts)."""
    return TypeAdapter(schema).validate_python(extract_json(text))


def _repair_prompt(problems: list[str], schema: type[T] | Any) -> str:
    json_schema = json.dumps(TypeAdapter(schema).json_schema(), separators=(",", ":"))
    listed = "\n".join(f"- {problem}" for problem in problems)
    return (
        "Your previous reply could not be used:\n"
        f"{listed}\n\n"
        "Reply again with only the corrected JSON, no prose and no code fences. It must match this JSON schema:\n"
        f"{json_schema}"
    )


async def parse_or_repair(
    call: LLMCall,
    system: str,
    messages: Sequence[Message],
    reply: str,
    schema: type[T] | Any,
    *,
    max_repairs: int = MAX_REPAIRS,
) -> T:
    """Validate a reply already received (e.g. streamed); ask for repairs while it is invalid."""
    conversation = list(messages)
    for attempt in range(max_repairs + 1):
        try:
            return parse(reply, schema)
        except (ValueError, ValidationError) as error:
            problems = _problems(error)
            if attempt == max_repairs:
                log.info("structured output still invalid after %d repairs: %s", max_repairs, problems[:3])
                raise StructuredOutputError(
                    "The AI reply could not be turned into valid data; please try again", problems
                ) from None
            conversation += [
                {"role": "assistant", "content": reply},
                {"role": "user", "content": _repair_prompt(problems, schema)},
            ]
            reply = await metered_complete(call, system, conversation, repair=True)
    raise AssertionError("unreachable")


async def structured(
    call: LLMCall, system: str, messages: Sequence[Message], schema: type[T] | Any, *, max_repairs: int = MAX_REPAIRS
) -> T:
    """Ask, then validate (and repair) the reply into `schema`; AIFailure (502 AI_FAILED in a JSON route)
    when the provider fails or the output stays unusable."""
    try:
        reply = await metered_complete(call, system, messages)
        return await parse_or_repair(call, system, messages, reply, schema, max_repairs=max_repairs)
    except ProviderError as error:
        raise AIFailure(error.message) from None


async def parse_update(
    call: LLMCall, system: str, messages: Sequence[Message], reply: str, tag: str, schema: type[T] | Any
) -> T | None:
    """The validated [TAG] update the reply carries, or None when it carries none (or an unusable one)."""
    return await parse_block(call, system, messages, reply, find_block(reply, tag), schema)


async def parse_block(
    call: LLMCall, system: str, messages: Sequence[Message], reply: str, block: str | None, schema: type[T] | Any
) -> T | None:
    """`block` (found in `reply`) validated into `schema`, repaired if needed; None when absent or unusable."""
    if block is None:
        return None
    try:
        return await parse_or_repair(call, system, [*messages, {"role": "assistant", "content": reply}], block, schema)
    except (StructuredOutputError, ProviderError) as error:
        log.info(
            "dropping an unusable %s block: %s", getattr(schema, "__name__", "data"), getattr(error, "message", error)
        )
        return None
