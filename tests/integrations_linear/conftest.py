"""The fake Linear for the whole session (a clean one per test) and an app configured to use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from jarlpm.config import Settings, TrackerOAuth
from tests.fakes.linear_server import CLIENT_ID, CLIENT_SECRET, FakeLinear

REDIRECT_URI = "http://127.0.0.1:8001/api/integrations/linear/callback"


@pytest.fixture(scope="session")
def linear_server() -> Iterator[FakeLinear]:
    with FakeLinear.running() as server:
        yield server


@pytest.fixture
def linear(linear_server: FakeLinear) -> FakeLinear:
    linear_server.reset()
    return linear_server


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str, linear: FakeLinear) -> Settings:
    return make_settings(
        database_url,
        linear_oauth=TrackerOAuth(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI),
        linear_auth_base_url=linear.url,
        linear_api_base_url=linear.url,
    )
