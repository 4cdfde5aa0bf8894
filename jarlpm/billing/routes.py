"""/api/subscription checkout, cancel, reactivate and checkout status, and /api/webhook/stripe."""

from __future__ import annotations

from quart import Blueprint, request
from quart_schema import validate_request, validate_response

from jarlpm.billing import service
from jarlpm.billing.models import (
    CancelIn,
    CancelOut,
    CheckoutIn,
    CheckoutOut,
    CheckoutStatusOut,
    ReactivateOut,
    WebhookOut,
)
from jarlpm.billing.webhook import verified_event
from jarlpm.http import current_settings
from jarlpm.http.auth import current_caller, login_required, public
from jarlpm.http.rate_limits import per_minute, per_user

blueprint = Blueprint("billing", __name__, url_prefix="/subscription")
# Each checkout makes a Stripe Checkout Session (and maybe a customer): a runaway client must not spam Stripe.
CHECKOUTS_PER_MINUTE = 10
webhook_blueprint = Blueprint("stripe_webhook", __name__, url_prefix="/webhook")


@blueprint.post("/create-checkout")
@login_required
@per_minute(CHECKOUTS_PER_MINUTE, per_user)
@validate_request(CheckoutIn)
@validate_response(CheckoutOut)
async def create_checkout(data: CheckoutIn) -> CheckoutOut:
    """Open a Stripe Checkout Session for the monthly or annual plan."""
    settings = current_settings()
    service.require_billing(settings)
    return await service.create_checkout(settings, current_caller(), billing_cycle=data.billing_cycle)


@blueprint.get("/checkout-status/<session_id>")
@login_required
@validate_response(CheckoutStatusOut)
async def checkout_status(session_id: str) -> CheckoutStatusOut:
    """The state of one of the caller's Checkout Sessions."""
    settings = current_settings()
    service.require_billing(settings)
    return await service.checkout_status(settings, current_caller(), session_id=session_id)


@blueprint.post("/cancel")
@login_required
@validate_request(CancelIn)
@validate_response(CancelOut)
async def cancel(data: CancelIn) -> CancelOut:
    """Cancel the subscription, at the end of the paid period by default."""
    settings = current_settings()
    service.require_billing(settings)
    return await service.cancel(settings, current_caller(), at_period_end=data.cancel_at_period_end)


@blueprint.post("/reactivate")
@login_required
@validate_response(ReactivateOut)
async def reactivate() -> ReactivateOut:
    """Undo a cancellation scheduled for the end of the period."""
    settings = current_settings()
    service.require_billing(settings)
    return await service.reactivate(settings, current_caller())


@webhook_blueprint.post("/stripe")
@public
@validate_response(WebhookOut)
async def stripe_webhook() -> WebhookOut:
    """Stripe's signed events: each event id is applied once."""
    settings = current_settings()
    service.require_billing(settings)
    payload = await request.get_data(cache=True, as_text=False, parse_form_data=False)
    event = verified_event(settings, payload, request.headers.get("Stripe-Signature"))
    applied = await service.process_event(settings, event)
    return WebhookOut(received=True, type=event["type"], duplicate=not applied)
