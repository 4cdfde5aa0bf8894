"""/api/admin: the operator's routes, each behind the admin guard."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
