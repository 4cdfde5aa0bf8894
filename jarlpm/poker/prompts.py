"""What each persona is asked: the story, the delivery context, and the JSON answer expected."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jarlpm.delivery_context.rules import prompt_block
from jarlpm.llm.calls import Message
from jarlpm.poker.rules import Persona
from jarlpm.poker.tables import FIBONACCI_POINTS

SCALE = ", ".join(str(points) for points in FIBONACCI_POINTS)


@dataclass(frozen=True)
class StoryBrief:
    """The story as the personas read it (a stored story or one typed in for a custom estimate)."""

    title: str
    description: str
    acceptance_criteria: tuple[str, ...] = ()


def brief_of(story: Mapping) -> StoryBrief:
    title = story.get("title") or story["story_text"]
    return StoryBrief(title, story["story_text"], tuple(story.get("acceptance_criteria") or ()))


def system_prompt(persona: Persona, context: Mapping | None) -> str:
    return (
        f"{prompt_block(context)}\n\n"
        f"You are {persona.name}, a {persona.role} in an agile team's planning poker session. "
        f"When you size a story you weigh {persona.focus}.\n\n"
        f"Estimate the story in story points on the Fibonacci scale: one of {SCALE}. "
        "Reply with only this JSON, no prose and no code fences:\n"
        '{"estimate": <one of ' + SCALE + '>, "reasoning": "<two or three sentences from your perspective>", '
        '"confidence": "low" | "medium" | "high"}'
    )


def story_message(brief: StoryBrief) -> list[Message]:
    return [{"role": "user", "content": story_text(brief)}]


def story_text(brief: StoryBrief) -> str:
    criteria = _bullets(brief.acceptance_criteria) or "- (none given)"
    return f"Story: {brief.title}\n\nDescription:\n{brief.description}\n\nAcceptance criteria:\n{criteria}"


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in lines if line.strip())
