"""A tracker failing in the middle of a push, rate limits waited out, and the repair by a second push."""

from __future__ import annotations

from tests.builders import bug_linked_to
from tests.db.helpers import fetch
from tests.integrations_jira.helpers import JIRA, build_tree, connected, keys, ok, push

ISSUE_PATH = r"/ex/jira/[^/]+/rest/api/3/issue"


async def _mapped(database_url: str) -> list[str]:
    rows = await fetch(database_url, "SELECT external_key FROM external_push_mappings ORDER BY external_key")
    return [row["external_key"] for row in rows]


async def test_a_500_mid_push_gives_a_partial_run_and_the_next_push_completes_it(
    pm, fake_llm, fake_jira, database_url
) -> None:
    tree = await build_tree(pm, fake_llm, database_url)
    bug = await bug_linked_to(pm, story=tree.story_ids[0])
    await connected(pm, fake_jira)
    preview = await ok(await pm.post(f"{JIRA}/preview", json={"epic_id": tree.epic_id, "include_bugs": True}))
    assert [entry["entity_id"] for entry in preview["bugs"]] == [bug["bug_id"]]
    fake_jira.fail("POST", ISSUE_PATH, 429, retry_after=0)  # the epic's create is rate limited once
    fake_jira.break_issue("Pharmacy sync")

    first = await push(pm, tree.epic_id, include_bugs=True)

    assert first["status"] == "partial"
    assert first["errors"] == [
        {
            "type": "feature",
            "entity_id": tree.feature_ids[1],
            "error": "The tracker could not be reached or failed to answer",
            "code": "TRACKER_UNAVAILABLE",
        }
    ]
    assert len(first["created"]) == 6 and len(fake_jira.issues) == 6
    assert await _mapped(database_url) == keys(first["created"])
    assert len(fake_jira.requests("POST", ISSUE_PATH)) == 8  # 429 + retry, five more, the failed one
    bug_issue = fake_jira.by_summary()["Dose screen freezes"]
    assert bug_issue.issue_type == "Bug" and bug_issue.parent == fake_jira.by_summary()["Medication entry"].key
    history = await ok(await pm.get("/api/integrations/push-history"))
    assert history["runs"][0]["status"] == "partial"
    assert history["runs"][0]["errors"][0]["entity_id"] == tree.feature_ids[1]

    second = await push(pm, tree.epic_id, include_bugs=True)

    assert second["status"] == "success" and second["errors"] == []
    assert [entry["entity_id"] for entry in second["created"]] == [tree.feature_ids[1]]
    assert len(second["skipped"]) == 6
    assert len(fake_jira.issues) == 7 and len(set(fake_jira.by_summary())) == 7
    assert len(await _mapped(database_url)) == 7

    # The grant is revoked while a push is under way: it stops, and the integration says why.
    edited = await pm.put(f"/api/stories/{tree.story_ids[2]}", json={"title": "See every ward dose"})
    assert edited.status_code == 200
    fake_jira.fail("PUT", ISSUE_PATH + "/[A-Z]+-[0-9]+", 401)
    fake_jira.revoke_grants()
    fake_jira.revoked_status = 400  # invalid_grant as a 400 is taken like Atlassian's documented 403
    response = await pm.post(f"{JIRA}/push", json={"epic_id": tree.epic_id, "include_bugs": True})
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "NOT_CONNECTED"
    status = await ok(await pm.get("/api/integrations/status/jira"))
    assert (status["status"], status["reason"]) == ("error", "grant_revoked")
    runs = (await ok(await pm.get("/api/integrations/push-history")))["runs"]
    assert [run["status"] for run in runs] == ["failed", "success", "partial"]
    assert [error["code"] for error in runs[0]["errors"]] == ["TRACKER_UNAUTHORIZED"]
    assert fake_jira.by_summary().get("See every ward dose") is None and len(fake_jira.issues) == 7
