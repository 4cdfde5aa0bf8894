"""The Stripe webhook refuses what Stripe did not sign, and applies each event id once."""

from __future__ import annotations

import time

import pytest

from tests.billing.helpers import checkout, deliver, event, signature, status
from tests.db.helpers import fetch


@pytest.fixture
async def subscribed(billing_app, payer, fake_stripe):  # type: ignore[no-untyped-def]
    """The payer after a completed checkout: (session, subscription) as Stripe holds them."""
    session, subscription = fake_stripe.complete_checkout((await checkout(payer))["session_id"])
    return session, subscription


async def test_an_event_stripe_did_not_sign_now_is_400_and_changes_nothing(
    billing_app, payer, subscribed, database_url
) -> None:
    session, subscription = subscribed
    await deliver(billing_app, event("checkout.session.completed", session))
    payload = event("customer.subscription.created", subscription)
    attacks = {
        "unsigned": (payload, None),
        "wrong secret": (payload, signature(payload, secret="whsec_guessed")),
        "tampered body": (payload.replace(b'"active"', b'"trialing"'), signature(payload)),
        "stale timestamp": (payload, signature(payload, timestamp=int(time.time()) - 301)),
        "garbage header": (payload, "v1=deadbeef"),
    }
    for attack, (body, header) in attacks.items():
        code, answer = await deliver(billing_app, body, header)
        assert (code, answer["code"]) == (400, "WEBHOOK_SIGNATURE_INVALID"), attack
    assert (await status(payer))["status"] == "inactive"
    assert len(await fetch(database_url, "SELECT event_id FROM stripe_events")) == 1
    # The same event, signed now, is what moves the row.
    assert (await deliver(billing_app, payload))[0] == 200
    assert (await status(payer))["status"] == "active"


async def test_a_replayed_event_is_acknowledged_and_changes_nothing_twice(
    billing_app, payer, subscribed, database_url
) -> None:
    session, subscription = subscribed
    await deliver(billing_app, event("checkout.session.completed", session))
    created = event("customer.subscription.created", subscription, event_id="evt_created_once")
    assert await deliver(billing_app, created) == (
        200,
        {"received": True, "type": "customer.subscription.created", "duplicate": False},
    )
    renewal = {
        "id": "in_renewal_1",
        "customer": subscription["customer"],
        "subscription": subscription["id"],
        "amount_paid": 4500,
        "currency": "usd",
        "billing_reason": "subscription_cycle",
    }
    paid = event("invoice.paid", renewal, event_id="evt_paid_once")
    assert (await deliver(billing_app, paid))[0] == 200
    await deliver(billing_app, event("customer.subscription.deleted", {**subscription, "status": "canceled"}))
    assert (await status(payer))["status"] == "canceled"

    # Replays, freshly signed (as an attacker who captured them, or Stripe retrying, would send them).
    assert await deliver(billing_app, created) == (
        200,
        {"received": True, "type": "customer.subscription.created", "duplicate": True},
    )
    assert (await deliver(billing_app, paid))[1]["duplicate"] is True
    assert (await status(payer))["status"] == "canceled"
    invoices = await fetch(
        database_url, "SELECT stripe_session_id FROM payment_transactions WHERE transaction_type = 'invoice'"
    )
    assert invoices == [{"stripe_session_id": "in_renewal_1"}]


async def test_events_for_unknown_customers_or_foreign_sessions_change_nothing(
    billing_app, payer, subscribed, database_url
) -> None:
    session, subscription = subscribed
    before = await fetch(database_url, "SELECT * FROM subscriptions")
    stranger = {**subscription, "id": "sub_stranger", "customer": "cus_stranger"}
    assert (await deliver(billing_app, event("customer.subscription.created", stranger)))[0] == 200
    assert (
        await deliver(billing_app, event("invoice.paid", {"id": "in_x", "customer": "cus_stranger", "amount_paid": 1}))
    )[0] == 200
    # A completed session this server never opened, naming the payer as its user.
    forged = {**session, "id": "cs_not_ours", "customer": "cus_stranger", "subscription": "sub_stranger"}
    assert (await deliver(billing_app, event("checkout.session.completed", forged)))[0] == 200
    assert await fetch(database_url, "SELECT * FROM subscriptions") == before
    rows = await fetch(database_url, "SELECT payment_status FROM payment_transactions")
    assert rows == [{"payment_status": "pending"}]


async def test_unknown_event_types_are_acknowledged_once(billing_app, database_url) -> None:
    payload = event("customer.tax_id.created", {"id": "txi_1"}, event_id="evt_unknown")
    assert await deliver(billing_app, payload) == (
        200,
        {"received": True, "type": "customer.tax_id.created", "duplicate": False},
    )
    assert (await deliver(billing_app, payload))[1]["duplicate"] is True
    assert await fetch(database_url, "SELECT event_id FROM stripe_events") == [{"event_id": "evt_unknown"}]


async def test_a_signed_body_that_is_not_an_event_is_400(billing_app) -> None:
    payload = b'{"id": 5}'
    code, body = await deliver(billing_app, payload)
    assert code == 400 and body["code"] == "WEBHOOK_EVENT_INVALID"
