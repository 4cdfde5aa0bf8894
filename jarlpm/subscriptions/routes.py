"""/api/subscription: the user's status (the row the Stripe webhook keeps; Stripe is never called here)
and the prices. Checkout, cancel and reactivate live in the billing room."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_response

from jarlpm import db
from jarlpm.http import current_settings
from jarlpm.http.auth import current_caller, login_required, public
from jarlpm.http.openapi import no_database
from jarlpm.subscriptions import repo
from jarlpm.subscriptions.models import PricingOut, StatusOut
from jarlpm.subscriptions.rules import PRICING, effective_status

blueprint = Blueprint("subscriptions", __name__, url_prefix="/subscription")


@blueprint.get("/status")
@login_required
@validate_response(StatusOut)
async def status() -> StatusOut:
    """The user's subscription status (always `active` when billing is off)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        subscription = await repo.get_subscription(conn, user_id=caller.id)
    effective = effective_status(subscription, billing_enabled=current_settings().billing_enabled)
    if subscription is None:
        return StatusOut(status=effective)
    return StatusOut(
        status=effective,
        stripe_subscription_id=subscription["stripe_subscription_id"],
        current_period_end=subscription["current_period_end"],
        cancel_at_period_end=subscription["cancel_at_period_end"],
        billing_cycle=subscription["billing_cycle"],
    )


@blueprint.get("/pricing")
@public
@no_database
@validate_response(PricingOut)
async def pricing() -> PricingOut:
    """The subscription prices."""
    return PricingOut(**PRICING)
