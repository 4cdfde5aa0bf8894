"""/api/subscription checkout, cancel, reactivate and checkout status, and /api/webhook/stripe."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("billing", __name__, url_prefix="/subscription")
webhook_blueprint = Blueprint("stripe_webhook", __name__, url_prefix="/webhook")
