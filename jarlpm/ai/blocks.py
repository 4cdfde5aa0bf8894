"""Finding the data a model's reply carries, without asking it anything: a JSON value anywhere in prose,
a tagged block (`[FEATURE_UPDATE]{json}[/FEATURE_UPDATE]`), a fenced block (```json {"proposal": ...} ```).
Validating and repairing what is found is `jarlpm.ai.structured`'s."""

from __future__ import annotations

import json
import re
from typing import Any

FENCED = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


def find_block(reply: str, tag: str) -> str | None:
    match = re.search(rf"\[{tag}\](.*?)\[/{tag}\]", reply, re.DOTALL)
    return match.group(1).strip() if match else None


def find_fenced_json(reply: str, key: str) -> str | None:
    """The last fenced code block of a reply that mentions `"key"` (the interview's proposal)."""
    blocks = [block.strip() for block in FENCED.findall(reply) if f'"{key}"' in block]
    return blocks[-1] if blocks else None


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
    candidates = [text.strip(), *(block.strip() for block in FENCED.findall(text))]
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
