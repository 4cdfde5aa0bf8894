"""Scores set by hand, the lists, and what another user can do with pm's items: nothing."""

from __future__ import annotations

import pytest

from tests.db.helpers import fetch

RICE = {"reach": 8, "impact": 2, "confidence": 0.8, "effort": 4}  # total 3.2
RICE_OUT = {
    "rice_reach": 8,
    "rice_impact": 2.0,
    "rice_impact_label": "High",
    "rice_confidence": 0.8,
    "rice_confidence_label": "Medium",
    "rice_effort": 4.0,
    "rice_total": 3.2,
}
ALL_SCORES = """
SELECT 'epic' AS kind, epic_id AS id, moscow_score, NULL::float AS rice_total FROM epics
UNION ALL SELECT 'feature', feature_id, moscow_score, rice_total FROM features
UNION ALL SELECT 'story', story_id, NULL, rice_total FROM user_stories
UNION ALL SELECT 'bug', bug_id, NULL, rice_total FROM bugs
ORDER BY 1, 2
"""


async def test_options_are_public(client) -> None:
    response = await client.get("/api/scoring/options")
    assert response.status_code == 200
    assert await response.get_json() == {
        "moscow_options": {
            "must_have": "Must Have",
            "should_have": "Should Have",
            "could_have": "Could Have",
            "wont_have": "Won't Have",
        },
        "rice_impact_options": {"0.25": "Minimal", "0.5": "Low", "1.0": "Medium", "2.0": "High", "3.0": "Massive"},
        "rice_confidence_options": {"0.5": "Low", "0.8": "Medium", "1.0": "High"},
    }


async def test_the_owner_scores_everything_by_hand_approved_items_included(pm, tree, database_url) -> None:
    epic = await pm.put(f"/api/scoring/epic/{tree.epic_id}/moscow", json={"score": "must_have"})
    assert await epic.get_json() == {"epic_id": tree.epic_id, "moscow_score": "must_have", "moscow_label": "Must Have"}
    assert await (await pm.get(f"/api/scoring/epic/{tree.epic_id}/moscow")).get_json() == await epic.get_json()

    # The feature and the story are approved: their content is frozen, their scores are not.
    assert (
        await pm.put(f"/api/scoring/feature/{tree.feature_id}/moscow", json={"score": "Could Have"})
    ).status_code == 200
    feature = await pm.put(f"/api/scoring/feature/{tree.feature_id}/rice", json=RICE)
    expected_feature = {
        "feature_id": tree.feature_id,
        "moscow_score": "could_have",
        "moscow_label": "Could Have",
        **RICE_OUT,
    }
    assert await feature.get_json() == expected_feature
    assert await (await pm.get(f"/api/scoring/feature/{tree.feature_id}")).get_json() == expected_feature

    for path, key, item_id in [
        (f"/api/scoring/story/{tree.story_id}/rice", "story_id", tree.story_id),
        (f"/api/scoring/bug/{tree.bug_id}/rice", "bug_id", tree.bug_id),
    ]:
        response = await pm.put(path, json=RICE)
        assert await response.get_json() == {key: item_id, **RICE_OUT}
    for path, key, item_id in [
        (f"/api/scoring/standalone-story/{tree.standalone_story_id}/score", "story_id", tree.standalone_story_id),
        (f"/api/scoring/standalone-bug/{tree.standalone_bug_id}/score", "bug_id", tree.standalone_bug_id),
    ]:
        response = await pm.post(path, json={**RICE, "reach": 10, "effort": 0.5, "impact": 3, "confidence": 1})
        scored = await response.get_json()
        assert (scored[key], scored["rice_total"]) == (item_id, 60.0)
    assert (await (await pm.get(f"/api/scoring/story/{tree.story_id}")).get_json())["rice_total"] == 3.2
    assert (await (await pm.get(f"/api/scoring/bug/{tree.bug_id}")).get_json())["rice_total"] == 3.2

    stages = await fetch(database_url, "SELECT current_stage FROM features WHERE feature_id = $1", tree.feature_id)
    assert stages == [{"current_stage": "approved"}]
    # A feature-bound story is not a standalone one.
    bound = await pm.post(f"/api/scoring/standalone-story/{tree.story_id}/score", json=RICE)
    assert bound.status_code == 404


@pytest.mark.parametrize(
    "body,status",
    [
        ({**RICE, "reach": 0}, 422),
        ({**RICE, "reach": 11}, 422),
        ({**RICE, "effort": 0.4}, 422),
        ({**RICE, "effort": 10.5}, 422),
        ({**RICE, "impact": 1.5}, 400),
        ({**RICE, "confidence": 0.7}, 400),
    ],
)
async def test_bad_rice_values_change_nothing(pm, database_url, body, status) -> None:
    # The route answers before looking the item up, so no tree is needed to prove the statuses.
    before = await fetch(database_url, ALL_SCORES)
    for path in ("/api/scoring/feature/feat_x/rice", "/api/scoring/story/story_x/rice", "/api/scoring/bug/bug_x/rice"):
        response = await pm.put(path, json=body)
        assert response.status_code == status
        code = (await response.get_json())["code"]
        assert code in ("VALIDATION_ERROR", "INVALID_RICE_IMPACT", "INVALID_RICE_CONFIDENCE")
    assert await fetch(database_url, ALL_SCORES) == before


async def test_an_unknown_moscow_score_is_400(pm, tree, database_url) -> None:
    before = await fetch(database_url, ALL_SCORES)
    for path in (f"/api/scoring/epic/{tree.epic_id}/moscow", f"/api/scoring/feature/{tree.feature_id}/moscow"):
        response = await pm.put(path, json={"score": "maybe"})
        assert (response.status_code, (await response.get_json())["code"]) == (400, "INVALID_MOSCOW_SCORE")
    assert await fetch(database_url, ALL_SCORES) == before


