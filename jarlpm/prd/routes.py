"""/api/prd: routes land here (issue 2.5)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("prd", __name__, url_prefix="/prd")
