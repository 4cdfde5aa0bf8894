"""/api/usage."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("usage", __name__, url_prefix="/usage")
