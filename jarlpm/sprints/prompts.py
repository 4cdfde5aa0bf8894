"""Prompts for the sprint AI helpers: kickoff plan, standup summary, WIP suggestions (JSON answers)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from jarlpm.delivery_context.rules import prompt_block
from jarlpm.llm.calls import Message
from jarlpm.sprints.rules import Sprint, by_bucket

KICKOFF_ROLE = """You are JarlPM, a senior product manager running a sprint kickoff. From the stories committed to
the sprint, propose one sprint goal, the three to five stories that matter most (by their id) with the reason,
the order to tackle the work in, and the delivery risks. Use only the story ids listed. Reply with only this JSON:
{"sprint_goal": "...", "top_stories": [{"id": "story_...", "title": "...", "reason": "..."}], "sequencing": ["..."], "risks": ["..."]}"""

STANDUP_ROLE = """You are JarlPM, a senior product manager writing the daily standup summary of a sprint. Say
what changed (stories recently moved on), what is blocked and why, and what the team should do next, in short
sentences, then a two-sentence summary. Reply with only this JSON:
{"what_changed": ["..."], "whats_blocked": ["..."], "what_to_do_next": ["..."], "summary": "..."}"""

WIP_ROLE = """You are JarlPM, a senior product manager limiting work in progress. Of the stories in progress,
say which to finish first and which to consider pausing, each with a reason, and explain your reasoning.
Use only the ids of stories in progress. Reply with only this JSON:
{"finish_first": [{"id": "story_...", "title": "...", "reason": "..."}], "consider_pausing": [{"id": "story_...", "title": "...", "reason": "..."}], "reasoning": "..."}"""

COLUMN_TITLES = {
    "backlog": "Not started",
    "ready": "Ready",
    "in_progress": "In progress",
    "done": "Done",
    "blocked": "Blocked",
}


def sprint_header(sprint: Sprint) -> str:
    return (
        f"Sprint {sprint.number}: {sprint.start_date.isoformat()} to {sprint.end_date.isoformat()} "
        f"({sprint.cycle_length} days, {sprint.days_remaining} remaining, {sprint.progress}% elapsed)"
    )


def story_line(story: Mapping) -> str:
    points = story.get("story_points")
    details = [f"{points} points" if points is not None else "not estimated", story.get("priority") or "no priority"]
    if story.get("blocked_reason"):
        details.append(f"blocked because: {story['blocked_reason']}")
    if story.get("updated_at"):
        details.append(f"last changed {story['updated_at']:%Y-%m-%d %H:%M} UTC")
    line = f"- [{story['story_id']}] {story['title']} ({'; '.join(details)})"
    if story.get("story_text") and story["story_text"] != story["title"]:
        line += f"\n  {story['story_text']}"
    return line


def board(stories: Iterable[Mapping]) -> str:
    """The stories by board column, the empty columns left out."""
    sections = [
        f"{COLUMN_TITLES[column]}:\n" + "\n".join(story_line(story) for story in listed)
        for column, listed in by_bucket(stories).items()
        if listed
    ]
    return "\n\n".join(sections)


def _prompt(
    role: str, context: Mapping | None, sprint: Sprint, stories: Iterable[Mapping]
) -> tuple[str, list[Message]]:
    system = "\n\n".join([prompt_block(context), role])
    return system, [{"role": "user", "content": f"{sprint_header(sprint)}\n\n{board(stories)}"}]


def kickoff_prompt(context: Mapping | None, sprint: Sprint, stories: Iterable[Mapping]) -> tuple[str, list[Message]]:
    return _prompt(KICKOFF_ROLE, context, sprint, stories)


def standup_prompt(context: Mapping | None, sprint: Sprint, stories: Iterable[Mapping]) -> tuple[str, list[Message]]:
    return _prompt(STANDUP_ROLE, context, sprint, stories)


def wip_prompt(context: Mapping | None, sprint: Sprint, stories: Iterable[Mapping]) -> tuple[str, list[Message]]:
    return _prompt(WIP_ROLE, context, sprint, stories)
