"""The persona generation prompt (a locked epic with its features and stories) and the portrait prompt."""

from __future__ import annotations

from collections.abc import Mapping

from jarlpm.epics.prompts import outline_text
from jarlpm.llm.calls import Message

PROMPT_VERSION = "personas-1"

ROLE = """You are JarlPM, a senior product manager and UX researcher. From the epic below, with its features
and stories, describe {count} distinct user personas of the people this work serves: realistic, specific,
and grounded in the epic (never generic). Reply with only this JSON:
{{"personas": [{{"name": "...", "role": "...", "age_range": "25-34", "location": "...", "tech_proficiency": "low|medium|high",
"goals_and_motivations": ["..."], "pain_points": ["..."], "key_behaviors": ["..."], "jobs_to_be_done": ["..."],
"product_interaction_context": "...", "representative_quote": "..."}}]}}"""


def generation_prompt(outline: Mapping, count: int) -> tuple[str, list[Message]]:
    """The epic (its snapshot, features and stories, as the epics room renders it) and what to describe."""
    return ROLE.format(count=count), [{"role": "user", "content": outline_text(outline)}]


def portrait_prompt(persona: Mapping) -> str:
    """A default portrait description drawn from the persona (when the user gives none)."""
    details = ", ".join(str(v) for v in (persona["role"], persona.get("age_range"), persona.get("location")) if v)
    return (
        f"A professional, friendly portrait photograph of {persona['name']}, {details}. "
        "Natural light, neutral background, head and shoulders, realistic."
    )
