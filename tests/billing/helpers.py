"""Signed Stripe events for the billing tests, built the way Stripe builds and signs them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

from tests.helpers import User

WEBHOOK_SECRET = "whsec_test_billing"
PUBLIC_APP_URL = "https://app.jarlpm.test"
MONTHLY_PRICE = "price_monthly_test"
YEARLY_PRICE = "price_yearly_test"
_event_ids = itertools.count(1)


def event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
    body = {
        "id": event_id or f"evt_test_{next(_event_ids)}_{time.monotonic_ns()}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


def signature(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """Stripe's scheme: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<raw body>")."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


async def deliver(app, payload: bytes, header: str | None = "sign") -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    """POST an event to the webhook as Stripe does (no session), signed with the secret unless told otherwise."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if header == "sign":
        headers["Stripe-Signature"] = signature(payload)
    elif header is not None:
        headers["Stripe-Signature"] = header
    response = await app.test_client().post("/api/webhook/stripe", data=payload, headers=headers)
    return response.status_code, await response.get_json()


async def status(user: User) -> dict:
    response = await user.get("/api/subscription/status")
    assert response.status_code == 200
    return await response.get_json()


async def checkout(user: User, **body: Any) -> dict:
    response = await user.post("/api/subscription/create-checkout", json={"billing_cycle": "monthly", **body})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()
