"""POST /api/export/azure-devops (the PAT in the request, nothing stored) and the private-address rule
for organisation URLs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from jarlpm.app import create_app
from tests.builders import new_user
from tests.db.helpers import fetch
from tests.fakes.azure_devops_server import PAT, FakeAzureDevOps
from tests.integrations_azure_devops.helpers import build_tree, ok

EXPORT = "/api/export/azure-devops"


async def test_the_direct_export_creates_the_tree_and_stores_nothing(
    pm, other, fake_llm, ado: FakeAzureDevOps, database_url, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    tree = await build_tree(pm, fake_llm, database_url)
    body = {
        "epic_id": tree.epic_id,
        "include_bugs": True,
        "organization": ado.org_url,
        "project": "Pharmacy",
        "pat": PAT,
    }

    exported = await ok(await pm.post(EXPORT, json=body))
    assert (exported["success"], exported["created_count"], exported["error_count"]) == (True, 7, 0)
    by_entity = {entry["entity_id"]: int(entry["external_id"]) for entry in exported["created"]}
    epic, dose = by_entity[tree.epic_id], by_entity[tree.story_ids[0]]
    assert ado.parent_of(by_entity[tree.feature_ids[0]]) == epic and ado.parent_of(by_entity[tree.bug_id]) == dose
    assert {item.project for item in ado.work_items.values()} == {"Pharmacy"}
    assert exported["created"][0]["url"] == f"{ado.org_url}/Pharmacy/_workitems/edit/{epic}"
    for table in ("external_integrations", "external_push_mappings", "external_push_runs"):
        assert await fetch(database_url, f"SELECT 1 FROM {table}") == []

    # A PAT Azure DevOps refuses: the first create fails and nothing else is sent.
    writes = len(ado.writes())
    refused = await ok(await pm.post(EXPORT, json={**body, "pat": "wrong-pat"}))
    assert (refused["success"], refused["created_count"], refused["error_count"]) == (False, 0, 7)
    assert refused["errors"][0]["error"] == "The tracker no longer accepts these credentials"
    assert len(ado.writes()) == writes + 1

    # Another user's epic is not found, and nothing reaches Azure DevOps.
    stolen = await other.post(EXPORT, json=body)
    assert stolen.status_code == 404 and len(ado.writes()) == writes + 1
    assert PAT not in caplog.text and PAT not in str(exported) + str(refused)


@pytest.fixture
async def production_like(make_settings, database_url) -> AsyncIterator:
    settings = make_settings(database_url, llm_allow_private_urls=False)
    async with create_app(settings).test_app() as app:
        yield app


async def test_a_private_organization_url_is_refused_when_private_urls_are_not_allowed(
    production_like, ado: FakeAzureDevOps, database_url
) -> None:
    user = await new_user(production_like, "pm@jarlpm.dev")
    for url in (ado.org_url, "http://10.0.0.7/tfs/DefaultCollection", "http://[::1]:8080/org"):
        connect = await user.post("/api/integrations/azure-devops/connect", json={"organization_url": url, "pat": PAT})
        answer = await connect.get_json()
        assert connect.status_code == 400 and answer["code"] == "PRIVATE_URL_REFUSED", url
        assert "organization_url" in answer["detail"]
    export = await user.post(
        EXPORT, json={"epic_id": "epic_x", "organization": ado.org_url, "project": "Pharmacy", "pat": PAT}
    )
    assert export.status_code == 400 and (await export.get_json())["code"] == "PRIVATE_URL_REFUSED"
    assert ado.requests() == [] and await fetch(database_url, "SELECT 1 FROM external_integrations") == []
