"""Prompts of the three delivery-reality helpers: cut rationale, alternative cuts, risk review.

Each starts from the read-only delivery context, then the team's capacity, the epic and every one of
its stories with id, points, priority and feature, so the model reasons on the same numbers the
screen shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jarlpm.delivery import rules
from jarlpm.delivery.rules import Scope
from jarlpm.delivery_context.rules import prompt_block
from jarlpm.llm.calls import Message

ROLE = """You are JarlPM, a senior product manager and delivery lead. You help a colleague fit an
initiative into the capacity of their team. Be concrete, name stories by their titles, never invent
stories, numbers or facts about the business; when you assume, say so."""

CUT_RATIONALE = """TASK: Explain the scope cut below to stakeholders: why deferring these stories is the right
trade-off for the next two sprints, what users lose or wait for, and what to validate first so the
deferred stories can be brought back with confidence. Reply with only this JSON:
{"rationale": "...", "user_impact_tradeoff": "...", "what_to_validate_first": "..."}"""

ALTERNATIVE_CUTS = """TASK: Propose three alternative ways to cut the scope so that it fits two sprints, one per
strategy: cut_polish (defer polish, refinements and nice-to-have touches), cut_integrations (defer
integrations with other systems), cut_low_adoption (defer what few users will need at first). Each cut
defers stories whose points together cover the deficit. Use only the story ids listed above.
Reply with only this JSON:
{"alternatives": [{"name": "...", "description": "...", "strategy": "cut_polish|cut_integrations|cut_low_adoption", "stories_to_defer": ["story_..."], "total_deferred_points": 0}]}"""

RISK_REVIEW = """TASK: Review the delivery risk of this initiative over the next two sprints: the three biggest
delivery risks, the three assumptions that most need checking, and one time-boxed spike (in story
points) that would reduce the risk most. Reply with only this JSON:
{"top_delivery_risks": ["...", "...", "..."], "top_assumptions": ["...", "...", "..."], "suggested_spike": {"title": "...", "points": 3, "description": "..."}}"""


def _capacity(scope: Scope) -> str:
    team = scope.team
    return (
        "TEAM CAPACITY:\n"
        f"- {team.developers} developers x {team.points_per_developer} points per developer per sprint\n"
        f"- One sprint: {team.sprint} points; two sprints: {team.two_sprints} points"
    )


def _epic(scope: Scope) -> str:
    epic = scope.epic
    lines = [f"INITIATIVE: {epic['title']}"]
    for label, key in (("Problem", "problem_statement"), ("Outcome", "desired_outcome"), ("Summary", "epic_summary")):
        if epic.get(key):
            lines.append(f"{label}: {epic[key]}")
    return "\n".join(lines)


def _story_line(story: Mapping[str, Any]) -> str:
    size = story["story_points"]
    return (
        f"- {story['story_id']} | {'unestimated' if size is None else f'{size} points'} | "
        f"{story['story_priority'] or 'no priority'} | feature: {story['feature_title']} | {story['story_text']}"
    )


def _stories(stories: Sequence[Mapping[str, Any]], heading: str) -> str:
    if not stories:
        return f"{heading}:\n- none"
    return f"{heading}:\n" + "\n".join(_story_line(story) for story in stories)


def _scope(scope: Scope) -> str:
    over = f"{scope.deficit} points over capacity" if scope.deficit else f"{scope.delta} points to spare"
    return (
        f"SCOPE: {scope.total_points} points in {len(scope.stories)} stories against {scope.team.two_sprints} "
        f"points of capacity: {over} ({scope.assessment.replace('_', ' ')})."
    )


def _system(task: str, scope: Scope) -> str:
    return "\n\n".join([prompt_block(scope.context), ROLE, _capacity(scope), task])


def _facts(scope: Scope) -> list[str]:
    return [_epic(scope), _scope(scope), _stories(scope.stories, "STORIES (id | points | priority | feature | story)")]


def cut_rationale_prompt(scope: Scope, cut: Sequence[Mapping[str, Any]]) -> tuple[str, list[Message]]:
    heading = f"THE CUT: stories deferred ({rules.total_points(cut)} points)"
    content = "\n\n".join([*_facts(scope), _stories(cut, heading)])
    return _system(CUT_RATIONALE, scope), [{"role": "user", "content": content}]


def alternative_cuts_prompt(scope: Scope) -> tuple[str, list[Message]]:
    content = "\n\n".join([*_facts(scope), f"DEFICIT TO COVER: {scope.deficit} points."])
    return _system(ALTERNATIVE_CUTS, scope), [{"role": "user", "content": content}]


def risk_review_prompt(scope: Scope) -> tuple[str, list[Message]]:
    return _system(RISK_REVIEW, scope), [{"role": "user", "content": "\n\n".join(_facts(scope))}]
