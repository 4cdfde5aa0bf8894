"""Tagged update blocks in a chat reply (`[FEATURE_UPDATE]{json}[/FEATURE_UPDATE]`): found, validated,
and repaired by the model when invalid. A block that stays invalid is dropped, never half-applied."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from jarlpm.llm.calls import LLMCall, Message, ProviderError
from jarlpm.llm.structured import StructuredOutputError, parse_or_repair

log = logging.getLogger(__name__)

T = TypeVar("T")


def find_block(reply: str, tag: str) -> str | None:
    match = re.search(rf"\[{tag}\](.*?)\[/{tag}\]", reply, re.DOTALL)
    return match.group(1).strip() if match else None


def strip_blocks(reply: str, tag: str) -> str:
    return re.sub(rf"\s*\[{tag}\].*?\[/{tag}\]\s*", "\n", reply, flags=re.DOTALL).strip()


async def parse_update(
    call: LLMCall, system: str, messages: Sequence[Message], reply: str, tag: str, schema: type[T] | Any
) -> T | None:
    """The validated update the reply carries, or None when it carries none (or an unusable one)."""
    block = find_block(reply, tag)
    if block is None:
        return None
    try:
        return await parse_or_repair(call, system, [*messages, {"role": "assistant", "content": reply}], block, schema)
    except (StructuredOutputError, ProviderError) as error:
        log.info("dropping an unusable %s block: %s", tag, getattr(error, "message", error))
        return None
