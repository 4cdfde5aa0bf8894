"""/api/lean-canvas: routes land here (issue 2.5)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("lean_canvas", __name__, url_prefix="/lean-canvas")
