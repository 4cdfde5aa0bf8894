"""Checkout, cancel and reactivate against the fake Stripe, with the webhook keeping the row (and the
402 gate) in step: the whole path a paying user takes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.billing.helpers import MONTHLY_PRICE, PUBLIC_APP_URL, checkout, deliver, event, status
from tests.builders import create_epic, new_user, with_provider
from tests.db.helpers import fetch


async def _ai_status(user, epic_id: str, fake_llm) -> int:  # type: ignore[no-untyped-def]
    fake_llm.script("Tell me more about the problem.")
    response = await user.post(f"/api/epics/{epic_id}/chat", json={"content": "hello"})
    await response.get_data()
    return response.status_code


async def test_checkout_webhooks_cancel_reactivate_and_deletion_drive_status_and_gate(
    billing_app, payer, fake_stripe, fake_llm, database_url
) -> None:
    await with_provider(payer)
    epic_id = (await create_epic(payer))["epic_id"]
    assert await _ai_status(payer, epic_id, fake_llm) == 402

    started = await checkout(payer, origin_url="https://evil.example")
    assert started["checkout_url"].startswith("https://checkout.stripe.test/")
    [sent] = [item.body for item in fake_stripe.requests("POST", "/v1/checkout/sessions")]
    assert sent["success_url"] == f"{PUBLIC_APP_URL}/settings?payment=success&session_id={{CHECKOUT_SESSION_ID}}"
    assert sent["cancel_url"] == f"{PUBLIC_APP_URL}/settings?payment=cancelled"
    assert sent["mode"] == "subscription" and sent["line_items[0][price]"] == MONTHLY_PRICE
    user_id = (await fetch(database_url, "SELECT user_id FROM users WHERE email = 'payer@jarlpm.dev'"))[0]["user_id"]
    assert sent["client_reference_id"] == user_id and sent["metadata[user_id]"] == user_id
    [txn] = await fetch(database_url, "SELECT payment_status, amount, stripe_session_id FROM payment_transactions")
    assert txn == {"payment_status": "pending", "amount": Decimal("45.00"), "stripe_session_id": started["session_id"]}
    [customer] = await fetch(database_url, "SELECT stripe_customer_id FROM subscriptions")
    assert customer["stripe_customer_id"] == sent["customer"]

    session, subscription = fake_stripe.complete_checkout(started["session_id"])
    assert (await deliver(billing_app, event("checkout.session.completed", session)))[0] == 200
    assert (await deliver(billing_app, event("customer.subscription.created", subscription)))[0] == 200
    now = await status(payer)
    assert now["status"] == "active" and now["billing_cycle"] == "monthly"
    assert now["stripe_subscription_id"] == subscription["id"] and now["cancel_at_period_end"] is False
    assert (await fetch(database_url, "SELECT payment_status FROM payment_transactions"))[0]["payment_status"] == "paid"
    assert await _ai_status(payer, epic_id, fake_llm) == 200
    checked = await (await payer.get(f"/api/subscription/checkout-status/{started['session_id']}")).get_json()
    assert checked == {
        "status": "complete",
        "payment_status": "paid",
        "subscription_status": "active",
        "amount_total": 4500,
        "currency": "usd",
    }

    calls_before = len(fake_stripe.requests())
    cancelled = await payer.post("/api/subscription/cancel", json={"cancel_at_period_end": True})
    assert cancelled.status_code == 200
    body = await cancelled.get_json()
    assert body["status"] == "cancel_scheduled" and body["cancel_at_period_end"] is True and body["current_period_end"]
    [update] = fake_stripe.requests("POST", f"/v1/subscriptions/{subscription['id']}")
    assert update.body == {"cancel_at_period_end": "true"}
    assert (
        await deliver(
            billing_app, event("customer.subscription.updated", fake_stripe.subscriptions[subscription["id"]])
        )
    )[0] == 200
    assert (await status(payer))["cancel_at_period_end"] is True
    assert len(fake_stripe.requests()) == calls_before + 1  # /status never calls Stripe

    reactivated = await payer.post("/api/subscription/reactivate")
    assert await reactivated.get_json() == {"status": "reactivated", "subscription_status": "active"}
    await deliver(billing_app, event("customer.subscription.updated", fake_stripe.subscriptions[subscription["id"]]))
    assert (await status(payer))["cancel_at_period_end"] is False

    ended = {**fake_stripe.subscriptions[subscription["id"]], "status": "canceled"}
    assert (await deliver(billing_app, event("customer.subscription.deleted", ended)))[0] == 200
    assert (await status(payer))["status"] == "canceled"
    assert await _ai_status(payer, epic_id, fake_llm) == 402


async def test_a_failed_renewal_is_past_due_and_locks_ai(
    billing_app, payer, fake_stripe, fake_llm, database_url
) -> None:
    session, subscription = fake_stripe.complete_checkout((await checkout(payer, billing_cycle="annual"))["session_id"])
    await deliver(billing_app, event("checkout.session.completed", session))
    await deliver(billing_app, event("customer.subscription.created", subscription))
    assert (await status(payer))["billing_cycle"] == "annual"
    invoice = {
        "id": "in_renewal",
        "customer": subscription["customer"],
        "subscription": subscription["id"],
        "amount_due": 43200,
        "currency": "usd",
        "billing_reason": "subscription_cycle",
    }
    assert (await deliver(billing_app, event("invoice.payment_failed", invoice)))[0] == 200
    assert (await status(payer))["status"] == "past_due"
    epic_id = (await create_epic(await with_provider(payer)))["epic_id"]
    assert await _ai_status(payer, epic_id, fake_llm) == 402
    rows = await fetch(
        database_url, "SELECT transaction_type, payment_status FROM payment_transactions ORDER BY created_at"
    )
    assert rows == [
        {"transaction_type": "subscription", "payment_status": "paid"},
        {"transaction_type": "invoice", "payment_status": "failed"},
    ]


async def test_stripe_failing_is_a_502_with_a_safe_message(billing_app, payer, fake_stripe, database_url) -> None:
    secret = "card_declined for cus_secret at sk_live_leak"
    fake_stripe.fail("POST", "/v1/customers", 500, times=5, body={"error": {"type": "api_error", "message": secret}})
    response = await payer.post("/api/subscription/create-checkout", json={"billing_cycle": "monthly"})
    assert response.status_code == 502
    body = await response.get_json()
    assert body["code"] == "BILLING_PROVIDER_ERROR" and "sk_live" not in body["detail"] and "cus_" not in body["detail"]
    assert await fetch(database_url, "SELECT transaction_id FROM payment_transactions") == []


async def test_another_users_checkout_session_is_404(billing_app, payer, fake_stripe) -> None:
    started = await checkout(payer)
    intruder = await new_user(billing_app, "intruder@jarlpm.dev")
    calls = len(fake_stripe.requests())
    response = await intruder.get(f"/api/subscription/checkout-status/{started['session_id']}")
    assert response.status_code == 404
    assert (await response.get_json())["code"] == "CHECKOUT_NOT_FOUND"
    assert len(fake_stripe.requests()) == calls


async def test_cancel_and_reactivate_without_a_stripe_subscription_are_404(billing_app, payer, fake_stripe) -> None:
    assert (await payer.post("/api/subscription/cancel", json={})).status_code == 404
    assert (await payer.post("/api/subscription/reactivate")).status_code == 404
    assert fake_stripe.requests() == []


async def test_a_bad_billing_cycle_is_refused(billing_app, payer, fake_stripe) -> None:
    response = await payer.post("/api/subscription/create-checkout", json={"billing_cycle": "weekly"})
    assert response.status_code == 422
    assert fake_stripe.requests() == []


@pytest.fixture
async def unbilled_app(make_settings, database_url, fake_stripe):  # type: ignore[no-untyped-def]
    from jarlpm.app import create_app

    async with create_app(make_settings(database_url, stripe_api_base=fake_stripe.url)).test_app() as app:
        yield app


async def test_without_billing_the_stripe_routes_and_the_webhook_are_400(unbilled_app, fake_stripe) -> None:
    user = await new_user(unbilled_app, "free@jarlpm.dev")
    answers = [
        await user.post("/api/subscription/create-checkout", json={"billing_cycle": "monthly"}),
        await user.get("/api/subscription/checkout-status/cs_test_1"),
        await user.post("/api/subscription/cancel", json={"cancel_at_period_end": True}),
        await user.post("/api/subscription/reactivate"),
    ]
    for response in answers:
        assert response.status_code == 400
        assert (await response.get_json())["code"] == "BILLING_DISABLED"
    code, body = await deliver(
        unbilled_app, event("customer.subscription.created", {"id": "sub_x", "customer": "cus_x", "status": "active"})
    )
    assert code == 400 and body["code"] == "BILLING_DISABLED"
    assert (await (await user.get("/api/subscription/status")).get_json())["status"] == "active"
    assert fake_stripe.requests() == []
