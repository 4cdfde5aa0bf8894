"""/api/poker: routes land here (issue 2.4)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("poker", __name__, url_prefix="/poker")
