"""The probe again, with Jira and Linear connected and configured (on their fakes) for both users: the
look-ups, previews and pushes past their "not connected" answers, and another user's pushed epic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jarlpm.config import Settings, TrackerOAuth
from tests.builders import locked_epic
from tests.fakes import jira_server as fake_jira_module
from tests.fakes import linear_server as fake_linear_module
from tests.fakes.jira_server import FakeJira
from tests.fakes.linear_server import FakeLinear
from tests.integrations_azure_devops.helpers import PROJECT
from tests.integrations_azure_devops.helpers import connect as ado_connect
from tests.integrations_jira import helpers as jira_steps
from tests.integrations_jira.conftest import fake_jira, jira_server, jira_settings
from tests.integrations_linear import helpers as linear_steps
from tests.integrations_linear.conftest import REDIRECT_URI as LINEAR_REDIRECT
from tests.integrations_linear.conftest import linear, linear_server
from tests.probe.test_new_rooms import DIRECT, FINDINGS, SECRETS, fill, owned_rows, probe, room_rules, send, to_json

__all__ = ["fake_jira", "jira_server", "jira_settings", "linear", "linear_server"]  # the rooms' fixtures


@pytest.fixture
def settings(jira_settings: Callable[..., Settings], database_url: str, linear: FakeLinear) -> Settings:
    return jira_settings(
        database_url,
        linear_oauth=TrackerOAuth(fake_linear_module.CLIENT_ID, fake_linear_module.CLIENT_SECRET, LINEAR_REDIRECT),
        linear_auth_base_url=linear.url,
        linear_api_base_url=linear.url,
    )


async def test_connected_jira_and_linear_routes_survive_hostile_input(  # type: ignore[no-untyped-def]
    app, pm, other, fake_llm, fake_jira: FakeJira, linear: FakeLinear, database_url, caplog
) -> None:
    own_epic = await locked_epic(pm, fake_llm)
    foreign_epic = await locked_epic(other, fake_llm, title="Oz's epic")
    for user in (pm, other):
        await jira_steps.connected(user, fake_jira)
        await linear_steps.connect(user, linear)
        await linear_steps.configure(user)
    await jira_steps.push(other, foreign_epic)
    await linear_steps.push(other, foreign_epic)
    before = await owned_rows(database_url, "other@jarlpm.dev")
    rules = [rule for rule in room_rules(app) if "/jira" in rule[1] or "/linear" in rule[1]]
    rules = [rule for rule in rules if not rule[1].endswith(("/disconnect", "/connect", "/callback"))]

    FINDINGS.clear()
    await probe(
        pm,
        rules,
        own_epic,
        [foreign_epic],
        cloud_id=fake_jira_module.CLOUD_ID,
        site_name="nursing",
        project_key=fake_jira_module.PROJECT["key"],
        project_name=fake_jira_module.PROJECT["name"],
        team_id="team-eng",
        team_name="Engineering",
        **{**DIRECT, "jira_base_url": fake_jira.url},
    )
    assert not FINDINGS, "\n".join(FINDINGS)

    assert await owned_rows(database_url, "other@jarlpm.dev") == before
    assert not any(secret in caplog.text for secret in SECRETS)
    assert (await pm.get("/api/integrations/jira/test")).status_code == 200
    assert (await pm.get("/api/integrations/linear/test")).status_code == 200


TRACKER_FAULTS: list[tuple[int, Any]] = [
    (200, "not an object"),
    (200, [{"unexpected": None}]),
    (200, {"values": "x", "data": None, "errors": "x", "value": 1}),
    (500, None),
    (404, None),
    (401, None),  # last: a refusal may end the connection
]


async def test_tracker_faults_are_answered_with_a_code_never_a_500(  # type: ignore[no-untyped-def]
    app, pm, fake_llm, fake_jira: FakeJira, linear: FakeLinear, ado, database_url, caplog
) -> None:
    """Every call to the tracker answers garbage, an error or a refusal: the user gets a 4xx or a 502/503."""
    own_epic = await locked_epic(pm, fake_llm)
    await jira_steps.connected(pm, fake_jira)
    await linear_steps.connect(pm, linear)
    await linear_steps.configure(pm)
    assert (await ado_connect(pm, ado)).status_code == 200
    rules = [rule for rule in room_rules(app) if any(name in rule[1] for name in ("/jira", "/linear", "azure-devops"))]
    rules = [rule for rule in rules if not rule[1].endswith(("/disconnect", "/connect", "/callback"))]
    bodies = {
        "/api/export/azure-devops": {**DIRECT, "epic_id": own_epic, "organization": ado.org_url},
        "/api/integrations/azure-devops/configure": {"organization_url": ado.org_url, "project_name": PROJECT},
        "/api/export/jira": {**DIRECT, "epic_id": own_epic, "jira_base_url": fake_jira.url},
        "/api/integrations/jira/configure": {
            "cloud_id": "another-cloud",  # not stored: Jira is asked for the sites again
            "site_name": "nursing",
            "project_key": fake_jira_module.PROJECT["key"],
            "project_name": fake_jira_module.PROJECT["name"],
        },
        "/api/integrations/linear/configure": {"team_id": "team-eng", "team_name": "Engineering"},
    }
    FINDINGS.clear()
    for status, body in TRACKER_FAULTS:
        for server in (fake_jira, linear, ado):
            for method in ("GET", "POST", "PUT"):
                server.fail(method, ".*", status, times=1000, body=body)
        for method, rule, _view in rules:
            payload = to_json(bodies.get(rule, {"epic_id": own_epic, "team_id": "team-eng", "project_name": PROJECT}))
            await send(pm, method, fill(rule, "PROJ"), payload, "application/json")
        for server in (fake_jira, linear, ado):
            server.reset()
    assert not FINDINGS, "\n".join(FINDINGS)
    assert not any(secret in caplog.text for secret in SECRETS)
