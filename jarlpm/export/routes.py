"""/api/export."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("export", __name__, url_prefix="/export")
