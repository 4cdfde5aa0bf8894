"""A second user sees nothing of the first's Jira connection, runs or mappings, and cannot push their epic."""

from __future__ import annotations

from tests.integrations_jira.helpers import JIRA, build_tree, connected, ok, push


async def test_another_user_sees_no_integration_run_or_mapping_and_gets_404(
    pm, other, fake_llm, fake_jira, database_url
) -> None:
    tree = await build_tree(pm, fake_llm, database_url)
    await connected(pm, fake_jira)
    await push(pm, tree.epic_id)

    status = await ok(await other.get("/api/integrations/status/jira"))
    assert status["status"] == "disconnected" and status["account_name"] is None
    assert (await ok(await other.get("/api/integrations/push-history")))["runs"] == []
    assert (await ok(await other.get(f"/api/integrations/mappings/{tree.story_ids[0]}")))["mappings"] == []
    not_connected = await other.get(f"{JIRA}/projects")
    assert not_connected.status_code == 400 and (await not_connected.get_json())["code"] == "NOT_CONNECTED"

    await connected(other, fake_jira)
    writes_before = fake_jira.writes()
    for path in ("/preview", "/push"):
        response = await other.post(f"{JIRA}{path}", json={"epic_id": tree.epic_id})
        assert response.status_code == 404, path
        assert (await response.get_json())["code"] == "EPIC_NOT_FOUND"
    assert fake_jira.writes() == writes_before and len(fake_jira.issues) == 6
    assert (await ok(await other.get("/api/integrations/push-history")))["runs"] == []
    # pm's connection is untouched by other's.
    assert (await ok(await pm.get("/api/integrations/status/jira")))["connected"] is True
