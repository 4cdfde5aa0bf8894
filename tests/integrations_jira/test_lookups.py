"""Configure, the data look-ups (sites, projects, issue types, fields, test) and their bad inputs."""

from __future__ import annotations

from tests.fakes.jira_server import CLOUD_ID, EPIC_LINK
from tests.integrations_jira.helpers import JIRA, build_tree, configure, connect, ok, push


async def test_lookups_configure_and_a_push_of_stories_as_sub_tasks(pm, fake_llm, fake_jira, database_url) -> None:
    tree = await build_tree(pm, fake_llm, database_url)
    await connect(pm, fake_jira)
    site = {"id": CLOUD_ID, "name": "nursing", "url": fake_jira.site_url}
    assert await ok(await pm.get(f"{JIRA}/sites")) == {"sites": [site], "current_site": site}
    types = await ok(await pm.get(f"{JIRA}/projects/PROJ/issue-types"))
    assert [(kind["name"], kind["subtask"]) for kind in types["issue_types"]] == [
        ("Epic", False),
        ("Story", False),
        ("Task", False),
        ("Bug", False),
        ("Sub-task", True),
    ]
    fields = (await ok(await pm.get(f"{JIRA}/fields")))["fields"]
    assert {"id": EPIC_LINK, "name": "Epic Link", "custom": True, "schema": {"type": "any"}} in fields
    test = await ok(await pm.get(f"{JIRA}/test"))
    assert test["status"] == "connected" and test["user"]["displayName"] == "Pat"
    assert test["server"]["deploymentType"] == "Cloud"

    missing = await pm.get(f"{JIRA}/projects/NOPE/issue-types")
    assert missing.status_code == 404 and (await missing.get_json())["code"] == "TRACKER_NOT_FOUND"
    unknown_site = await pm.put(
        f"{JIRA}/configure",
        json={"cloud_id": "someone-elses", "site_name": "x", "project_key": "PROJ", "project_name": "Nursing"},
    )
    assert unknown_site.status_code == 400 and (await unknown_site.get_json())["code"] == "UNKNOWN_SITE"
    bad_key = await pm.put(
        f"{JIRA}/configure",
        json={"cloud_id": CLOUD_ID, "site_name": "x", "project_key": "proj; drop", "project_name": "Nursing"},
    )
    assert bad_key.status_code == 422
    configured = await configure(pm, issue_type_mapping={"story": "Sub-task"}, epic_link_field=EPIC_LINK)
    assert configured["field_mappings"] == {
        "issue_type_mapping": {"epic": "Epic", "feature": "Task", "story": "Sub-task", "bug": "Bug"},
        "story_points_field": "customfield_10016",
        "epic_link_field": EPIC_LINK,
        "label_prefix": "jarlpm-",
    }
    status = await ok(await pm.get("/api/integrations/status/jira"))
    assert status["default_project"] == {"id": "PROJ", "name": "Nursing"}

    fake_jira.fail("GET", r"/ex/jira/[^/]+/rest/api/3/myself", 500)
    assert await ok(await pm.get(f"{JIRA}/test")) == {
        "status": "error",
        "user": None,
        "server": None,
        "error": "The tracker could not be reached or failed to answer",
    }
    # Stories mapped to sub-tasks hang under their feature; the epic is reached through Epic Link.
    answer = await push(pm, tree.epic_id)
    assert answer["status"] == "success", answer["errors"]
    issues = fake_jira.by_summary()
    epic, ward = issues["Medication entry"], issues["Ward entry screen"]
    assert issues["Record a dose"].issue_type == "Sub-task" and issues["Record a dose"].parent == ward.key
    assert ward.parent == epic.key  # through the Epic Link field
    creates = fake_jira.requests("POST", r"/ex/jira/[^/]+/rest/api/3/issue")
    [ward_create] = [item.body["fields"] for item in creates if item.body["fields"]["summary"] == "Ward entry screen"]
    assert ward_create[EPIC_LINK] == epic.key and "parent" not in ward_create