async def test_another_user_finds_nothing_and_changes_nothing(pm, other, tree, fake_llm, database_url) -> None:
    own_epic = await other.post("/api/epics", json={"title": "Oz's epic"})
    other_epic = (await own_epic.get_json())["epic_id"]
    before = await fetch(database_url, ALL_SCORES)
    requests_before = len(fake_llm.chat_requests())
    routes = [
        ("get", f"/api/scoring/epic/{tree.epic_id}/moscow", None),
        ("put", f"/api/scoring/epic/{tree.epic_id}/moscow", {"score": "must_have"}),
        ("post", f"/api/scoring/epic/{tree.epic_id}/moscow/suggest", None),
        ("get", f"/api/scoring/feature/{tree.feature_id}", None),
        ("put", f"/api/scoring/feature/{tree.feature_id}/moscow", {"score": "must_have"}),
        ("put", f"/api/scoring/feature/{tree.feature_id}/rice", RICE),
        ("post", f"/api/scoring/feature/{tree.feature_id}/suggest", None),
        ("get", f"/api/scoring/story/{tree.story_id}", None),
        ("put", f"/api/scoring/story/{tree.story_id}/rice", RICE),
        ("post", f"/api/scoring/story/{tree.story_id}/suggest", None),
        ("post", f"/api/scoring/standalone-story/{tree.standalone_story_id}/score", RICE),
        ("get", f"/api/scoring/bug/{tree.bug_id}", None),
        ("put", f"/api/scoring/bug/{tree.bug_id}/rice", RICE),
        ("post", f"/api/scoring/bug/{tree.bug_id}/suggest", None),
        ("post", f"/api/scoring/standalone-bug/{tree.standalone_bug_id}/score", RICE),
        ("post", f"/api/scoring/epic/{tree.epic_id}/bulk-score", None),
        ("post", f"/api/scoring/epic/{tree.epic_id}/apply-scores", [{"feature_id": tree.feature_id, "rice": RICE}]),
        ("post", f"/api/scoring/epic/{tree.epic_id}/bulk-score-all", None),
        ("post", f"/api/scoring/epic/{tree.epic_id}/apply-all-scores", {}),
        ("get", f"/api/scoring/epic/{tree.epic_id}/scores", None),
    ]
    for method, path, body in routes:
        as_json = {"json": body} if body is not None else {}
        response = await other.call(method, path, **as_json)
        missing = await pm.call(method, _without_ids(path, tree), **as_json)
        assert response.status_code == missing.status_code == 404, (method, path)
        assert await response.get_json() == await missing.get_json()
    assert await (await other.get("/api/scoring/scored-items")).get_json() == {"items": [], "total": 0}
    listed = await (await other.get("/api/scoring/items-for-scoring")).get_json()
    assert listed == {"epics": [], "standalone_stories": [], "standalone_bugs": []}

    # Nor can an apply through the other user's own epic reach pm's items.
    smuggled = await other.post(
        f"/api/scoring/epic/{other_epic}/apply-scores", json=[{"feature_id": tree.feature_id, "rice": RICE}]
    )
    assert smuggled.status_code == 404
    assert await fetch(database_url, ALL_SCORES) == before
    assert len(fake_llm.chat_requests()) == requests_before


def _without_ids(path: str, tree: tuple[str, ...]) -> str:
    """The path with pm's ids replaced by ids nobody has."""
    for item_id in tree:
        path = path.replace(item_id, item_id.split("_")[0] + "_000000000000")
    return path


async def test_the_lists_show_what_is_scored_and_what_can_be(pm, tree) -> None:
    await pm.put(f"/api/scoring/epic/{tree.epic_id}/moscow", json={"score": "should_have", "reasoning": "Core"})
    await pm.put(f"/api/scoring/feature/{tree.feature_id}/rice", json=RICE)
    await pm.post(f"/api/scoring/standalone-story/{tree.standalone_story_id}/score", json=RICE)
    await pm.put(f"/api/scoring/bug/{tree.bug_id}/rice", json=RICE)  # linked: not a standalone bug

    scored = await (await pm.get("/api/scoring/scored-items")).get_json()
    assert scored["total"] == 2
    by_type = {item["item_type"]: item for item in scored["items"]}
    assert by_type["epic"]["item_id"] == tree.epic_id
    assert (by_type["epic"]["children_scored"], by_type["epic"]["children_total"]) == (1, 2)
    assert by_type["epic"]["has_children"] is True
    assert by_type["standalone_story"]["item_id"] == tree.standalone_story_id
    assert by_type["standalone_story"]["rice_total"] == 3.2

    listed = await (await pm.get("/api/scoring/items-for-scoring")).get_json()
    assert listed["epics"] == [
        {"epic_id": tree.epic_id, "title": "Medication entry", "moscow_score": "should_have", "has_moscow": True}
    ]
    assert [s["story_id"] for s in listed["standalone_stories"]] == [tree.standalone_story_id]
    assert [(b["bug_id"], b["has_rice"]) for b in listed["standalone_bugs"]] == [(tree.standalone_bug_id, False)]

    scores = await (await pm.get(f"/api/scoring/epic/{tree.epic_id}/scores")).get_json()
    assert (scores["moscow_score"], scores["moscow_reasoning"]) == ("should_have", "Core")
    assert [f["feature_id"] for f in scores["features"]] == [tree.feature_id, tree.draft_feature_id]
    assert scores["features"][0]["rice_total"] == 3.2
    assert [s["story_id"] for s in scores["stories"]] == [tree.story_id]
    assert [(b["bug_id"], b["rice_total"]) for b in scores["bugs"]] == [(tree.bug_id, 3.2)]
