"""The PRD generation prompt: the epic, its features and stories in; the StructuredPRD JSON out."""

from __future__ import annotations

import json
from collections.abc import Mapping

from jarlpm.delivery_context.rules import prompt_block
from jarlpm.epics.prompts import outline_text
from jarlpm.llm.calls import Message
from jarlpm.prd.models import StructuredPRD

ROLE = """You are JarlPM, a senior product manager. Write a product requirements document for the epic
below, using its problem, outcome, acceptance criteria, features and stories. Invent no features the epic
does not describe; where something is unknown, say so in open_questions. Reply with only one JSON object
with exactly this shape (every key present, strings and lists as shown):
"""


def system_prompt(context: Mapping | None) -> str:
    shape = json.dumps(StructuredPRD().model_dump(mode="json"), indent=1)
    return "\n\n".join([prompt_block(context), ROLE + shape])


def prd_prompt(outline: Mapping, context: Mapping | None) -> tuple[str, list[Message]]:
    return system_prompt(context), [{"role": "user", "content": outline_text(outline)}]
