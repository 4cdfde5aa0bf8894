"""Structured output, one mechanism everywhere: ask for JSON, extract it, validate it with pydantic,
and ask the model to repair it (up to 2 times) before giving up with a clear error. Every provider
call is metered."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from jarlpm.ai.failures import AIFailure
from jarlpm.ai.usage import Outcome, Stopwatch, record, usage_record
from jarlpm.llm.calls import LLMCall, Message, ProviderError, Usage, complete

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_REPAIRS = 2
_FENCED = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


class StructuredOutputError(AIFailure):
    """The model's reply did not become valid data, even after repairs."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors


async def metered_complete(call: LLMCall, system: str, messages: Sequence[Message]) -> str:
    """`complete()`, with its usage row recorded however it ends."""
    usage, watch = Usage(), Stopwatch()
    outcome: Outcome = "failed"
    try:
        text = await complete(call, system, messages, usage)
        outcome = "ok"
        return text
    finally:
        await record(usage_record(call, usage, watch, outcome))


def _balanced(text: str, start: int) -> str | None:
    """The JSON value that opens at text[start], found by matching brackets outside strings."""
    closing = {"{": "}", "[": "]"}
    stack: list[str] = []
    in_string = escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in closing:
            stack.append(closing[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                return text[start : index + 1]
    return None


def extract_json(text: str) -> Any:
    """The JSON a reply carries: the whole text, a fenced block, or the first balanced object or array."""
    candidates = [text.strip(), *(block.strip() for block in _FENCED.findall(text))]
    for opener in re.finditer(r"[\[{]", text):
        value = _balanced(text, opener.start())
        if value:
            candidates.append(value)
            break
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    raise ValueError("the reply contains no JSON value")


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
            reply = await metered_complete(call, system, conversation)
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
