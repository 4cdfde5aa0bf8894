"""Linear end to end against the fake: connect, configure, look up, preview, push, edit, push again; a
refusal half way and its repair; a refreshed token; a revoked grant; what another user sees."""

from __future__ import annotations

import logging
from collections import Counter

from tests.db.helpers import fetch
from tests.fakes.linear_server import CLIENT_SECRET, FakeLinear
from tests.integrations_linear.helpers import BASE, build_tree, configure, connect, ok, push


def _by_id(entries: list[dict]) -> dict[str, dict]:
    return {entry["id"]: entry for entry in entries}


async def test_connect_configure_preview_push_edit_and_push_again(
    app, pm, other, epic_id, linear: FakeLinear, database_url, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    tree = await build_tree(pm, epic_id)
    await connect(pm, linear)

    status = (await ok(await pm.get("/api/integrations/status")))["linear"]
    assert (status["status"], status["account_name"], status["configured"]) == ("connected", "Acme Health", True)
    [stored] = await fetch(
        database_url,
        "SELECT access_token_encrypted, refresh_token_encrypted, token_expires_at FROM external_integrations",
    )
    [access] = linear.access_tokens
    [refresh] = linear.refresh_tokens
    assert access not in stored["access_token_encrypted"] and refresh not in stored["refresh_token_encrypted"]
    assert stored["token_expires_at"] is not None

    teams = (await ok(await pm.get(f"{BASE}/teams")))["teams"]
    assert [team["key"] for team in teams] == ["ENG", "OPS"]
    projects = (await ok(await pm.get(f"{BASE}/teams/team-eng/projects")))["projects"]
    assert [project["name"] for project in projects] == ["Mobile app"]
    assert [label["name"] for label in (await ok(await pm.get(f"{BASE}/teams/team-eng/labels")))["labels"]] == [
        "Frontend"
    ]
    assert len((await ok(await pm.get(f"{BASE}/labels")))["labels"]) == 2
    assert (await pm.get(f"{BASE}/teams/no-such-team/projects")).status_code == 404
    checked = await ok(await pm.get(f"{BASE}/test"))
    assert (checked["status"], checked["organization"]["name"], checked["viewer"]["name"]) == (
        "connected",
        "Acme Health",
        "Pat Lee",
    )

    configured = await configure(pm, project_id="proj-mobile", project_name="Mobile app", priority_mapping={"must": 1})
    assert configured == {
        "status": "configured",
        "default_team": {"id": "team-eng", "name": "Engineering"},
        "default_project": {"id": "proj-mobile", "name": "Mobile app"},
        "priority_mapping": {"must": 1, "should": 3, "could": 4, "wont": 0},
        "label_policy": "create-missing",
        "epic_mapping": "issue",
    }

    preview = await ok(await pm.post(f"{BASE}/preview", json={"epic_id": epic_id}))
    assert preview["epic"] == {"id": epic_id, "title": "Medication entry", "action": "create"}
    assert [feature["title"] for feature in preview["features"]] == ["Ward entry screen", "Pharmacy sync"]
    assert [(story["id"], story["feature_id"]) for story in preview["stories"]] == [
        (tree.story_ids[0], tree.feature_ids[0]),
        (tree.story_ids[1], tree.feature_ids[0]),
        (tree.story_ids[2], tree.feature_ids[1]),
    ]
    assert preview["totals"] == {"create": 6, "update": 0, "skip": 0}

    # The first push: everything created, parents first, labels found by name or created once.
    before = len(linear.operations())
    first = await push(pm, epic_id)
    first_operations = linear.operations()[before:]
    print("Linear operations, push 1:", first_operations)
    assert Counter(first_operations) == {"IssueCreate": 6, "TeamLabels": 1, "IssueLabelCreate": 1}
    assert (first["status"], first["updated"], first["skipped"], first["errors"]) == ("success", [], [], [])
    created = _by_id(first["created"])
    assert set(created) == {epic_id, *tree.feature_ids, *tree.story_ids}
    assert sorted(entry["external_key"] for entry in created.values()) == [f"ENG-{n}" for n in range(1, 7)]
    issues = {entry["id"]: linear.issues[entry["external_id"]] for entry in created.values()}
    assert issues[epic_id]["parentId"] is None and issues[epic_id]["projectId"] == "proj-mobile"
    assert all(issues[feature]["parentId"] == issues[epic_id]["id"] for feature in tree.feature_ids)
    ward_issue, sync_issue = (issues[feature]["id"] for feature in tree.feature_ids)
    assert [issues[story]["parentId"] for story in tree.story_ids] == [ward_issue, ward_issue, sync_issue]
    dose = issues[tree.story_ids[0]]
    assert (dose["title"], dose["priority"], linear.label_names(dose)) == ("Record a dose", 1, ["Frontend", "sync"])
    assert linear.label_names(issues[tree.story_ids[1]]) == ["sync"]
    assert (issues[tree.feature_ids[0]]["priority"], issues[tree.story_ids[2]]["priority"]) == (1, 4)
    assert dose["description"].startswith("## Story\n\n")
    assert created[epic_id]["url"] == f"https://linear.app/acme/issue/{created[epic_id]['external_key']}"

    # One story edited: exactly one update, the rest skipped, nothing duplicated.
    renamed = await pm.put(f"/api/stories/{tree.story_ids[1]}", json={"title": "Undo a recorded dose"})
    assert renamed.status_code == 200, await renamed.get_data(as_text=True)
    preview = await ok(await pm.post(f"{BASE}/preview", json={"epic_id": epic_id}))
    assert preview["totals"] == {"create": 0, "update": 1, "skip": 5}
    assert [story["action"] for story in preview["stories"]] == ["skip", "update", "skip"]
    before = len(linear.operations())
    second = await push(pm, epic_id)
    second_operations = linear.operations()[before:]
    print("Linear operations, push 2:", second_operations)
    assert Counter(second_operations) == {"IssueUpdate": 1, "TeamLabels": 1}
    assert [entry["id"] for entry in second["updated"]] == [tree.story_ids[1]]
    assert (len(second["skipped"]), second["created"], second["errors"]) == (5, [], [])
    assert len(linear.issues) == 6
    assert issues[tree.story_ids[1]]["title"] == "Undo a recorded dose"
    assert [label["name"] for label in linear.labels.values()].count("sync") == 1

    # A dry run calls nobody and still records its run.
    before = len(linear.requests())
    dry = await push(pm, epic_id, dry_run=True)
    assert (dry["dry_run"], len(dry["skipped"]), len(linear.requests())) == (True, 6, before)
    runs = (await ok(await pm.get("/api/integrations/push-history?provider=linear")))["runs"]
    assert [(run["status"], run["is_dry_run"]) for run in runs] == [("success", True), *[("success", False)] * 2]
    mapped = (await ok(await pm.get(f"/api/integrations/mappings/{tree.story_ids[0]}")))["mappings"]
    assert [(entry["provider"], entry["external_key"]) for entry in mapped] == [
        ("linear", created[tree.story_ids[0]]["external_key"])
    ]

    # Another user sees nothing of it and cannot push or preview pm's epic.
    assert (await ok(await other.get("/api/integrations/status")))["linear"]["status"] == "disconnected"
    assert (await ok(await other.get("/api/integrations/push-history")))["runs"] == []
    assert (await ok(await other.get(f"/api/integrations/mappings/{tree.story_ids[0]}")))["mappings"] == []
    assert (await other.post(f"{BASE}/push", json={"epic_id": epic_id, "team_id": "team-eng"})).status_code == 404
    assert (await other.post(f"{BASE}/preview", json={"epic_id": epic_id})).status_code == 404
    assert (await other.get(f"{BASE}/teams")).status_code == 400

    # Secrets never reach the log.
    for secret in (access, refresh, CLIENT_SECRET):
        assert secret not in caplog.text
