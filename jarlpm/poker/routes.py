"""/api/poker: five AI personas estimate a story (streamed), the user accepts points, sessions are kept."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import ai, db
from jarlpm.epics.service import owned_epic
from jarlpm.errors import APIError
from jarlpm.http import sse
from jarlpm.http.auth import current_caller, login_required, public
from jarlpm.http.openapi import no_database, streams
from jarlpm.http.rate_limits import ai_route
from jarlpm.poker import prompts, repo, service
from jarlpm.poker.models import (
    CompletedEpicsOut,
    CustomStoryQuery,
    EpicRefOut,
    EpicSessionsOut,
    EstimatedStoryOut,
    EstimateIn,
    PersonaOut,
    SaveEstimateIn,
    SaveEstimateOut,
    SessionOut,
    SessionsOut,
    UnestimatedEpicsOut,
)
from jarlpm.poker.rules import PERSONAS

blueprint = Blueprint("poker", __name__, url_prefix="/poker")

ROUND_EVENTS = (
    "start {total_personas}",
    "(persona_start {persona}, then persona_estimate {estimate} | persona_error {persona_id, error})*",
)


@blueprint.get("/personas")
@public
@no_database
@validate_response(list[PersonaOut])
async def personas() -> list[PersonaOut]:
    """The five personas who estimate, in the order they speak."""
    return [PersonaOut(**persona.card()) for persona in PERSONAS]


@blueprint.post("/estimate")
@login_required
@ai_route
@validate_request(EstimateIn)
@streams(*ROUND_EVENTS, "summary {summary: {estimates, average, suggested, min, max, consensus, session_id}}?", "done")
async def estimate(data: EstimateIn) -> Response:
    """Five personas estimate one of the user's stories; the session is stored before `summary` (SSE)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        story = await service.owned_story(conn, user_id=caller.id, story_id=data.story_id)
    round_ = service.Round(call, prompts.brief_of(story), context)
    save = service.round_saver(round_, user_id=caller.id, story_id=data.story_id)
    return sse.stream(round_.events(with_summary=False), save=save)


@blueprint.post("/estimate-custom")
@login_required
@ai_route
@validate_querystring(CustomStoryQuery)
@streams(*ROUND_EVENTS, "summary {summary: {estimates, average, suggested, min, max, consensus}}?", "done")
async def estimate_custom(query_args: CustomStoryQuery) -> Response:
    """Five personas estimate a story given in the query string; nothing is stored (SSE)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
    brief = prompts.StoryBrief(
        query_args.story_title, query_args.story_description, tuple(query_args.acceptance_criteria)
    )
    return sse.stream(service.Round(call, brief, context).events(with_summary=True))


@blueprint.post("/save-estimate")
@login_required
@validate_request(SaveEstimateIn)
@validate_response(SaveEstimateOut)
async def save_estimate(data: SaveEstimateIn) -> SaveEstimateOut:
    """Set the story's points (approved stories too: points are not content) and accept the session."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.save_estimate(
            conn,
            user_id=caller.id,
            story_id=data.story_id,
            story_points=data.story_points,
            session_id=data.session_id,
        )
    return SaveEstimateOut(story_id=data.story_id, story_points=data.story_points, session_id=data.session_id)


@blueprint.get("/sessions/<story_id>")
@login_required
@validate_response(SessionsOut)
async def story_sessions(story_id: str) -> SessionsOut:
    """The estimation sessions of one of the user's stories, newest first."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await service.owned_story(conn, user_id=caller.id, story_id=story_id)
        sessions = await repo.list_story_sessions(conn, user_id=caller.id, story_id=story_id)
    return SessionsOut(sessions=[SessionOut.from_row(session) for session in sessions])


@blueprint.get("/session/<session_id>")
@login_required
@validate_response(SessionOut)
async def session(session_id: str) -> SessionOut:
    """One of the user's estimation sessions with its estimates."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        found = await repo.get_session(conn, user_id=caller.id, session_id=session_id)
    if found is None:
        raise APIError(404, *service.SESSION_NOT_FOUND)
    return SessionOut.from_row(found)


@blueprint.get("/completed-epics")
@login_required
@validate_response(CompletedEpicsOut)
async def completed_epics() -> CompletedEpicsOut:
    """The user's locked epics, with how many stories are estimated and how many sessions ran."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        epics = await repo.list_completed_epics(conn, user_id=caller.id)
    return CompletedEpicsOut.model_validate({"epics": epics})


@blueprint.get("/epic/<epic_id>/sessions")
@login_required
@validate_response(EpicSessionsOut)
async def epic_sessions(epic_id: str) -> EpicSessionsOut:
    """The stories of one of the user's epics that were estimated, each with its latest session."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        epic = await owned_epic(conn, user_id=caller.id, epic_id=epic_id)
        stories = await repo.list_epic_sessions(conn, user_id=caller.id, epic_id=epic_id)
    return EpicSessionsOut(epic=EpicRefOut(**epic), stories=[EstimatedStoryOut.from_row(row) for row in stories])


@blueprint.get("/epics-without-estimation")
@login_required
@validate_response(UnestimatedEpicsOut)
async def epics_without_estimation() -> UnestimatedEpicsOut:
    """The user's locked epics that still have stories without points."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        epics = await repo.list_unestimated_epics(conn, user_id=caller.id)
    return UnestimatedEpicsOut.model_validate({"epics": epics})
