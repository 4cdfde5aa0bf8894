"""/api/dashboard: routes land here (issue 2.3)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("dashboard", __name__, url_prefix="/dashboard")
