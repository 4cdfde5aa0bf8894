"""The PRD generation prompt: the epic, its features and stories in; the StructuredPRD JSON out."""

from __future__ import annotations

import json
from collections.abc import Mapping

from jarlpm.delivery_context.rules import prompt_block
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


def epic_text(outline: Mapping) -> str:
    """The epic as the model reads it: its snapshot, then features with their stories."""
    parts = [
        f"Epic: {outline['title']}",
        f"Problem statement: {outline.get('problem_statement') or 'Not specified'}",
        f"Desired outcome: {outline.get('desired_outcome') or 'Not specified'}",
        f"Summary: {outline.get('epic_summary') or 'Not specified'}",
        "Acceptance criteria: " + "; ".join(outline.get("acceptance_criteria") or []),
        "Features and stories (JSON): " + json.dumps(outline.get("features") or []),
    ]
    return "\n".join(parts)


def prd_prompt(outline: Mapping, context: Mapping | None) -> tuple[str, list[Message]]:
    return system_prompt(context), [{"role": "user", "content": epic_text(outline)}]
