"""/api/sprints: routes land here (issue 2.3)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("sprints", __name__, url_prefix="/sprints")
