"""One initiative with its tree, the regeneration context of a feature, and the status counts."""

from __future__ import annotations

from tests.builders import (
    add_story,
    approved_feature,
    create_epic,
    create_feature,
    drafted_epic,
    locked_epic,
    pointed_story,
)

DETAIL_KEYS = {
    "epic_id",
    "title",
    "tagline",
    "status",
    "problem_statement",
    "desired_outcome",
    "epic_summary",
    "acceptance_criteria",
    "features_count",
    "stories_count",
    "total_points",
    "features",
    "sprint_plan",
    "created_at",
    "updated_at",
}
FEATURE_KEYS = {"feature_id", "name", "description", "priority", "stories_count", "total_points", "stories"}
STORY_KEYS = {"story_id", "title", "story_text", "points", "status", "labels", "priority"}
CONTEXT_KEYS = {"epic_id", "feature_id", "feature_name", "feature_description", "context"}


async def test_an_initiative_comes_with_its_feature_and_story_tree(pm, fake_llm) -> None:
    epic_id = await locked_epic(pm, fake_llm)
    first = await approved_feature(pm, epic_id)
    second = await create_feature(pm, epic_id, title="Pharmacy sync", description="Doses flow.")
    must = await pointed_story(pm, fake_llm, first["feature_id"], 5, story_priority="must-have", labels=["ward"])
    unsized = await add_story(pm, first["feature_id"], title="Audit trail")

    response = await pm.get(f"/api/initiatives/{epic_id}")

    assert response.status_code == 200
    detail = await response.get_json()
    assert set(detail) == DETAIL_KEYS
    assert (detail["status"], detail["sprint_plan"]) == ("completed", None)
    assert (detail["features_count"], detail["stories_count"], detail["total_points"]) == (2, 2, 5)
    assert detail["epic_summary"] == "Single-entry medication records for ward nurses."
    assert len(detail["acceptance_criteria"]) == 3 and detail["desired_outcome"].startswith("Desired Outcome:")
    assert [feature["feature_id"] for feature in detail["features"]] == [first["feature_id"], second["feature_id"]]
    tree = detail["features"][0]
    assert set(tree) == FEATURE_KEYS and all(set(story) == STORY_KEYS for story in tree["stories"])
    assert (tree["name"], tree["priority"], tree["stories_count"], tree["total_points"]) == (
        first["title"],
        "should-have",
        2,
        5,
    )
    assert tree["stories"][0] == {
        "story_id": must["story_id"],
        "title": None,
        "story_text": must["story_text"],
        "points": 5,
        "status": "refining",  # the sizing conversation moved it on
        "labels": ["ward"],
        "priority": "must-have",
    }
    assert (tree["stories"][1]["story_id"], tree["stories"][1]["points"]) == (unsized["story_id"], None)
    assert detail["features"][1]["stories"] == [] and detail["features"][1]["total_points"] == 0


async def test_a_fresh_epic_is_a_draft_with_an_empty_tree(pm) -> None:
    epic = await create_epic(pm, "Just an idea")
    detail = await (await pm.get(f"/api/initiatives/{epic['epic_id']}")).get_json()
    assert (detail["status"], detail["features"], detail["acceptance_criteria"]) == ("draft", [], [])
    assert detail["tagline"] is None and detail["problem_statement"] is None


async def test_the_regeneration_context_names_the_feature_and_its_epic(pm, fake_llm) -> None:
    epic_id = await locked_epic(pm, fake_llm, "Ward medication")
    feature = await approved_feature(pm, epic_id)

    response = await pm.get(f"/api/initiatives/{epic_id}/features/{feature['feature_id']}/regenerate")

    assert response.status_code == 200
    body = await response.get_json()
    assert set(body) == CONTEXT_KEYS
    assert (body["feature_name"], body["feature_description"]) == (feature["title"], feature["description"])
    assert body["context"]["product_name"] == "Ward medication"
    assert body["context"]["problem_statement"].startswith("Problem Statement:")
    assert body["context"]["desired_outcome"].startswith("Desired Outcome:")


async def test_a_feature_of_another_epic_or_of_nobody_is_404(pm, fake_llm) -> None:
    epic_id = await locked_epic(pm, fake_llm)
    elsewhere = await approved_feature(pm, await locked_epic(pm, fake_llm, "Other epic"))
    for feature_id in (elsewhere["feature_id"], "feat_000000000000"):
        response = await pm.get(f"/api/initiatives/{epic_id}/features/{feature_id}/regenerate")
        assert response.status_code == 404
        assert (await response.get_json())["code"] == "FEATURE_NOT_FOUND"
    response = await pm.get(f"/api/initiatives/epic_000000000000/features/{elsewhere['feature_id']}/regenerate")
    assert (await response.get_json())["code"] == "INITIATIVE_NOT_FOUND"


async def test_another_users_initiative_and_feature_are_404(pm, other, fake_llm) -> None:
    epic_id = await locked_epic(pm, fake_llm)
    feature = await approved_feature(pm, epic_id)
    for path in (
        f"/api/initiatives/{epic_id}",
        f"/api/initiatives/{epic_id}/features/{feature['feature_id']}/regenerate",
    ):
        response = await other.get(path)
        assert response.status_code == 404
        assert await response.get_json() == {"detail": "Initiative not found", "code": "INITIATIVE_NOT_FOUND"}


async def test_the_summary_counts_each_status_once(pm, fake_llm) -> None:
    await locked_epic(pm, fake_llm)
    await drafted_epic(pm, fake_llm)
    await create_epic(pm, "Draft")
    shelved = (await create_epic(pm, "Shelved"))["epic_id"]
    assert (await pm.patch(f"/api/initiatives/{shelved}/archive")).status_code == 200

    response = await pm.get("/api/initiatives/stats/summary")

    assert response.status_code == 200
    assert await response.get_json() == {"total": 4, "draft": 1, "active": 1, "completed": 1, "archived": 1}
