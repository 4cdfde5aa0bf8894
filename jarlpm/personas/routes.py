"""/api/personas: routes land here (issue 2.5)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("personas", __name__, url_prefix="/personas")
