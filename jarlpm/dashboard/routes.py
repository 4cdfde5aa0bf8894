"""/api/dashboard: the portfolio a product manager lands on after signing in."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_response

from jarlpm import db
from jarlpm.dashboard import repo, rules
from jarlpm.dashboard.models import DashboardOut
from jarlpm.http.auth import current_caller, login_required

blueprint = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@blueprint.get("")
@login_required
@validate_response(DashboardOut)
async def dashboard() -> DashboardOut:
    """At-risk initiatives, the focus list, KPIs, recent activity and what is still to set up."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        portfolio = await repo.portfolio(conn, user_id=caller.id)
        initiatives = await repo.initiative_points(conn, user_id=caller.id)
        focus = await repo.focus_list(conn, user_id=caller.id, limit=rules.FOCUS_LIST_SIZE)
        activity = await repo.recent_activity(conn, user_id=caller.id, limit=rules.RECENT_ACTIVITY_SIZE)
    return DashboardOut.from_rows(portfolio, initiatives, focus, activity)
