"""POST /api/export/jira: the user's own site, email and API token; nothing stored, nothing logged.
(A private site refused when private URLs are not allowed: test_oauth.py, with the other operator settings.)"""

from __future__ import annotations

import base64
import json
import logging

from tests.builders import bug_linked_to
from tests.db.helpers import fetch
from tests.fakes.jira_server import API_TOKEN, EMAIL
from tests.integrations_jira.helpers import build_tree, ok

EXPORT = "/api/export/jira"


def _body(site: str, epic_id: str, **overrides: object) -> dict:
    return {
        "epic_id": epic_id,
        "include_bugs": True,
        "jira_base_url": site,
        "jira_email": EMAIL,
        "jira_api_token": API_TOKEN,
        "jira_project_key": "PROJ",
        **overrides,
    }


async def test_the_direct_export_creates_the_tree_with_basic_auth_and_stores_nothing(
    pm, other, fake_llm, fake_jira, database_url, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    tree = await build_tree(pm, fake_llm, database_url)
    await bug_linked_to(pm, epic=tree.epic_id)

    answer = await ok(await pm.post(EXPORT, json=_body(fake_jira.url + "/", tree.epic_id)))

    assert (answer["success"], answer["created_count"], answer["error_count"]) == (True, 7, 0)
    assert answer["created"][0] == {
        "type": "epic",
        "entity_id": tree.epic_id,
        "title": "Medication entry",
        "key": "PROJ-1",
        "url": f"{fake_jira.url}/browse/PROJ-1",
    }
    creates = fake_jira.requests("POST", "/rest/api/3/issue")
    basic = "Basic " + base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode()
    assert len(creates) == 7 and {item.headers["Authorization"] for item in creates} == {basic}
    assert {issue.issue_type for issue in fake_jira.issues.values()} == {"Epic", "Task", "Story", "Bug"}
    assert await fetch(database_url, "SELECT count(*) AS n FROM external_integrations") == [{"n": 0}]
    assert await fetch(database_url, "SELECT count(*) AS n FROM external_push_mappings") == [{"n": 0}]
    assert API_TOKEN not in caplog.text and basic.split()[1] not in caplog.text

    refused = await ok(await pm.post(EXPORT, json=_body(fake_jira.url, tree.epic_id, jira_api_token="wrong")))
    assert (refused["success"], refused["created_count"], refused["error_count"]) == (False, 0, 7)
    assert len(fake_jira.issues) == 7

    foreign = await other.post(EXPORT, json=_body(fake_jira.url, tree.epic_id))
    assert foreign.status_code == 404
    for site in ("ftp://jira.example", "https://user:pw@jira.example", "https://jira.example/?x=1", "http://[::1"):
        bad = await pm.post(EXPORT, json=_body(site, tree.epic_id))
        assert bad.status_code == 400 and (await bad.get_json())["code"] == "INVALID_JIRA_URL", site


async def test_a_token_that_is_not_text_is_a_422_before_anything_is_sent(pm, fake_llm, fake_jira, database_url) -> None:
    """JSON lets a client send a lone surrogate (`\\ud800`); as a token it used to reach the Basic header (500)."""
    tree = await build_tree(pm, fake_llm, database_url)
    raw = json.dumps(_body(fake_jira.url, tree.epic_id, jira_api_token="tok\ud800en-secret-part"))
    response = await pm.post(EXPORT, data=raw, headers={"Content-Type": "application/json"})

    assert response.status_code == 422, await response.get_data(as_text=True)
    answer = await response.get_json()
    assert answer["code"] == "VALIDATION_ERROR" and answer["detail"][0]["loc"] == ["jira_api_token"]
    assert "secret-part" not in await response.get_data(as_text=True)
    assert fake_jira.requests("POST", "/rest/api/3/issue") == []
