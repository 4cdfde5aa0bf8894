"""A fake Stripe API on loopback: the few endpoints billing calls (customers, Checkout Sessions,
subscriptions), speaking Stripe's form-encoded requests and JSON objects, so the real SDK path runs.

Tests drive what Stripe would do on its side: `complete_checkout(session_id)` pays a session and makes
its subscription, whose objects the test then sends to the app as signed webhook events.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from quart import Response, jsonify, request

from tests.fakes.tracker_server import FakeTracker

PRICES = {"price_monthly_test": (4500, "month"), "price_yearly_test": (43200, "year")}
PERIOD_SECONDS = {"month": 30 * 86400, "year": 365 * 86400}


def _missing(kind: str, object_id: str) -> Response:
    response = jsonify(
        {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": f"No such {kind}: '{object_id}'",
            }
        }
    )
    response.status_code = 404
    return response


@dataclass
class FakeStripe(FakeTracker):
    name: str = "stripe"

    def reset_state(self) -> None:
        self.counter = itertools.count(1)
        self.customers: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}

    # --- what Stripe does on its own side, for tests ---------------------------------------------
    def complete_checkout(self, session_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The customer paid: the session completes and its subscription exists. (session, subscription)"""
        session = self.sessions[session_id]
        price_id = session["_price"]
        amount, interval = PRICES[price_id]
        now = int(time.time())
        subscription = {
            "id": f"sub_test_{next(self.counter)}",
            "object": "subscription",
            "customer": session["customer"],
            "status": "active",
            "cancel_at_period_end": False,
            "metadata": session["_subscription_metadata"],
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_test_{next(self.counter)}",
                        "price": {"id": price_id, "recurring": {"interval": interval}, "unit_amount": amount},
                        "current_period_start": now,
                        "current_period_end": now + PERIOD_SECONDS[interval],
                    }
                ],
            },
        }
        self.subscriptions[subscription["id"]] = subscription
        session.update(
            status="complete",
            payment_status="paid",
            subscription=subscription["id"],
            invoice=f"in_test_{next(self.counter)}",
        )
        return self.public(session), dict(subscription)

    @staticmethod
    def public(session: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in session.items() if not key.startswith("_")}

    # --- the API ---------------------------------------------------------------------------------
    def routes(self) -> None:
        app = self.app

        @app.post("/v1/customers")
        async def create_customer() -> Response:
            form = await request.form
            customer = {"id": f"cus_test_{next(self.counter)}", "object": "customer", "email": form.get("email")}
            self.customers[customer["id"]] = customer
            return jsonify(customer)

        @app.post("/v1/checkout/sessions")
        async def create_session() -> Response:
            form = await request.form
            price_id = form["line_items[0][price]"]
            session_id = f"cs_test_{next(self.counter)}"
            session = {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "mode": form.get("mode"),
                "customer": form.get("customer"),
                "client_reference_id": form.get("client_reference_id"),
                "metadata": {
                    "user_id": form.get("metadata[user_id]"),
                    "billing_cycle": form.get("metadata[billing_cycle]"),
                },
                "success_url": form.get("success_url"),
                "cancel_url": form.get("cancel_url"),
                "status": "open",
                "payment_status": "unpaid",
                "amount_total": PRICES[price_id][0],
                "currency": "usd",
                "subscription": None,
                "_price": price_id,
                "_subscription_metadata": {"user_id": form.get("subscription_data[metadata][user_id]")},
            }
            self.sessions[session_id] = session
            return jsonify(self.public(session))

        @app.get("/v1/checkout/sessions/<session_id>")
        async def get_session(session_id: str) -> Response:
            if session_id not in self.sessions:
                return _missing("checkout.session", session_id)
            return jsonify(self.public(self.sessions[session_id]))

        @app.post("/v1/subscriptions/<subscription_id>")
        async def update_subscription(subscription_id: str) -> Response:
            if subscription_id not in self.subscriptions:
                return _missing("subscription", subscription_id)
            form = await request.form
            subscription = self.subscriptions[subscription_id]
            if "cancel_at_period_end" in form:
                subscription["cancel_at_period_end"] = form["cancel_at_period_end"] == "true"
            return jsonify(subscription)

        @app.delete("/v1/subscriptions/<subscription_id>")
        async def cancel_subscription(subscription_id: str) -> Response:
            if subscription_id not in self.subscriptions:
                return _missing("subscription", subscription_id)
            subscription = self.subscriptions[subscription_id]
            subscription.update(status="canceled", cancel_at_period_end=False)
            return jsonify(subscription)
