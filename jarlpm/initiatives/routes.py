"""/api/initiatives: routes land here (issue 2.3)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("initiatives", __name__, url_prefix="/initiatives")
