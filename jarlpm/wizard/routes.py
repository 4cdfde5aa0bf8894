"""/api/initiative."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("wizard", __name__, url_prefix="/initiative")
