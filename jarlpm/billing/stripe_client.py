"""Stripe, through the official SDK: one client per request (its own HTTP client, pointed at the
configured API base), its async methods, and one safe error. Stripe's own words never reach a user.

No pooled database connection may be held while calling Stripe (the same guard as LLM and tracker calls).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import stripe

from jarlpm.config import Settings
from jarlpm.db.pool import holding_connection
from jarlpm.errors import APIError

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0
# One retry: the SDK sends an idempotency key with every POST, so a retried create makes nothing twice.
MAX_NETWORK_RETRIES = 1
PROVIDER_ERROR = APIError(
    502, "BILLING_PROVIDER_ERROR", "The payment provider could not complete the request; please try again later"
)


@asynccontextmanager
async def stripe_client(settings: Settings) -> AsyncIterator[stripe.StripeClient]:
    """A Stripe client for this request; any Stripe failure inside the block becomes a 502."""
    if holding_connection():
        raise RuntimeError("a Stripe call was made while holding a pooled database connection")
    if not settings.stripe_secret_key:
        raise RuntimeError("billing is enabled without STRIPE_SECRET_KEY (the settings refuse that)")
    http_client = stripe.HTTPXClient(timeout=TIMEOUT_SECONDS)
    client = stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses={"api": settings.stripe_api_base},
        http_client=http_client,
        max_network_retries=MAX_NETWORK_RETRIES,
    )
    try:
        yield client
    except stripe.StripeError as error:
        # The type and HTTP status are enough to diagnose; the body may echo ids or card details.
        log.warning("Stripe call failed: %s (HTTP %s)", type(error).__name__, error.http_status)
        raise PROVIDER_ERROR from None
    finally:
        await http_client.close_async()


def plain(value: stripe.StripeObject) -> dict[str, Any]:
    """A Stripe object as plain data (what leaves this module)."""
    return value.to_dict()
