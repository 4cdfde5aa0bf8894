"""/api/sprints: the current sprint and its board, a story's sprint and status, AI insights per sprint,
and a sprint from a delivery-reality scope plan."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_request, validate_response

from jarlpm import ai, db
from jarlpm.delivery.rules import capacity
from jarlpm.errors import APIError
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.rate_limits import ai_route
from jarlpm.sprints import prompts, repo, rules, service
from jarlpm.sprints.models import (
    MAX_SPRINT_NUMBER,
    CommitOut,
    CurrentSprintOut,
    FromDeliveryOut,
    InsightsOut,
    KickoffPlan,
    SprintAssignIn,
    SprintAssignOut,
    StandupSummary,
    StatusIn,
    StatusOut,
    WipSuggestions,
)

blueprint = Blueprint("sprints", __name__, url_prefix="/sprints")

NO_COMMITTED_STORIES = ("NO_SPRINT_STORIES", "No stories committed to current sprint")
NO_SPRINT_STORIES = ("NO_SPRINT_STORIES", "No stories in current sprint")


@blueprint.get("/current")
@login_required
@validate_response(CurrentSprintOut)
async def current() -> CurrentSprintOut:
    """The current sprint, its capacity and its stories by status (every story when no sprint is set)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        now = await service.sprint_now(conn, user_id=caller.id)
        stories = await repo.list_sprint_stories(conn, user_id=caller.id, sprint_number=now.number)
    return CurrentSprintOut.of(now.sprint, capacity(now.context), stories)


@blueprint.put("/story/<story_id>/sprint")
@login_required
@validate_request(SprintAssignIn)
@validate_response(SprintAssignOut)
async def assign_sprint(story_id: str, data: SprintAssignIn) -> SprintAssignOut:
    """Put one of the user's stories in a sprint, or take it out (null)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        story = await repo.assign_sprint(conn, user_id=caller.id, story_id=story_id, sprint_number=data.sprint_number)
    if story is None:
        raise APIError(404, *service.STORY_NOT_FOUND)
    return SprintAssignOut(**story, message=rules.assignment_message(story["sprint_number"]))


@blueprint.put("/story/<story_id>/status")
@login_required
@validate_request(StatusIn)
@validate_response(StatusOut)
async def set_status(story_id: str, data: StatusIn) -> StatusOut:
    """Set a story's sprint status; a blocked reason is kept only while it is blocked."""
    problem = rules.unknown_status(data.status)
    if problem:
        raise APIError(400, "INVALID_STATUS", problem)
    reason = rules.kept_blocked_reason(data.status, data.blocked_reason)
    caller = current_caller()
    async with db.connection(caller) as conn:
        story = await repo.set_status(
            conn, user_id=caller.id, story_id=story_id, status=data.status, blocked_reason=reason
        )
    if story is None:
        raise APIError(404, *service.STORY_NOT_FOUND)
    return StatusOut(**story, message=f"Story status set to {data.status}")


@blueprint.post("/story/<story_id>/commit")
@login_required
@validate_response(CommitOut)
async def commit_story(story_id: str) -> CommitOut:
    """Commit a story to the current sprint; one not yet started becomes ready."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        story = await service.commit_story(conn, user_id=caller.id, story_id=story_id)
    return CommitOut(**story, message=f"Story committed to Sprint {story['sprint_number']}")


@blueprint.get("/insights/current")
@login_required
@validate_response(InsightsOut)
async def current_insights() -> InsightsOut:
    """The newest kickoff plan, standup summary and WIP suggestions of the current sprint."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        now = await service.sprint_now(conn, user_id=caller.id)
        newest = await repo.newest_insights(conn, user_id=caller.id, sprint_number=now.number) if now.number else {}
    return InsightsOut.of(now.number or 0, newest)


@blueprint.get(f"/insights/<int(min=1, max={MAX_SPRINT_NUMBER}):sprint_number>")
@login_required
@validate_response(InsightsOut)
async def sprint_insights(sprint_number: int) -> InsightsOut:
    """The newest kickoff plan, standup summary and WIP suggestions of one sprint."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        newest = await repo.newest_insights(conn, user_id=caller.id, sprint_number=sprint_number)
    return InsightsOut.of(sprint_number, newest)


@blueprint.post("/ai/kickoff-plan")
@login_required
@ai_route
@validate_response(KickoffPlan)
async def kickoff_plan() -> KickoffPlan:
    """A sprint goal, the stories that matter most, their order and the risks (kept as an insight)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        work = await service.configured_sprint(conn, user_id=caller.id, context=context)
    if not work.stories:
        raise APIError(400, *NO_COMMITTED_STORIES)
    system, messages = prompts.kickoff_prompt(work.context, work.sprint, work.stories)
    plan: KickoffPlan = await ai.structured(call, system, messages, KickoffPlan)
    plan.top_stories = rules.known_picks(plan.top_stories, work.stories)
    await service.keep_insight(caller, sprint_number=work.sprint.number, insight_type="kickoff_plan", answer=plan)
    return plan


@blueprint.post("/ai/standup-summary")
@login_required
@ai_route
@validate_response(StandupSummary)
async def standup_summary() -> StandupSummary:
    """What changed, what is blocked and what to do next in the current sprint (kept as an insight)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        work = await service.configured_sprint(conn, user_id=caller.id, context=context)
    if not work.stories:
        raise APIError(400, *NO_SPRINT_STORIES)
    system, messages = prompts.standup_prompt(work.context, work.sprint, work.stories)
    summary: StandupSummary = await ai.structured(call, system, messages, StandupSummary)
    await service.keep_insight(caller, sprint_number=work.sprint.number, insight_type="standup_summary", answer=summary)
    return summary


@blueprint.post("/ai/wip-suggestions")
@login_required
@ai_route
@validate_response(WipSuggestions)
async def wip_suggestions() -> WipSuggestions:
    """Which stories in progress to finish first and which to pause (kept as an insight); with fewer than
    two in progress, a fixed "WIP looks healthy" answer and no model call."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        work = await service.configured_sprint(conn, user_id=caller.id, context=context)
    if rules.needs_wip_advice(work.stories):
        advice = await service.ask_wip_advice(call, work)
    else:
        advice = WipSuggestions.model_validate(rules.healthy_wip())
    await service.keep_insight(caller, sprint_number=work.sprint.number, insight_type="wip_suggestions", answer=advice)
    return advice


@blueprint.get("/from-delivery-reality/<epic_id>")
@login_required
@validate_response(FromDeliveryOut)
async def from_delivery_reality(epic_id: str) -> FromDeliveryOut:
    """The epic's active scope plan as a sprint: the stories it keeps against one sprint's capacity."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        plan = await service.plan_for_sprint(conn, user_id=caller.id, epic_id=epic_id)
    return plan
