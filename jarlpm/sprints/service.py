"""Sprint steps behind the routes: today's sprint from the delivery context, committing a story, the WIP
advice, keeping an AI insight, and the sprint a scope plan makes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from asyncpg import Connection
from pydantic import BaseModel

from jarlpm import ai, db
from jarlpm.delivery.rules import capacity, total_points
from jarlpm.delivery_context import repo as delivery_context
from jarlpm.errors import APIError
from jarlpm.http.auth import Caller
from jarlpm.llm.calls import LLMCall
from jarlpm.sprints import prompts, repo, rules
from jarlpm.sprints.models import FromDeliveryOut, StoryItem, WipSuggestions
from jarlpm.sprints.tables import InsightType
from jarlpm.stories.service import NOT_FOUND as STORY_NOT_FOUND

NOT_CONFIGURED = ("SPRINT_NOT_CONFIGURED", "Sprint not configured")
PLAN_NOT_FOUND = ("SCOPE_PLAN_NOT_FOUND", "No active scope plan for this initiative")


def today() -> date:
    """The day sprints are counted on: users keep no time zone, so it is the UTC day, the same for all."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class SprintNow:
    """The user's delivery context and the sprint it makes current (None: not configured)."""

    context: dict | None
    sprint: rules.Sprint | None

    @property
    def number(self) -> int | None:
        return self.sprint.number if self.sprint else None


@dataclass(frozen=True)
class SprintWork:
    """A configured current sprint and its stories: what the AI helpers talk about."""

    context: dict | None
    sprint: rules.Sprint
    stories: list[dict]


async def sprint_now(conn: Connection, *, user_id: str) -> SprintNow:
    context = await delivery_context.get_context(conn, user_id=user_id)
    return SprintNow(context, rules.current_sprint(context, today()))


async def configured_sprint(conn: Connection, *, user_id: str, context: dict | None) -> SprintWork:
    """The current sprint of the user's delivery context (as the AI prelude loaded it) with its stories;
    400 when the context configures no sprint."""
    sprint = rules.current_sprint(context, today())
    if sprint is None:
        raise APIError(400, *NOT_CONFIGURED)
    stories = await repo.list_sprint_stories(conn, user_id=user_id, sprint_number=sprint.number)
    return SprintWork(context, sprint, stories)


async def commit_story(conn: Connection, *, user_id: str, story_id: str) -> dict:
    """Commit one of the user's stories to the current sprint (404 before 400: another user's story
    says nothing about their setup)."""
    now = await sprint_now(conn, user_id=user_id)
    if now.sprint is None:
        if await repo.get_sprint_story(conn, user_id=user_id, story_id=story_id) is None:
            raise APIError(404, *STORY_NOT_FOUND)
        raise APIError(400, *NOT_CONFIGURED)
    story = await repo.commit_story(conn, user_id=user_id, story_id=story_id, sprint_number=now.sprint.number)
    if story is None:
        raise APIError(404, *STORY_NOT_FOUND)
    return story


async def keep_insight(caller: Caller, *, sprint_number: int, insight_type: InsightType, answer: BaseModel) -> None:
    """Store an AI answer as the sprint's newest insight of its type, in its own short transaction."""
    async with db.transaction(caller) as conn:
        await repo.add_insight(
            conn,
            user_id=caller.id,
            sprint_number=sprint_number,
            insight_type=insight_type,
            content=answer.model_dump(mode="json"),
        )


async def ask_wip_advice(call: LLMCall, work: SprintWork) -> WipSuggestions:
    """The model's advice on the stories in progress, keeping only picks among them."""
    system, messages = prompts.wip_prompt(work.context, work.sprint, work.stories)
    advice: WipSuggestions = await ai.structured(call, system, messages, WipSuggestions)
    started = rules.in_progress(work.stories)
    advice.finish_first = rules.known_picks(advice.finish_first, started)
    advice.consider_pausing = rules.known_picks(advice.consider_pausing, started)
    return advice


async def plan_for_sprint(conn: Connection, *, user_id: str, epic_id: str) -> FromDeliveryOut:
    """The current sprint as the epic's active scope plan shapes it: its kept stories against one sprint."""
    plan = await repo.get_active_scope_plan(conn, user_id=user_id, epic_id=epic_id)
    if plan is None:
        raise APIError(404, *PLAN_NOT_FOUND)
    now = await sprint_now(conn, user_id=user_id)
    stories = await repo.list_epic_stories(conn, user_id=user_id, epic_id=epic_id)
    included, deferred = rules.split_by_plan(stories, plan["deferred_story_ids"])
    sprint_number, sprint_capacity = now.number or 0, capacity(now.context).sprint
    included_points = total_points(included)
    return FromDeliveryOut(
        epic_id=epic_id,
        sprint_number=sprint_number,
        sprint_capacity=sprint_capacity,
        included_stories=[StoryItem.model_validate(story) for story in included],
        included_points=included_points,
        deferred_stories=[StoryItem.model_validate(story) for story in deferred],
        fits_in_sprint=included_points <= sprint_capacity,
        message=rules.plan_fit_message(sprint_number, included_points, sprint_capacity),
    )
