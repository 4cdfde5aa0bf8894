"""Billing rules with I/O: Stripe calls made between short database acquisitions, never inside one,
and the webhook's events applied once each, in the transaction that claims them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

from asyncpg import Connection

from jarlpm import db
from jarlpm.billing import repo, rules
from jarlpm.billing.models import CancelOut, CheckoutOut, CheckoutStatusOut, ReactivateOut
from jarlpm.billing.stripe_client import plain, stripe_client
from jarlpm.config import Settings
from jarlpm.db.scope import CrossUser
from jarlpm.errors import APIError
from jarlpm.http.auth import Caller
from jarlpm.subscriptions.rules import PRICING, effective_status

log = logging.getLogger(__name__)

NO_SUBSCRIPTION = APIError(404, "SUBSCRIPTION_NOT_FOUND", "No Stripe subscription found")


def require_billing(settings: Settings) -> None:
    if not settings.billing_enabled:
        raise APIError(400, "BILLING_DISABLED", "Billing is not enabled on this server")


async def _account(caller: Caller) -> dict:
    async with db.connection(caller) as conn:
        account = await repo.get_account(conn, user_id=caller.id)
    if account is None:  # the session's user is gone
        raise APIError(401, "INVALID_SESSION", "Invalid session")
    return account


# --- checkout --------------------------------------------------------------------------------------


def _price(settings: Settings, billing_cycle: str) -> str:
    price = settings.stripe_price_monthly if billing_cycle == "monthly" else settings.stripe_price_yearly
    if price is None:
        raise RuntimeError("billing is enabled without its Stripe prices (the settings refuse that)")
    return price


async def create_checkout(settings: Settings, caller: Caller, *, billing_cycle: str) -> CheckoutOut:
    account = await _account(caller)
    user_id = caller.id
    price = _price(settings, billing_cycle)
    async with stripe_client(settings) as stripe:
        customer_id = account["stripe_customer_id"]
        if customer_id is None:
            customer = await stripe.v1.customers.create_async(
                params={"email": account["email"], "metadata": {"user_id": user_id}}
            )
            async with db.connection(caller) as conn:
                customer_id = await repo.keep_customer(conn, user_id=user_id, customer_id=customer.id)
        session = plain(
            await stripe.v1.checkout.sessions.create_async(
                params={
                    "mode": "subscription",
                    "customer": customer_id,
                    "line_items": [{"price": price, "quantity": 1}],
                    "client_reference_id": user_id,
                    "metadata": {"user_id": user_id, "billing_cycle": billing_cycle},
                    "subscription_data": {"metadata": {"user_id": user_id}},
                    "success_url": rules.success_url(settings.public_app_url),
                    "cancel_url": rules.cancel_url(settings.public_app_url),
                }
            )
        )
    session_id, url = rules.text(session.get("id")), rules.text(session.get("url"))
    if session_id is None or url is None:
        log.warning("Stripe answered a Checkout Session without an id or url")
        raise APIError(502, "BILLING_PROVIDER_ERROR", "The payment provider could not complete the request")
    amount = rules.money(session.get("amount_total")) or Decimal(str(PRICING[billing_cycle]["price"]))
    async with db.connection(caller) as conn:
        await repo.add_pending_checkout(
            conn,
            user_id=user_id,
            session_id=session_id,
            amount=amount,
            currency=rules.text(session.get("currency")) or "usd",
            payment_metadata={"billing_cycle": billing_cycle, "price_id": price},
        )
    return CheckoutOut(checkout_url=url, session_id=session_id)


async def checkout_status(settings: Settings, caller: Caller, *, session_id: str) -> CheckoutStatusOut:
    async with db.connection(caller) as conn:
        checkout = await repo.get_checkout(conn, user_id=caller.id, session_id=session_id)
    if checkout is None:
        raise APIError(404, "CHECKOUT_NOT_FOUND", "Checkout session not found")
    async with stripe_client(settings) as stripe:
        session = plain(await stripe.v1.checkout.sessions.retrieve_async(session_id))
    # The subscription itself is the webhook's to change; this reads the row it keeps.
    async with db.connection(caller) as conn:
        subscription = await repo.get_account(conn, user_id=caller.id)
    amount_total = session.get("amount_total")
    return CheckoutStatusOut(
        status=rules.text(session.get("status")),
        payment_status=rules.text(session.get("payment_status")),
        subscription_status=effective_status(
            subscription if subscription and subscription["status"] else None, billing_enabled=True
        ),
        amount_total=amount_total if isinstance(amount_total, int) and not isinstance(amount_total, bool) else None,
        currency=rules.text(session.get("currency")),
    )


# --- cancel and reactivate -------------------------------------------------------------------------


async def cancel(settings: Settings, caller: Caller, *, at_period_end: bool) -> CancelOut:
    subscription_id = (await _account(caller))["stripe_subscription_id"]
    if subscription_id is None:
        raise NO_SUBSCRIPTION
    async with stripe_client(settings) as stripe:
        if at_period_end:
            answer = await stripe.v1.subscriptions.update_async(subscription_id, params={"cancel_at_period_end": True})
        else:
            answer = await stripe.v1.subscriptions.cancel_async(subscription_id)
    subscription = plain(answer)
    # The row changes when Stripe's webhook says so (customer.subscription.updated / deleted).
    return CancelOut(
        status="cancel_scheduled" if at_period_end else "canceled",
        cancel_at_period_end=subscription.get("cancel_at_period_end") is True,
        current_period_end=rules.period(subscription, "current_period_end"),
    )


async def reactivate(settings: Settings, caller: Caller) -> ReactivateOut:
    account = await _account(caller)
    if account["stripe_subscription_id"] is None:
        raise NO_SUBSCRIPTION
    if account["status"] == "canceled":
        raise APIError(400, "SUBSCRIPTION_ENDED", "This subscription has ended; start a new checkout instead")
    async with stripe_client(settings) as stripe:
        answer = await stripe.v1.subscriptions.update_async(
            account["stripe_subscription_id"], params={"cancel_at_period_end": False}
        )
    subscription = plain(answer)
    return ReactivateOut(status="reactivated", subscription_status=rules.local_status(subscription.get("status")))


# --- the webhook -----------------------------------------------------------------------------------

Handler = Callable[[Connection, Settings, Mapping[str, Any]], Awaitable[None]]


async def process_event(settings: Settings, event: Mapping[str, Any]) -> bool:
    """Apply one verified event; False when its id was processed before (then nothing changes). The
    claim and the change commit together, so a crash mid-way leaves the event unclaimed for Stripe's retry."""
    event_id, event_type = str(event["id"]), str(event["type"])
    async with db.transaction(CrossUser.BILLING_WEBHOOK) as conn:  # Stripe names the customer, not a session
        if not await repo.claim_event(conn, event_id=event_id, event_type=event_type):
            return False
        handler = HANDLERS.get(event_type)
        if handler is not None:
            await handler(conn, settings, event["data"]["object"])
    return True


