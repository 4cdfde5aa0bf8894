"""Connect, configure, preview, push, edit, push again: what Jira holds and what it received."""

from __future__ import annotations

import logging

from tests.db.helpers import fetch
from tests.fakes.jira_server import API_TOKEN, CLIENT_SECRET, STORY_POINTS
from tests.integrations_jira.helpers import JIRA, build_tree, configure, connect, keys, ok, push


def _log_requests(title: str, received: list) -> None:  # type: ignore[type-arg]
    print(f"\n--- {title}")
    for item in received:
        fields = (item.body or {}).get("fields") if isinstance(item.body, dict) else None
        detail = ""
        if fields:
            parent = fields.get("parent", {}).get("key") if fields.get("parent") else None
            kind = (fields.get("issuetype") or {}).get("name")
            detail = f"  {kind or ''} {fields.get('summary')!r} parent={parent}"
        print(f"{item.method} {item.path}{detail}")


async def test_a_second_push_updates_the_one_edited_story_and_skips_the_rest(
    pm, fake_llm, fake_jira, database_url, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    tree = await build_tree(pm, fake_llm, database_url)
    await connect(pm, fake_jira)
    configured = await configure(pm)
    assert configured["status"] == "configured" and configured["default_project"] == {"key": "PROJ", "name": "Nursing"}
    assert configured["field_mappings"]["issue_type_mapping"] == {
        "epic": "Epic",
        "feature": "Task",
        "story": "Story",
        "bug": "Bug",
    }

    preview = await ok(await pm.post(f"{JIRA}/preview", json={"epic_id": tree.epic_id}))
    assert preview["epic"]["action"] == "create" and preview["epic"]["existing_key"] is None
    assert [story["parent_feature_id"] for story in preview["stories"]] == [tree.feature_ids[0]] * 2 + [
        tree.feature_ids[1]
    ]
    assert preview["totals"] == {"create": 6, "update": 0, "skip": 0} and preview["bugs"] == []

    first_start = len(fake_jira.requests())
    first = await push(pm, tree.epic_id)
    first_requests = fake_jira.requests()[first_start:]
    assert first["status"] == "success" and first["run_id"].startswith("run_")
    assert keys(first["created"]) == [f"PROJ-{n}" for n in range(1, 7)]
    assert first["updated"] == first["skipped"] == first["errors"] == []

    issues = fake_jira.by_summary()
    epic_key = issues["Medication entry"].key
    assert issues["Medication entry"].issue_type == "Epic" and issues["Medication entry"].parent is None
    assert {issues[name].issue_type for name in ("Ward entry screen", "Pharmacy sync")} == {"Task"}
    assert {issues[name].parent for name in ("Ward entry screen", "Pharmacy sync")} == {epic_key}
    dose = issues["Record a dose"]
    assert dose.issue_type == "Story" and dose.parent == epic_key
    assert dose.fields[STORY_POINTS] == 3 and dose.fields["labels"] == ["jarlpm-ward-app", "jarlpm-frontend"]
    assert dose.fields["description"]["content"][0]["content"][0]["text"] == "Feature: Ward entry screen"
    assert f"https://nursing.atlassian.net/browse/{epic_key}" in first["links"]

    edited = await ok(await pm.put(f"/api/stories/{tree.story_ids[1]}", json={"title": "Scan a wristband twice"}))
    assert edited["title"] == "Scan a wristband twice"
    preview = await ok(await pm.post(f"{JIRA}/preview", json={"epic_id": tree.epic_id}))
    assert preview["totals"] == {"create": 0, "update": 1, "skip": 5}

    second_start = len(fake_jira.requests())
    second = await push(pm, tree.epic_id)
    second_requests = fake_jira.requests()[second_start:]
    scan_key = issues["Scan a wristband"].key
    assert [entry["external_key"] for entry in second["updated"]] == [scan_key]
    assert second["created"] == [] and len(second["skipped"]) == 5 and second["status"] == "success"
    assert [str(item) for item in second_requests] == [
        f"PUT /ex/jira/{fake_jira.sites[0]['id']}/rest/api/3/issue/{scan_key}"
    ]
    assert len(fake_jira.issues) == 6 and fake_jira.issues[scan_key].fields["summary"] == "Scan a wristband twice"

    runs = await ok(await pm.get("/api/integrations/push-history?provider=jira"))
    assert [run["status"] for run in runs["runs"]] == ["success", "success"]
    assert {run["run_id"] for run in runs["runs"]} == {first["run_id"], second["run_id"]}
    mappings = await ok(await pm.get(f"/api/integrations/mappings/{tree.story_ids[1]}"))
    assert mappings["mappings"][0]["external_url"] == f"https://nursing.atlassian.net/browse/{scan_key}"

    # Secrets never reach the log, and are stored only encrypted.
    [row] = await fetch(
        database_url, "SELECT access_token_encrypted, refresh_token_encrypted FROM external_integrations"
    )
    grant = fake_jira.grants[0]
    assert grant.access_token not in str(row) and grant.refresh_token not in str(row)
    for secret in (grant.access_token, grant.refresh_token, CLIENT_SECRET, API_TOKEN):
        assert secret not in caplog.text

    _log_requests("push 1", first_requests)
    _log_requests("push 2", second_requests)
