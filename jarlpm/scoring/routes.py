"""/api/scoring: routes land here (issue 2.4)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("scoring", __name__, url_prefix="/scoring")
