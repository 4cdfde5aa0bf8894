"""The persona generation prompt (a locked epic with its features and stories) and the portrait prompt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from jarlpm.llm.calls import Message

PROMPT_VERSION = "personas-1"

ROLE = """You are JarlPM, a senior product manager and UX researcher. From the epic below, with its features
and stories, describe {count} distinct user personas of the people this work serves: realistic, specific,
and grounded in the epic (never generic). Reply with only this JSON:
{{"personas": [{{"name": "...", "role": "...", "age_range": "25-34", "location": "...", "tech_proficiency": "low|medium|high",
"goals_and_motivations": ["..."], "pain_points": ["..."], "key_behaviors": ["..."], "jobs_to_be_done": ["..."],
"product_interaction_context": "...", "representative_quote": "..."}}]}}"""


def _lines(label: str, value: object) -> list[str]:
    if isinstance(value, list):
        return [f"{label}:", *(f"- {item}" for item in value)] if value else []
    return [f"{label}: {value}"] if value else []


def _feature_block(feature: Mapping, stories: Sequence[Mapping]) -> list[str]:
    own = [story["story_text"] for story in stories if story["feature_id"] == feature["feature_id"]]
    return [f"Feature: {feature['title']}", f"  {feature['description']}", *(f"  Story: {text}" for text in own)]


def epic_text(epic: Mapping, features: Sequence[Mapping], stories: Sequence[Mapping]) -> str:
    parts = [
        *_lines("Epic", epic["title"]),
        *_lines("Problem", epic.get("problem_statement")),
        *_lines("Desired outcome", epic.get("desired_outcome")),
        *_lines("Summary", epic.get("epic_summary")),
        *_lines("Acceptance criteria", epic.get("acceptance_criteria") or []),
    ]
    for feature in features:
        parts += _feature_block(feature, stories)
    return "\n".join(parts)


def generation_prompt(
    epic: Mapping, features: Sequence[Mapping], stories: Sequence[Mapping], count: int
) -> tuple[str, list[Message]]:
    return ROLE.format(count=count), [{"role": "user", "content": epic_text(epic, features, stories)}]


def portrait_prompt(persona: Mapping) -> str:
    """A default portrait description drawn from the persona (when the user gives none)."""
    details = ", ".join(str(v) for v in (persona["role"], persona.get("age_range"), persona.get("location")) if v)
    return (
        f"A professional, friendly portrait photograph of {persona['name']}, {details}. "
        "Natural light, neutral background, head and shoulders, realistic."
    )