async def _checkout_completed(conn: Connection, settings: Settings, session: Mapping[str, Any]) -> None:
    user_id, session_id = rules.checkout_user(session), rules.text(session.get("id"))
    if user_id is None or session_id is None:
        return
    # Only a session this server opened for this very user links anything.
    settled = await repo.settle_checkout(
        conn,
        user_id=user_id,
        session_id=session_id,
        payment_status=rules.text(session.get("payment_status")) or "paid",
        payment_id=rules.object_id(session.get("invoice")) or rules.object_id(session.get("payment_intent")),
        amount=rules.money(session.get("amount_total")),
        currency=rules.text(session.get("currency")),
    )
    if not settled:
        log.info("checkout.session.completed for a session no user opened here; ignored")
        return
    await repo.link_checkout(
        conn,
        user_id=user_id,
        customer_id=rules.object_id(session.get("customer")),
        subscription_id=rules.object_id(session.get("subscription")),
    )


async def _subscription_changed(
    conn: Connection, settings: Settings, subscription: Mapping[str, Any], *, deleted: bool
) -> None:
    row = rules.subscription_row(
        subscription,
        deleted=deleted,
        monthly_price=settings.stripe_price_monthly,
        yearly_price=settings.stripe_price_yearly,
    )
    subscriber = await repo.find_subscriber(
        conn,
        customer_id=rules.object_id(subscription.get("customer")),
        subscription_id=row["stripe_subscription_id"],
    )
    if subscriber is None or row["stripe_subscription_id"] is None:
        log.info("Stripe subscription event for a customer no user has; ignored")
        return
    current = subscriber["stripe_subscription_id"]
    if current not in (None, row["stripe_subscription_id"]) and row["status"] not in ("active", "trial"):
        # An older subscription of the same customer ending must not undo the one the user has now.
        return
    await repo.sync_subscription(conn, user_id=subscriber["user_id"], row=row)


async def _subscription_updated(conn: Connection, settings: Settings, subscription: Mapping[str, Any]) -> None:
    await _subscription_changed(conn, settings, subscription, deleted=False)


async def _subscription_deleted(conn: Connection, settings: Settings, subscription: Mapping[str, Any]) -> None:
    await _subscription_changed(conn, settings, subscription, deleted=True)


async def _invoice(conn: Connection, invoice: Mapping[str, Any], *, paid: bool) -> None:
    subscription_id = rules.invoice_subscription(invoice)
    subscriber = await repo.find_subscriber(
        conn, customer_id=rules.object_id(invoice.get("customer")), subscription_id=subscription_id
    )
    if subscriber is None:
        log.info("Stripe invoice event for a customer no user has; ignored")
        return
    user_id = subscriber["user_id"]
    if subscriber["stripe_subscription_id"] in (None, subscription_id) and subscriber["status"] != "canceled":
        await repo.set_status(conn, user_id=user_id, status="active" if paid else "past_due")
    invoice_id = rules.text(invoice.get("id"))
    # The first invoice is the checkout's own payment, already recorded with its session.
    if invoice_id and invoice.get("billing_reason") != "subscription_create":
        await repo.record_invoice(
            conn,
            user_id=user_id,
            invoice_id=invoice_id,
            payment_id=rules.object_id(invoice.get("payment_intent")),
            amount=rules.money(invoice.get("amount_paid" if paid else "amount_due")) or Decimal(0),
            currency=rules.text(invoice.get("currency")) or "usd",
            payment_status="paid" if paid else "failed",
            payment_metadata={"subscription_id": subscription_id, "billing_reason": invoice.get("billing_reason")},
        )


async def _invoice_paid(conn: Connection, settings: Settings, invoice: Mapping[str, Any]) -> None:
    await _invoice(conn, invoice, paid=True)


async def _invoice_failed(conn: Connection, settings: Settings, invoice: Mapping[str, Any]) -> None:
    await _invoice(conn, invoice, paid=False)


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _checkout_completed,
    "customer.subscription.created": _subscription_updated,
    "customer.subscription.updated": _subscription_updated,
    "customer.subscription.deleted": _subscription_deleted,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_failed,
}
