"""/api/initiative/save and the edit analytics: what becomes of a generated initiative."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("wizard_save", __name__, url_prefix="/initiative")
