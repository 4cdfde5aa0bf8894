"""Subscription status and pricing, and the one gate every AI route calls."""

from __future__ import annotations

import pytest
from quart import Quart

from jarlpm import db
from jarlpm.app import create_app
from jarlpm.errors import APIError
from jarlpm.subscriptions.gate import require_active_subscription
from tests.builders import new_user
from tests.db.helpers import fetch


async def test_without_billing_everyone_is_active(app) -> None:
    ana = await new_user(app, "ana@jarlpm.dev")
    response = await ana.get("/api/subscription/status")
    assert response.status_code == 200
    body = await response.get_json()
    assert body["status"] == "active"
    assert set(body) == {
        "status",
        "stripe_subscription_id",
        "current_period_end",
        "cancel_at_period_end",
        "billing_cycle",
    }


@pytest.fixture
async def billing_app(make_settings, database_url):
    async with create_app(make_settings(database_url, billing_enabled=True, test_login=True)).test_app() as app:
        yield app


async def test_with_billing_a_new_account_is_inactive_and_the_test_user_active(billing_app) -> None:
    ana = await new_user(billing_app, "ana@jarlpm.dev")
    assert (await (await ana.get("/api/subscription/status")).get_json())["status"] == "inactive"
    test_login = await billing_app.test_client().post("/api/auth/test-login")
    token = test_login.headers["Set-Cookie"].split("session_token=")[1].split(";")[0]
    status = await billing_app.test_client().get(
        "/api/subscription/status", headers={"Authorization": f"Bearer {token}"}
    )
    body = await status.get_json()
    assert body["status"] == "active" and body["current_period_end"]


async def test_an_active_subscription_past_its_period_is_expired(billing_app, database_url) -> None:
    ana = await new_user(billing_app, "ana@jarlpm.dev")
    await fetch(
        database_url, "UPDATE subscriptions SET status = 'active', current_period_end = now() - interval '1 day'"
    )
    assert (await (await ana.get("/api/subscription/status")).get_json())["status"] == "expired"
    await fetch(database_url, "DELETE FROM subscriptions")
    assert (await (await ana.get("/api/subscription/status")).get_json())["status"] == "inactive"


async def test_pricing_is_public_with_the_contract_shape(client) -> None:
    response = await client.get("/api/subscription/pricing")
    assert response.status_code == 200
    assert await response.get_json() == {
        "monthly": {"price": 45.0, "currency": "usd", "interval": "month", "display": "$45/month"},
        "annual": {
            "price": 432.0,
            "currency": "usd",
            "interval": "year",
            "monthly_equivalent": 36.0,
            "display": "$432/year",
            "savings": 108,
            "savings_months": 2,
        },
    }


async def test_status_needs_a_session(client) -> None:
    assert (await client.get("/api/subscription/status")).status_code == 401


async def _gate(app: Quart, user_id: str, *, billing_enabled: bool) -> None:
    async with app.app_context():
        database = db.current()
    async with database.connection(user_id) as conn:
        await require_active_subscription(conn, user_id=user_id, billing_enabled=billing_enabled)


async def test_the_gate_answers_402_only_when_billing_requires_it(app, database_url) -> None:
    await new_user(app, "gate@jarlpm.dev")
    [user] = await fetch(database_url, "SELECT user_id FROM users")
    await _gate(app.app, user["user_id"], billing_enabled=False)
    with pytest.raises(APIError) as error:
        await _gate(app.app, user["user_id"], billing_enabled=True)
    assert (error.value.status, error.value.code) == (402, "SUBSCRIPTION_REQUIRED")
    await fetch(database_url, "UPDATE subscriptions SET status = 'trial'")
    with pytest.raises(APIError):
        await _gate(app.app, user["user_id"], billing_enabled=True)
    await fetch(
        database_url, "UPDATE subscriptions SET status = 'active', current_period_end = now() + interval '1 day'"
    )
    await _gate(app.app, user["user_id"], billing_enabled=True)
