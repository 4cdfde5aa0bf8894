"""Azure DevOps through the API, against the fake organisation: connect with a PAT, configure,
look up, preview, push, edit, push again; what the organisation holds after each push; the PAT never
in an answer or a log line; a second user sees nothing of the first."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from tests.db.helpers import fetch
from tests.fakes.azure_devops_server import PAT, FakeAzureDevOps
from tests.integrations_azure_devops.helpers import PROJECT, build_tree, connect, ok, push, requests_since

BASE = "/api/integrations/azure-devops"
POINTS = "Microsoft.VSTS.Scheduling.StoryPoints"
CRITERIA = "Microsoft.VSTS.Common.AcceptanceCriteria"


async def test_connect_configure_preview_push_edit_push(
    pm, other, fake_llm, ado: FakeAzureDevOps, database_url, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    tree = await build_tree(pm, fake_llm, database_url)
    answers: list[Any] = []

    connected = await ok(await connect(pm, ado))
    answers.append(connected)
    assert connected == {"status": "connected", "organization": "fabrikam", "project_count": 2}
    [row] = await fetch(database_url, "SELECT status, org_url, pat_encrypted FROM external_integrations")
    assert row["status"] == "connected" and row["org_url"] == ado.org_url
    assert row["pat_encrypted"] and PAT not in row["pat_encrypted"]

    # The look-ups the push modal offers.
    projects = (await ok(await pm.get(f"{BASE}/projects")))["projects"]
    assert [project["name"] for project in projects] == ["Ward App", "Pharmacy"]
    teams = await ok(await pm.get(f"{BASE}/projects/Ward%20App/teams"))
    assert [team["name"] for team in teams["teams"]] == ["Ward App Team"]
    iterations = (await ok(await pm.get(f"{BASE}/projects/Ward%20App/iterations?team_name=x")))["iterations"]
    assert [node["path"] for node in iterations] == ["Ward App", "Ward App\\Sprint 1", "Ward App\\Sprint 2"]
    assert iterations[1]["attributes"]["startDate"].startswith("2026-01-01")
    areas = (await ok(await pm.get(f"{BASE}/projects/Ward%20App/areas")))["areas"]
    assert [(area["path"], area["has_children"]) for area in areas] == [("Ward App", True), ("Ward App\\Ward", False)]
    types = (await ok(await pm.get(f"{BASE}/projects/Ward%20App/work-item-types")))["work_item_types"]
    assert {"Epic", "Feature", "User Story", "Bug"} <= {kind["name"] for kind in types}
    fields = (await ok(await pm.get(f"{BASE}/projects/Ward%20App/fields")))["fields"]
    assert len(fields) == 50 and {"name", "referenceName", "type", "readOnly"} == set(fields[0])
    missing = await pm.get(f"{BASE}/projects/Nope/teams")
    assert missing.status_code == 404 and (await missing.get_json())["code"] == "TRACKER_NOT_FOUND"
    answers.append(await ok(await pm.get(f"{BASE}/test")))
    assert answers[-1] == {"status": "connected", "organization": "fabrikam", "project_count": 2, "error": None}

    # Another organisation must accept the PAT too: nothing changes when it does not.
    moved = await pm.put(f"{BASE}/configure", json={"organization_url": f"{ado.url}/contoso", "project_name": "X"})
    assert moved.status_code == 400 and (await moved.get_json())["code"] == "CONNECTION_FAILED"
    configured = await ok(
        await pm.put(
            f"{BASE}/configure",
            json={
                "organization_url": ado.org_url + "/",
                "project_name": PROJECT,
                "project_id": projects[0]["id"],
                "default_iteration_path": "Ward App\\Sprint 1",
            },
        )
    )
    answers.append(configured)
    assert configured["organization_url"] == ado.org_url
    assert configured["default_project"] == {"id": projects[0]["id"], "name": PROJECT}
    assert configured["field_mappings"]["story_points_field"] == POINTS
    assert configured["field_mappings"]["work_item_types"]["story"] == "User Story"

    preview = await ok(await pm.post(f"{BASE}/preview", json={"epic_id": tree.epic_id, "include_bugs": True}))
    assert preview["totals"] == {"create": 7, "update": 0, "skip": 0}
    assert preview["epic"]["existing_id"] is None
    assert [story["parent_feature_id"] for story in preview["stories"]] == [
        *tree.feature_ids[:1] * 2,
        tree.feature_ids[1],
    ]
    assert ado.writes() == []  # a preview calls nothing

    # Push 1: seven work items, parents first, each under its parent.
    start = len(ado.requests())
    first = await push(pm, tree.epic_id)
    answers.append(first)
    first_requests = requests_since(ado, start)
    assert first["status"] == "success" and not first["errors"] and len(first["created"]) == 7
    ids = {entry["entity_id"]: int(entry["external_id"]) for entry in first["created"]}
    epic, ward, sync = ids[tree.epic_id], ids[tree.feature_ids[0]], ids[tree.feature_ids[1]]
    dose, scan, see = (ids[story_id] for story_id in tree.story_ids)
    assert sorted(ado.held()) == sorted(
        [
            (epic, "Epic", "Medication entry", None),
            (ward, "Feature", "Ward entry screen", epic),
            (sync, "Feature", "Pharmacy sync", epic),
            (dose, "User Story", "Record a dose", ward),
            (scan, "User Story", "Scan <wristband> & confirm", ward),
            (see, "User Story", "See ward doses", sync),
            (ids[tree.bug_id], "Bug", "Dose screen freezes", dose),
        ]
    )
    held = ado.work_items[dose].fields
    assert held[POINTS] == 3 and held["System.Tags"] == "jarlpm; frontend"
    assert held[CRITERIA] == "<ul><li>Given a patient When I record a dose Then it is saved</li></ul>"
    assert held["System.IterationPath"] == "Ward App\\Sprint 1" and held["Microsoft.VSTS.Common.Priority"] == 1
    assert "&lt;b&gt;" in ado.work_items[scan].fields[CRITERIA]  # rich text arrives escaped
    assert "<h3>Steps to reproduce</h3>" in ado.work_items[ids[tree.bug_id]].fields["Microsoft.VSTS.TCM.ReproSteps"]
    creates = ado.requests("POST")
    assert {request.headers["Content-Type"] for request in creates} == {"application/json-patch+json"}
    assert first["links"][0] == f"{ado.org_url}/Ward%20App/_workitems/edit/{epic}"
    mappings = (await ok(await pm.get(f"/api/integrations/mappings/{tree.story_ids[2]}")))["mappings"]
    assert [(m["provider"], m["external_key"], m["external_url"]) for m in mappings] == [
        ("azure_devops", str(see), f"{ado.org_url}/Ward%20App/_workitems/edit/{see}")
    ]

    # Edit one story: push 2 updates it alone, the rest is skipped, nothing is created twice.
    await ok(await pm.put(f"/api/stories/{tree.story_ids[2]}", json={"acceptance_criteria": ["Seen within 1 min"]}))
    preview = await ok(await pm.post(f"{BASE}/preview", json={"epic_id": tree.epic_id, "include_bugs": True}))
    assert preview["totals"] == {"create": 0, "update": 1, "skip": 6}
    assert [(s["action"], s["existing_id"]) for s in preview["stories"]][2] == ("update", str(see))
    start = len(ado.requests())
    second = await push(pm, tree.epic_id)
    answers.append(second)
    second_requests = requests_since(ado, start)
    assert (len(second["created"]), len(second["skipped"]), second["errors"]) == (0, 6, [])
    assert [entry["entity_id"] for entry in second["updated"]] == [tree.story_ids[2]]
    assert second_requests[0] == f"GET /fabrikam/_apis/wit/workitems/{see}"
    assert second_requests[1].startswith(f"PATCH /fabrikam/_apis/wit/workitems/{see} add /fields/System.Title")
    assert len(second_requests) == 2 and len(ado.work_items) == 7
    assert ado.work_items[see].fields[CRITERIA] == "<ul><li>Seen within 1 min</li></ul>" and ado.parent_of(see) == sync
    history = (await ok(await pm.get("/api/integrations/push-history?provider=azure_devops")))["runs"]
    assert [(run["status"], run["summary"]["created"], run["summary"]["updated"]) for run in history] == [
        ("success", 0, 1),
        ("success", 7, 0),
    ]
    print("\nPUSH 1 requests received by the fake:", *first_requests, sep="\n  ")
    print("PUSH 2 requests received by the fake:", *second_requests, sep="\n  ")

    # The PAT is in no answer and no log line (nor its Basic form).
    answers.append(await ok(await pm.get("/api/integrations/status")))
    basic = base64.b64encode(f":{PAT}".encode()).decode()
    assert all(PAT not in json.dumps(answer) for answer in answers)
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert PAT not in logged and basic not in logged

    # A second user sees no integration, run or mapping of the first, and cannot push their epic.
    status = await ok(await other.get("/api/integrations/status"))
    assert status["azure_devops"]["status"] == "disconnected"
    assert (await ok(await other.get("/api/integrations/push-history")))["runs"] == []
    assert (await ok(await other.get(f"/api/integrations/mappings/{tree.story_ids[0]}")))["mappings"] == []
    await ok(await connect(other, ado))
    for path in ("/preview", "/push"):
        refused = await other.post(f"{BASE}{path}", json={"epic_id": tree.epic_id, "project_name": PROJECT})
        assert refused.status_code == 404 and (await refused.get_json())["code"] == "EPIC_NOT_FOUND"
    assert len(ado.work_items) == 7


async def test_a_wrong_pat_or_organization_is_a_400_and_nothing_is_stored(
    pm, ado: FakeAzureDevOps, database_url
) -> None:
    wrong = await connect(pm, ado, pat="not-the-pat")
    body = await wrong.get_json()
    assert wrong.status_code == 400 and body["code"] == "INVALID_PAT" and "TF400813" not in body["detail"]
    unknown = await pm.post(f"{BASE}/connect", json={"organization_url": f"{ado.url}/contoso", "pat": PAT})
    detail = (await unknown.get_json())["detail"]
    assert unknown.status_code == 400 and "contoso" not in detail and "TF" not in detail
    for url in ("ftp://dev.azure.com/x", "https://dev.azure.com/", "http://exa mple.com"):
        bad = await pm.post(f"{BASE}/connect", json={"organization_url": url, "pat": PAT})
        assert bad.status_code == 400 and (await bad.get_json())["code"] == "INVALID_ORGANIZATION_URL", url
    assert await fetch(database_url, "SELECT 1 FROM external_integrations") == []
    status = await ok(await pm.get("/api/integrations/status/azure_devops"))
    assert status["status"] == "disconnected"
    not_connected = await pm.post(f"{BASE}/push", json={"epic_id": "epic_x", "project_name": PROJECT})
    assert not_connected.status_code == 400 and (await not_connected.get_json())["code"] == "NOT_CONNECTED"
    assert (await ok(await pm.post(f"{BASE}/disconnect")))["status"] == "not_connected"

    # A PAT revoked after connecting: the test says so and the integration shows why.
    await ok(await connect(pm, ado))
    ado.pat = "rotated-pat"
    tested = await ok(await pm.get(f"{BASE}/test"))
    assert tested["status"] == "error" and tested["error"] == "The tracker no longer accepts these credentials"
    status = await ok(await pm.get("/api/integrations/status/azure_devops"))
    assert (status["status"], status["reason"]) == ("error", "pat_rejected")
    assert (await pm.get(f"{BASE}/projects")).status_code == 400
    assert (await ok(await pm.post(f"{BASE}/disconnect")))["status"] == "disconnected"


async def test_a_failure_mid_push_is_repaired_by_the_next_push_and_a_rejected_pat_stops_it(
    pm, fake_llm, ado: FakeAzureDevOps, database_url
) -> None:
    tree = await build_tree(pm, fake_llm, database_url)
    await ok(await connect(pm, ado))

    # One feature's creation gets a 500: it and everything under it are named; the rest exists.
    ado.fail("POST", r".*/workitems/\$Feature", 500)
    partial = await push(pm, tree.epic_id)
    assert partial["status"] == "partial"
    [failed_feature] = [error["entity_id"] for error in partial["errors"] if error["type"] == "feature"]
    below = {
        story
        for story, feature in zip(tree.story_ids, [0, 0, 1], strict=True)
        if tree.feature_ids[feature] == failed_feature
    }
    if tree.story_ids[0] in below:
        below.add(tree.bug_id)  # the bug hangs under the first story
    assert {error["entity_id"] for error in partial["errors"]} == {failed_feature} | below
    assert {error["code"] for error in partial["errors"]} == {"TRACKER_UNAVAILABLE", "PARENT_NOT_PUSHED"}
    created = {entry["entity_id"] for entry in partial["created"]}
    mapped = await fetch(database_url, "SELECT entity_id FROM external_push_mappings")
    assert {row["entity_id"] for row in mapped} == created and len(ado.work_items) == len(created)

    # The repair, rate limited once on its first create (Retry-After: 0 is waited out).
    ado.fail("POST", r".*/workitems/\$.*", 429, retry_after=0)
    posts_before = len(ado.requests("POST"))
    repaired = await push(pm, tree.epic_id)
    assert repaired["status"] == "success" and repaired["errors"] == []
    assert {entry["entity_id"] for entry in repaired["created"]} == {failed_feature} | below
    assert len(ado.requests("POST")) - posts_before == len(below) + 2  # one create was sent twice
    titles = [title for _, _, title, _ in ado.held()]
    assert len(titles) == 7 == len(set(titles))

    # The PAT is refused mid-push: the run fails and the integration shows why.
    await ok(await pm.put(f"/api/stories/{tree.story_ids[2]}", json={"acceptance_criteria": ["Changed"]}))
    ado.fail("GET", r".*/workitems/\d+", 401)
    refused = await push(pm, tree.epic_id)
    assert refused["status"] == "failed" and refused["updated"] == []
    [rejected, *stopped] = refused["errors"]
    assert (rejected["entity_id"], rejected["code"]) == (tree.story_ids[2], "TRACKER_UNAUTHORIZED")
    assert {error["code"] for error in stopped} <= {"NOT_ATTEMPTED"}  # nothing is sent after the refusal
    status = await ok(await pm.get("/api/integrations/status/azure_devops"))
    assert (status["status"], status["reason"], status["connected"]) == ("error", "pat_rejected", False)
    [row] = await fetch(database_url, "SELECT pat_encrypted FROM external_integrations")
    assert row["pat_encrypted"] is None
    again = await pm.post(f"{BASE}/push", json={"epic_id": tree.epic_id, "project_name": PROJECT})
    assert again.status_code == 400 and "pat_rejected" in (await again.get_json())["detail"]
