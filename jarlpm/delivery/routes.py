"""/api/delivery-reality: each initiative's scope against two sprints of team capacity, the recommended
deferrals, reversible scope plans, the Sprint 1 / Sprint 2 / deferred summary, and three AI helpers.

Only non-archived epics count as active initiatives (the summary and the list); an archived epic is
still reachable by its id on every per-initiative route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from pydantic import RootModel
from quart import Blueprint, current_app
from quart_schema import validate_request, validate_response

from jarlpm import ai, db
from jarlpm.delivery import prompts, repo, service
from jarlpm.delivery.models import (
    AlternativeCutsOut,
    AlternativesDraft,
    CutRationale,
    DeliveryContextOut,
    InitiativeDetailOut,
    InitiativesOut,
    MaybeScopePlan,
    PlanClearedOut,
    RiskReview,
    ScopePlanIn,
    ScopePlanOut,
    ScopeSummaryOut,
    SummaryOut,
    measured,
)
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.idempotency import idempotent
from jarlpm.http.rate_limits import ai_route

blueprint = Blueprint("delivery", __name__, url_prefix="/delivery-reality")

INITIATIVE = "/initiative/<epic_id>"


def null_when_none(view: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Answers JSON `null` for a validated root model holding None (the contract's "no plan"): Quart
    refuses to make a response from None. Sits above @validate_response, which checked the value."""

    @wraps(view)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = await view(*args, **kwargs)
        value = result[0] if isinstance(result, tuple) else result
        if isinstance(value, RootModel) and value.root is None:
            return current_app.response_class("null", mimetype="application/json")
        return result

    return wrapper


@blueprint.get("/summary")
@login_required
@validate_response(SummaryOut)
async def summary() -> SummaryOut:
    """The team's capacity and how the active initiatives stand against it."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        context, team = await service.team(conn, user_id=caller.id)
        rows = await repo.list_initiatives(conn, user_id=caller.id)
    return SummaryOut.of(context, team, rows)


@blueprint.get("/initiatives")
@login_required
@validate_response(InitiativesOut)
async def initiatives() -> InitiativesOut:
    """Every active initiative against two sprints of capacity, overloaded first, then most points."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        context, team = await service.team(conn, user_id=caller.id)
        rows = await repo.list_initiatives(conn, user_id=caller.id)
    return InitiativesOut(delivery_context=DeliveryContextOut.of(context, team), initiatives=measured(rows, team))


@blueprint.get(INITIATIVE)
@login_required
@validate_response(InitiativeDetailOut)
async def initiative(epic_id: str) -> InitiativeDetailOut:
    """One initiative's points by priority and the fewest deferrals that bring it within capacity."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        scope = await service.owned_scope(conn, user_id=caller.id, epic_id=epic_id)
    return InitiativeDetailOut.of(scope)


@blueprint.post(f"{INITIATIVE}/scope-plan")
@login_required
@idempotent
@validate_request(ScopePlanIn)
@validate_response(ScopePlanOut)
async def save_scope_plan(epic_id: str, data: ScopePlanIn) -> ScopePlanOut:
    """Save the initiative's scope plan (the deferred stories); it replaces the active one."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        plan = await service.save_plan(conn, user_id=caller.id, epic_id=epic_id, plan=data)
    return ScopePlanOut(**plan)


@blueprint.get(f"{INITIATIVE}/scope-plan")
@login_required
@null_when_none
@validate_response(MaybeScopePlan)
async def get_scope_plan(epic_id: str) -> MaybeScopePlan:
    """The initiative's active scope plan, or null when there is none."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await service.require_epic(conn, user_id=caller.id, epic_id=epic_id)
        plan = await repo.get_active_plan(conn, user_id=caller.id, epic_id=epic_id)
    return MaybeScopePlan(ScopePlanOut(**plan) if plan else None)


@blueprint.delete(f"{INITIATIVE}/scope-plan")
@login_required
@validate_response(PlanClearedOut)
async def clear_scope_plan(epic_id: str) -> PlanClearedOut:
    """Clear the initiative's scope plan (it is deactivated, not deleted)."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        await service.clear_plan(conn, user_id=caller.id, epic_id=epic_id)
    return PlanClearedOut(message="Scope plan cleared", epic_id=epic_id)


@blueprint.get(f"{INITIATIVE}/scope-summary")
@login_required
@validate_response(ScopeSummaryOut)
async def scope_summary(epic_id: str) -> ScopeSummaryOut:
    """The scope decision: Sprint 1, Sprint 2 and what the active plan defers, with the MVP check."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        scope = await service.owned_scope(conn, user_id=caller.id, epic_id=epic_id)
        plan = await repo.get_active_plan(conn, user_id=caller.id, epic_id=epic_id)
    return ScopeSummaryOut.of(scope, plan, datetime.now(UTC))


@blueprint.post(f"{INITIATIVE}/ai/cut-rationale")
@login_required
@ai_route
@validate_response(CutRationale)
async def cut_rationale(epic_id: str) -> CutRationale:
    """Why the cut (the active plan's, else the recommended one) is right, and what it costs users."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        scope, plan = await service.scope_with_plan(conn, user_id=caller.id, epic_id=epic_id, context=context)
    system, messages = prompts.cut_rationale_prompt(scope, scope.cut(plan))
    return await ai.structured(call, system, messages, CutRationale)


@blueprint.post(f"{INITIATIVE}/ai/alternative-cuts")
@login_required
@ai_route
@validate_response(AlternativeCutsOut)
async def alternative_cuts(epic_id: str) -> AlternativeCutsOut:
    """Three other ways to cut the scope to capacity (none when it already fits, with no AI call)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        scope, _ = await service.scope_with_plan(conn, user_id=caller.id, epic_id=epic_id, context=context)
    if not scope.deficit:
        return AlternativeCutsOut(alternatives=[])
    system, messages = prompts.alternative_cuts_prompt(scope)
    drafts: AlternativesDraft = await ai.structured(call, system, messages, AlternativesDraft)
    return AlternativeCutsOut.checked(drafts, scope.stories)


@blueprint.post(f"{INITIATIVE}/ai/risk-review")
@login_required
@ai_route
@validate_response(RiskReview)
async def risk_review(epic_id: str) -> RiskReview:
    """The initiative's top delivery risks and assumptions, and one spike to run first."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, context = await ai.prepare(conn, caller)
        scope, _ = await service.scope_with_plan(conn, user_id=caller.id, epic_id=epic_id, context=context)
    system, messages = prompts.risk_review_prompt(scope)
    return await ai.structured(call, system, messages, RiskReview)
