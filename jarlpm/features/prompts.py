"""Prompts for generating features from a locked epic and for refining one feature in conversation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from jarlpm.delivery_context.rules import prompt_block
from jarlpm.epics.prompts import epic_brief
from jarlpm.llm.calls import Message

PROMPT_VERSION = "feature-2026-11-v1"
HISTORY_LIMIT = 10
UPDATE_TAG = "FEATURE_UPDATE"

GENERATE_ROLE = """You are JarlPM, a senior product manager. Break the locked epic below into features:
independently valuable slices a team can build and ship. Each feature has a short title, a description of
what it does and for whom, and testable acceptance criteria. Cover the epic's acceptance criteria; respect
its scope; do not duplicate features."""

REFINE_ROLE = """You are JarlPM, a senior product manager refining ONE feature of a locked epic with a colleague.
Ask focused questions, challenge vague criteria, and keep the feature inside the epic's scope.
When the user agrees to a change, end your reply with the new values of only the changed fields:
[FEATURE_UPDATE]{"title": "...", "description": "...", "acceptance_criteria": ["...", "..."]}[/FEATURE_UPDATE]
Leave out fields that do not change. Never emit the block for a change the user has not agreed to."""


def generate_prompt(epic: Mapping, context: Mapping | None, count: int) -> tuple[str, list[Message]]:
    system = "\n\n".join([prompt_block(context), GENERATE_ROLE, epic_brief(epic)])
    request = (
        f"Propose {count} features for this epic. Reply with only a JSON array of {count} objects, no prose:\n"
        '[{"title": "...", "description": "...", "acceptance_criteria": ["...", "..."]}]'
    )
    return system, [{"role": "user", "content": request}]


def _feature_block(feature: Mapping) -> str:
    criteria = "\n".join(f"- {item}" for item in feature["acceptance_criteria"]) or "- none yet"
    return f"FEATURE: {feature['title']}\nDescription: {feature['description']}\nAcceptance criteria:\n{criteria}"


def refine_system_prompt(epic: Mapping, feature: Mapping, context: Mapping | None) -> str:
    return "\n\n".join([prompt_block(context), REFINE_ROLE, epic_brief(epic), _feature_block(feature)])


def chat_messages(history: Sequence[Mapping], user_message: str) -> list[Message]:
    recent = [{"role": event["role"], "content": event["content"]} for event in history][-HISTORY_LIMIT:]
    return [*recent, {"role": "user", "content": user_message}]
