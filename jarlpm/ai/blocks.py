"""Data blocks inside a chat reply: tagged updates (`[FEATURE_UPDATE]{json}[/FEATURE_UPDATE]`) and fenced
proposals (```json {"proposal": {...}} ```). Found, validated, and repaired by the model when invalid; a
block that stays invalid is dropped, never half-applied."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from jarlpm.ai.structured import StructuredOutputError, parse_or_repair
from jarlpm.llm.calls import LLMCall, Message, ProviderError

log = logging.getLogger(__name__)

T = TypeVar("T")


def find_block(reply: str, tag: str) -> str | None:
    match = re.search(rf"\[{tag}\](.*?)\[/{tag}\]", reply, re.DOTALL)
    return match.group(1).strip() if match else None


_FENCED = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


def find_fenced_json(reply: str, key: str) -> str | None:
    """The last fenced code block of a reply that mentions `"key"` (the interview's proposal)."""
    blocks = [block.strip() for block in _FENCED.findall(reply) if f'"{key}"' in block]
    return blocks[-1] if blocks else None


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
