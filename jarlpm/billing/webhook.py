"""The Stripe webhook's first step: a signed, fresh, well-formed event or a 400. The raw body bytes are
verified (never re-serialised JSON: a single changed byte breaks the signature)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import stripe

from jarlpm.config import Settings
from jarlpm.errors import APIError

BAD_SIGNATURE = APIError(400, "WEBHOOK_SIGNATURE_INVALID", "Missing, invalid or expired Stripe signature")
BAD_EVENT = APIError(400, "WEBHOOK_EVENT_INVALID", "The event is not a Stripe event")


def verified_event(settings: Settings, payload: bytes, signature: str | None) -> Mapping[str, Any]:
    if not signature or not settings.stripe_webhook_secret:
        raise BAD_SIGNATURE
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise BAD_SIGNATURE from None
    try:
        stripe.WebhookSignature.verify_header(
            text, signature, settings.stripe_webhook_secret, settings.stripe_webhook_tolerance_seconds
        )
    except stripe.SignatureVerificationError:
        raise BAD_SIGNATURE from None
    try:
        event = json.loads(text)
    except ValueError:
        raise BAD_EVENT from None
    if not _well_formed(event):
        raise BAD_EVENT
    return event


def _well_formed(event: object) -> bool:
    if not isinstance(event, dict):
        return False
    data = event.get("data")
    return (
        isinstance(event.get("id"), str)
        and bool(event["id"])
        and len(event["id"]) <= 255
        and isinstance(event.get("type"), str)
        and len(event["type"]) <= 100
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    )
