from __future__ import annotations

from collections.abc import Iterator

import pytest

from jarlpm.app import create_app
from tests.billing.helpers import MONTHLY_PRICE, PUBLIC_APP_URL, WEBHOOK_SECRET, YEARLY_PRICE
from tests.builders import new_user
from tests.fakes.stripe_server import FakeStripe


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[FakeStripe]:
    with FakeStripe.running() as server:
        yield server


@pytest.fixture
def fake_stripe(stripe_server: FakeStripe) -> Iterator[FakeStripe]:
    stripe_server.reset()
    yield stripe_server
    stripe_server.reset()


@pytest.fixture
def billing_settings(make_settings, database_url, fake_stripe):  # type: ignore[no-untyped-def]
    return make_settings(
        database_url,
        billing_enabled=True,
        stripe_secret_key="sk_test_billing",
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_price_monthly=MONTHLY_PRICE,
        stripe_price_yearly=YEARLY_PRICE,
        stripe_api_base=fake_stripe.url,
        public_app_url=PUBLIC_APP_URL,
    )


@pytest.fixture
async def billing_app(billing_settings):  # type: ignore[no-untyped-def]
    async with create_app(billing_settings).test_app() as app:
        yield app


@pytest.fixture
async def payer(billing_app):  # type: ignore[no-untyped-def]
    """A signed-up user, not subscribed yet."""
    return await new_user(billing_app, "payer@jarlpm.dev", name="Pia")
