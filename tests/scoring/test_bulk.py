"""Bulk scoring of an epic: suggestions matched back by id, then applied on the allowed values, all or none."""

from __future__ import annotations

import json

from tests.builders import bug_linked_to
from tests.db.helpers import fetch
from tests.scoring.test_scores import ALL_SCORES

RICE = {"reach": 6, "impact": 1, "confidence": 1.0, "effort": 2, "reasoning": "Steady value."}
MOSCOW = {"score": "should_have", "reasoning": "Useful."}
FEATURE_SCORES = """
SELECT feature_id, moscow_score, rice_reach, rice_impact, rice_confidence, rice_effort, rice_total
  FROM features
"""


async def test_bulk_score_matches_by_id_when_the_model_renames_a_feature(pm, tree, fake_llm, database_url) -> None:
    reply = {
        "suggestions": [
            {"feature_id": tree.draft_feature_id, "title": "Pharmacy synchronisation", "moscow": MOSCOW, "rice": RICE},
            {"feature_id": tree.feature_id, "title": "A renamed entry screen", "moscow": MOSCOW, "rice": RICE},
            {"feature_id": "feat_invented0000", "title": "Invented", "moscow": MOSCOW, "rice": RICE},
        ]
    }
    fake_llm.script(f"```json\n{json.dumps(reply)}\n```")
    before = await fetch(database_url, ALL_SCORES)
    response = await pm.post(f"/api/scoring/epic/{tree.epic_id}/bulk-score")
    assert response.status_code == 200, await response.get_data(as_text=True)
    body = await response.get_json()
    assert body["epic_title"] == "Medication entry"
    # In the epic's order, titled as stored; the invented id is dropped.
    assert [(s["feature_id"], s["title"]) for s in body["suggestions"]] == [
        (tree.feature_id, "Ward entry screen"),
        (tree.draft_feature_id, "Pharmacy sync"),
    ]
    assert body["suggestions"][0]["rice"] == {**RICE, "impact": 1.0, "effort": 2.0}
    assert await fetch(database_url, ALL_SCORES) == before  # suggesting stores nothing

    # The client may send values off the allowed sets: they are normalised before they are stored.
    suggestions = body["suggestions"]
    suggestions[1]["rice"] = {"reach": 0, "impact": 2.6, "confidence": 0.75, "effort": 0.2}
    suggestions[1]["moscow"] = {"score": "Won't Have", "reasoning": "Later."}
    applied = await pm.post(f"/api/scoring/epic/{tree.epic_id}/apply-scores", json=suggestions)
    assert await applied.get_json() == {"applied": 2, "feature_ids": [tree.feature_id, tree.draft_feature_id]}
    rows = {row["feature_id"]: row for row in await fetch(database_url, FEATURE_SCORES)}
    assert rows[tree.feature_id] == {
        "feature_id": tree.feature_id,
        "moscow_score": "should_have",
        "rice_reach": 6,
        "rice_impact": 1.0,
        "rice_confidence": 1.0,
        "rice_effort": 2.0,
        "rice_total": 3.0,
    }
    assert [rows[tree.draft_feature_id][key] for key in ("moscow_score", "rice_reach", "rice_impact")] == [
        "wont_have",
        1,
        3.0,
    ]
    assert [rows[tree.draft_feature_id][key] for key in ("rice_confidence", "rice_effort", "rice_total")] == [
        0.8,
        0.5,
        4.8,
    ]

    # One id outside the epic: 404, and nothing of the request is applied.
    before = await fetch(database_url, ALL_SCORES)
    mixed = [{"feature_id": feature_id, "moscow": {"score": "must_have"}} for feature_id in (tree.feature_id, "feat_0")]
    assert (await pm.post(f"/api/scoring/epic/{tree.epic_id}/apply-scores", json=mixed)).status_code == 404
    assert await fetch(database_url, ALL_SCORES) == before
    # An item with no score applies nothing, so it is neither counted nor looked up.
    empty = await pm.post(f"/api/scoring/epic/{tree.epic_id}/apply-scores", json=[{"feature_id": "feat_0"}])
    assert await empty.get_json() == {"applied": 0, "feature_ids": []}


async def test_bulk_score_all_covers_the_epic_and_only_its_bugs(pm, tree, fake_llm, database_url) -> None:
    epic_bug = (await bug_linked_to(pm, epic=tree.epic_id))["bug_id"]
    reply = {
        "features": [{"item_id": tree.feature_id, "title": "Renamed", "moscow": MOSCOW, "rice": RICE}],
        "stories": [{"item_id": tree.story_id, "rice": RICE}, {"item_id": tree.standalone_story_id, "rice": RICE}],
        "bugs": [{"item_id": b, "rice": RICE} for b in (tree.bug_id, epic_bug, tree.standalone_bug_id)],
    }
    fake_llm.script(json.dumps(reply))
    response = await pm.post(f"/api/scoring/epic/{tree.epic_id}/bulk-score-all")
    assert response.status_code == 200, await response.get_data(as_text=True)
    body = await response.get_json()
    prompt = fake_llm.chat_requests()[-1].body["messages"][-1]["content"]
    assert tree.standalone_bug_id not in prompt and tree.standalone_story_id not in prompt
    assert [(s["item_id"], s["item_type"], s["title"]) for s in body["feature_suggestions"]] == [
        (tree.feature_id, "feature", "Ward entry screen")
    ]
    assert [s["item_id"] for s in body["story_suggestions"]] == [tree.story_id]
    assert [s["item_id"] for s in body["bug_suggestions"]] == [tree.bug_id, epic_bug]

    applied = await pm.post(f"/api/scoring/epic/{tree.epic_id}/apply-all-scores", json=body)
    assert await applied.get_json() == {"applied": {"features": 1, "stories": 1, "bugs": 2}, "total": 4}
    totals = {row["id"]: row["rice_total"] for row in await fetch(database_url, ALL_SCORES)}
    assert [totals[i] for i in (tree.feature_id, tree.story_id, tree.bug_id, epic_bug)] == [3.0] * 4
    assert totals[tree.standalone_bug_id] is None and totals[tree.standalone_story_id] is None

    # A standalone bug smuggled into the apply is not under the epic: 404, nothing applied.
    before = await fetch(database_url, ALL_SCORES)
    body["bug_suggestions"].append({"item_id": tree.standalone_bug_id, "rice": RICE})
    body["story_suggestions"][0]["rice"] = {**RICE, "reach": 2}
    assert (await pm.post(f"/api/scoring/epic/{tree.epic_id}/apply-all-scores", json=body)).status_code == 404
    assert await fetch(database_url, ALL_SCORES) == before


async def test_bulk_score_of_an_epic_without_features_is_400(pm, epic_id, fake_llm) -> None:
    requests = len(fake_llm.chat_requests())
    response = await pm.post(f"/api/scoring/epic/{epic_id}/bulk-score")
    assert (response.status_code, (await response.get_json())["code"]) == (400, "NO_FEATURES")
    assert len(fake_llm.chat_requests()) == requests
