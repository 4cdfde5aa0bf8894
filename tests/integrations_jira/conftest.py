"""The fake Jira for the whole session (reset for each test) and an app whose Jira settings point at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from jarlpm.config import Settings, TrackerOAuth
from tests.fakes.jira_server import CLIENT_ID, CLIENT_SECRET, FakeJira

PUBLIC_APP_URL = "http://127.0.0.1:3000"
REDIRECT_URI = "http://127.0.0.1:8001/api/integrations/jira/callback"


@pytest.fixture(scope="session")
def jira_server() -> Iterator[FakeJira]:
    with FakeJira.running() as server:
        yield server


@pytest.fixture
def fake_jira(jira_server: FakeJira) -> FakeJira:
    jira_server.reset()
    return jira_server


@pytest.fixture
def jira_settings(make_settings: Callable[..., Settings], fake_jira: FakeJira) -> Callable[..., Settings]:
    def make(database_url: str, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "jira_oauth": TrackerOAuth(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI),
            "jira_auth_base_url": fake_jira.url,
            "jira_api_base_url": fake_jira.url,
            "public_app_url": PUBLIC_APP_URL,
            **overrides,
        }
        return make_settings(database_url, **values)

    return make


@pytest.fixture
def settings(jira_settings: Callable[..., Settings], database_url: str) -> Settings:
    return jira_settings(database_url)
