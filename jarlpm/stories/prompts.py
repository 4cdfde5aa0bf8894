"""Prompts for generating stories from an approved feature and for refining one story in conversation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from jarlpm.delivery_context.rules import prompt_block
from jarlpm.epics.prompts import epic_brief
from jarlpm.llm.calls import Message

PROMPT_VERSION = "story-2026-11-v1"
HISTORY_LIMIT = 10
UPDATE_TAG = "STORY_UPDATE"

GENERATE_ROLE = """You are JarlPM, a senior product manager writing implementation-ready user stories for ONE
approved feature. Each story is "As a <persona>, I want to <action> so that <benefit>", small enough for one
sprint, with Given/When/Then acceptance criteria, a priority (must-have, should-have or nice-to-have),
labels, dependencies, risks, edge cases and notes for engineering where they help."""

REFINE_ROLE = """You are JarlPM, a senior product manager refining ONE user story with a colleague.
Sharpen the persona, the action and the benefit, and make every acceptance criterion testable.
When the user agrees to a change, end your reply with the new values of only the changed fields:
[STORY_UPDATE]{"persona": "...", "action": "...", "benefit": "...", "acceptance_criteria": ["Given ... When ... Then ..."]}[/STORY_UPDATE]
Leave out fields that do not change. Never emit the block for a change the user has not agreed to."""

STORY_SHAPE = (
    '{"title": "...", "persona": "...", "action": "...", "benefit": "...", '
    '"acceptance_criteria": ["Given ... When ... Then ..."], "story_priority": "should-have", '
    '"labels": ["..."], "dependencies": [], "risks": [], "edge_cases": [], "notes_for_engineering": "..."}'
)


def _feature_block(feature: Mapping) -> str:
    criteria = "\n".join(f"- {item}" for item in feature["acceptance_criteria"]) or "- none"
    return f"FEATURE: {feature['title']}\nDescription: {feature['description']}\nAcceptance criteria:\n{criteria}"


def generate_prompt(
    epic: Mapping | None, feature: Mapping, context: Mapping | None, count: int
) -> tuple[str, list[Message]]:
    parts = [prompt_block(context), GENERATE_ROLE, *([epic_brief(epic)] if epic else []), _feature_block(feature)]
    request = f"Write {count} user stories for this feature. Reply with only a JSON array of {count} objects, no prose:\n[{STORY_SHAPE}]"
    return "\n\n".join(parts), [{"role": "user", "content": request}]


def _story_block(story: Mapping) -> str:
    criteria = "\n".join(f"- {item}" for item in story["acceptance_criteria"]) or "- none yet"
    return f"STORY: {story['story_text']}\nAcceptance criteria:\n{criteria}"


def refine_system_prompt(story: Mapping, feature: Mapping | None, context: Mapping | None) -> str:
    parts = [prompt_block(context), REFINE_ROLE, *([_feature_block(feature)] if feature else []), _story_block(story)]
    return "\n\n".join(parts)


def chat_messages(history: Sequence[Mapping], user_message: str) -> list[Message]:
    recent = [{"role": event["role"], "content": event["content"]} for event in history][-HISTORY_LIMIT:]
    return [*recent, {"role": "user", "content": user_message}]


INTERVIEW_ROLE = """You are JarlPM, a senior product manager interviewing a colleague to write ONE user story.
Ask exactly one short question per reply, building on the answers so far: who the user is, what they need to
do, why it matters, and how we will know it works. Never ask about something already answered.
As soon as you know the persona, the action, the benefit and at least two testable acceptance criteria, stop
asking and end your reply with the proposal in exactly this form:
```json
{"proposal": {"title": "...", "persona": "...", "action": "...", "benefit": "...", "acceptance_criteria": ["Given ... When ... Then ..."], "story_points": null}}
```"""


def interview_system_prompt(context: Mapping | None) -> str:
    return "\n\n".join([prompt_block(context), INTERVIEW_ROLE])
