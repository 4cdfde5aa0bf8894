"""Linear refusing half way (a partial run naming the items, mappings only for what exists, repaired by
the next push), expired tokens refreshed, a revoked grant shown in the status, the epic as a project."""

from __future__ import annotations

import asyncio

from tests.builders import bug_linked_to
from tests.db.helpers import fetch
from tests.fakes.linear_server import FakeLinear
from tests.integrations_linear.helpers import BASE, build_tree, configure, connect, ok, push

MAPPED = "SELECT entity_id, external_id FROM external_push_mappings WHERE provider = 'linear'"


def _refreshes(linear: FakeLinear) -> list:
    return [item for item in linear.requests("POST", "/oauth/token") if item.body["grant_type"] == "refresh_token"]


async def test_a_refusal_mid_push_is_partial_and_the_next_push_completes_it(
    app, pm, epic_id, linear: FakeLinear, database_url
) -> None:
    tree = await build_tree(pm, epic_id)
    linear.expires_in = 30  # shorter than the refresh margin: every push refreshes first
    await connect(pm, linear)
    await configure(pm)
    # The settings page asks for teams and labels at once: both refresh, one refresh token wins, both work.
    pages = await asyncio.gather(pm.get(f"{BASE}/teams"), pm.get(f"{BASE}/labels"), pm.get(f"{BASE}/teams"))
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert (await ok(await pm.get("/api/integrations/status")))["linear"]["status"] == "connected"
    refreshed_before = len(_refreshes(linear))
    # The epic and one feature are created, the next issue is refused.
    linear.reject("IssueCreate", "Argument Validation Error: title is too long", after=2)

    first = await push(pm, epic_id)
    assert first["status"] == "partial"
    [refused] = [error for error in first["errors"] if error["code"] == "TRACKER_REJECTED"]
    assert refused["type"] == "feature"
    assert refused["error"] == "Linear rejected the request: Argument Validation Error: title is too long"
    orphans = {error["id"] for error in first["errors"] if error["code"] == "PARENT_NOT_PUSHED"}
    feature_index = tree.feature_ids.index(refused["id"])
    assert orphans == set(tree.story_ids[:2] if feature_index == 0 else tree.story_ids[2:])
    mapped = {row["entity_id"]: row["external_id"] for row in await fetch(database_url, MAPPED)}
    assert set(mapped.values()) == set(linear.issues)
    assert refused["id"] not in mapped and not orphans & set(mapped)
    [run] = (await ok(await pm.get("/api/integrations/push-history")))["runs"]
    assert (run["status"], run["summary"]["errors"]) == ("partial", 1 + len(orphans))
    assert {error["entity_id"] for error in run["errors"]} == {refused["id"], *orphans}

    linear.expires_in = None  # the next pair does not expire
    second = await push(pm, epic_id)
    assert (second["status"], second["errors"], second["updated"]) == ("success", [], [])
    assert {entry["id"] for entry in second["created"]} == {refused["id"], *orphans}
    assert len(linear.issues) == 6
    assert len({issue["title"] for issue in linear.issues.values()}) == 6
    assert len(_refreshes(linear)) - refreshed_before == 2
    [stored] = await fetch(database_url, "SELECT token_expires_at FROM external_integrations")
    assert stored["token_expires_at"] is None

    # An issue deleted in Linear since: the next push creates it again (and maps the new one).
    del linear.issues[linear.issue("Feed the pharmacy")["id"]]
    await pm.put(f"/api/stories/{tree.story_ids[2]}", json={"title": "Feed the pharmacy twice"})
    third = await push(pm, epic_id)
    assert ([entry["id"] for entry in third["created"]], third["updated"]) == ([tree.story_ids[2]], [])
    assert len(linear.issues) == 6 and linear.issue("Feed the pharmacy twice")["parentId"]

    # The user removes the app in Linear: the next push stops and the integration says why.
    linear.revoke_all()
    await pm.put(f"/api/stories/{tree.story_ids[0]}", json={"title": "Record one dose"})
    fourth = await push(pm, epic_id)
    assert (fourth["status"], [error["code"] for error in fourth["errors"]]) == ("failed", ["TRACKER_UNAUTHORIZED"])
    status = (await ok(await pm.get("/api/integrations/status")))["linear"]
    assert (status["status"], status["reason"]) == ("error", "grant_revoked")
    [row] = await fetch(
        database_url, "SELECT access_token_encrypted, refresh_token_encrypted FROM external_integrations"
    )
    assert row == {"access_token_encrypted": None, "refresh_token_encrypted": None}
    teams = await pm.get(f"{BASE}/teams")
    assert (teams.status_code, (await teams.get_json())["code"]) == (400, "NOT_CONNECTED")


async def test_the_epic_as_a_project_with_bugs_and_a_label_policy_of_existing_only(
    app, pm, epic_id, linear: FakeLinear
) -> None:
    tree = await build_tree(pm, epic_id)
    bug = await bug_linked_to(pm, story=tree.story_ids[0])
    await connect(pm, linear)
    await configure(pm, epic_mapping="project", label_policy="existing-only")

    pushed = await push(pm, epic_id, include_bugs=True)
    assert pushed["status"] == "success"
    assert {entry["id"] for entry in pushed["created"]} == {epic_id, *tree.feature_ids, *tree.story_ids, bug["bug_id"]}
    [project] = [p for p in linear.projects.values() if p["name"] == "Medication entry"]
    assert project["teamIds"] == ["team-eng"] and "## Acceptance criteria" in project["content"]
    features = [linear.issue("Ward entry screen"), linear.issue("Pharmacy sync")]
    assert [(issue["parentId"], issue["projectId"]) for issue in features] == [(None, project["id"])] * 2
    dose = linear.issue("Record a dose")
    assert (dose["parentId"], dose["projectId"]) == (features[0]["id"], project["id"])
    assert linear.label_names(dose) == ["Frontend"]  # "sync" is not created under existing-only
    filed = linear.issue(bug["title"])
    assert (filed["parentId"], filed["priority"], filed["labelIds"]) == (dose["id"], 2, [])
    assert "IssueLabelCreate" not in linear.operations()

    before = len(linear.operations())
    again = await push(pm, epic_id, include_bugs=True)
    assert (len(again["skipped"]), linear.operations()[before:]) == (7, [])


async def test_the_connection_test_reports_linear_not_the_callers_session(app, pm, linear: FakeLinear) -> None:  # type: ignore[no-untyped-def]
    """Only Linear's answers become {status: "error"}: a bad session stays a 401 (it used to be swallowed,
    leaving the session unchecked: a 500)."""
    for headers in ({"Authorization": "Bearer forged-session-token"}, {}):
        response = await app.test_client().get(f"{BASE}/test", headers=headers)
        assert response.status_code == 401, await response.get_data(as_text=True)
        assert (await response.get_json())["code"] in ("INVALID_SESSION", "NOT_AUTHENTICATED")
    not_connected = await ok(await pm.get(f"{BASE}/test"))
    assert not_connected["status"] == "error"
