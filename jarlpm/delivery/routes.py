"""/api/delivery-reality: routes land here (issue 2.3)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("delivery", __name__, url_prefix="/delivery-reality")
