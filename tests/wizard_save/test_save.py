"""POST /api/initiative/save: a locked epic, approved features and draft stories, readable through their own
routes; fresh ids always; nothing written for an invalid payload."""

from __future__ import annotations

import json

from tests.builders import approved_feature_with_stories
from tests.db.helpers import fetch
from tests.wizard_save.helpers import (
    FULL_STORY,
    TOTAL_POINTS,
    generation_log,
    initiative,
    row_counts,
)


async def save(user, payload: dict, **kwargs) -> dict:  # type: ignore[no-untyped-def]
    response = await user.post("/api/initiative/save", json=payload, **kwargs)
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def get_json(user, path: str):  # type: ignore[no-untyped-def]
    response = await user.get(path)
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def user_id(user) -> str:  # type: ignore[no-untyped-def]
    return (await get_json(user, "/api/auth/me"))["user_id"]


async def test_a_save_is_a_locked_epic_that_every_room_reads(pm, database_url) -> None:
    answer = await save(pm, initiative())

    assert answer["success"] is True
    assert (answer["features_created"], answer["stories_created"], answer["total_points"]) == (2, 4, TOTAL_POINTS)
    assert set(answer["feature_ids"]) == {"feat_0000000a", "feat_0000000b"}
    assert set(answer["story_ids"]) == {f"story_{n:08x}" for n in (1, 2, 3, 4)}
    assert not set(answer["feature_ids"]) & set(answer["feature_ids"].values())  # fresh server ids
    assert not set(answer["story_ids"]) & set(answer["story_ids"].values())
    epic_id = answer["epic_id"]

    epic = await get_json(pm, f"/api/epics/{epic_id}")
    snapshot = epic["snapshot"]
    assert (epic["title"], epic["current_stage"], epic["pending_proposal"]) == (
        "Single-entry medication records",
        "epic_locked",
        None,
    )
    assert snapshot["problem_statement"].startswith("Ward nurses spend 30 minutes")
    assert snapshot["desired_outcome"].startswith("Medication data is entered once")
    assert all(snapshot[key] for key in ("problem_confirmed_at", "outcome_confirmed_at", "epic_locked_at"))
    for part in ("Nurses record each dose once", "Vision: No nurse", "Ward nurse: Busy", "Pharmacy API delays"):
        assert part in snapshot["epic_summary"]
    assert snapshot["acceptance_criteria"] == [
        "Re-entry time under 5 minutes per shift",
        "Zero duplicate doses",
        "MVP scope delivered: Bedside dose entry",
    ]
    assert snapshot["epic_details"] == {
        "in_scope": ["Bedside dose entry"],
        "out_of_scope": ["Pharmacy billing", "Outpatient clinics"],
        "dependencies": ["Pharmacy API access"],
        "assumptions": ["Nurses have tablets"],
    }
    permissions = (await get_json(pm, f"/api/epics/{epic_id}/permissions"))["permissions"]
    assert permissions["epic"]["status"] == "locked" and permissions["features"]["can_create"] is True

    decisions = (await get_json(pm, f"/api/epics/{epic_id}/decisions"))["decisions"]
    confirmed = [(d["from_stage"], d["to_stage"]) for d in decisions if d["decision_type"] == "confirm_proposal"]
    assert confirmed == [
        ("problem_capture", "problem_confirmed"),
        ("outcome_capture", "outcome_confirmed"),
        ("epic_drafted", "epic_locked"),
    ]
    assert decisions[0]["content_snapshot"] == snapshot["problem_statement"]
    assert all(d["proposal_id"].startswith("prop_") for d in decisions if d["decision_type"] == "confirm_proposal")
    events = (await get_json(pm, f"/api/epics/{epic_id}/transcript"))["events"]
    assert [(e["role"], e["content"], e["stage"]) for e in events] == [
        ("system", "Created by the initiative wizard", "epic_locked")
    ]

    features = await get_json(pm, f"/api/features/epic/{epic_id}")
    assert [
        (f["feature_id"], f["title"], f["current_stage"], f["source"], f["priority"], f["moscow_score"])
        for f in features
    ] == [
        (answer["feature_ids"]["feat_0000000a"], "Bedside entry", "approved", "ai_generated", 0, "must_have"),
        (answer["feature_ids"]["feat_0000000b"], "Pharmacy sync", "approved", "ai_generated", 1, "could_have"),
    ]
    assert all(feature["approved_at"] for feature in features)

    stories = await get_json(pm, f"/api/stories/feature/{features[0]['feature_id']}")
    assert [s["story_id"] for s in stories] == [
        answer["story_ids"]["story_00000001"],
        answer["story_ids"]["story_00000002"],
    ]
    story = stories[0]
    assert story["current_stage"] == "draft" and story["source"] == "ai_generated" and story["priority"] == 0
    for field in (
        "title",
        "persona",
        "action",
        "benefit",
        "acceptance_criteria",
        "labels",
        "dependencies",
        "risks",
        "edge_cases",
    ):
        assert story[field] == FULL_STORY[field], field
    assert (story["story_priority"], story["story_points"]) == ("must-have", 5)
    assert (
        story["story_text"] == "As a ward nurse, I want to record a dose at the bedside so that I never type it twice."
    )
    assert story["notes_for_engineering"] == (
        "Use optimistic UI.\n\nDescription: Why story 1 matters.\n\n"
        "Success criteria: Re-entry time under 5 minutes per shift.\n\nUX notes: One tap to confirm.\n\n"
        "Non-goals:\n- Billing\n\nInstrumentation:\n- dose_recorded event"
    )
    later = await get_json(pm, f"/api/stories/feature/{features[1]['feature_id']}")
    assert [(s["story_priority"], s["story_points"]) for s in later] == [("must-have", 8), ("nice-to-have", None)]

    prd = await get_json(pm, f"/api/prd/{epic_id}")
    assert prd["exists"] is True and prd["prd"]["title"] == "DoseOnce"
    assert "## Problem Statement" in prd["prd"]["content"]

    # The history rules hold: approved features are frozen, the confirmed snapshot stays confirmed.
    frozen = await pm.put(f"/api/features/{features[0]['feature_id']}", json={"title": "Renamed"})
    assert frozen.status_code == 400
    reconfirm = await pm.post(
        f"/api/epics/{epic_id}/confirm-proposal", json={"proposal_id": "prop_x", "confirmed": True}
    )
    assert reconfirm.status_code == 400
    assert (await get_json(pm, f"/api/epics/{epic_id}"))["snapshot"] == snapshot
    [saved] = await fetch(database_url, "SELECT log_id FROM initiative_saves WHERE epic_id = $1", epic_id)
    assert saved["log_id"] is None


async def test_every_save_is_new_and_never_touches_another_users_rows(pm, other, fake_llm, database_url) -> None:
    theirs = await approved_feature_with_stories(other, fake_llm)
    before = await fetch(database_url, "SELECT feature_id, epic_id, title FROM features ORDER BY feature_id")
    payload = initiative()
    payload["features"][0]["id"] = theirs.feature["feature_id"]
    payload["features"][0]["stories"][0]["id"] = theirs.stories[0]["story_id"]

    first, second = await save(pm, payload), await save(pm, payload)

    assert first["epic_id"] != second["epic_id"]
    assert not set(first["feature_ids"].values()) & set(second["feature_ids"].values())
    assert theirs.feature["feature_id"] not in first["feature_ids"].values()
    story = await get_json(other, f"/api/stories/{theirs.stories[0]['story_id']}")
    assert story["persona"] == theirs.stories[0]["persona"] and story["feature_id"] == theirs.feature["feature_id"]
    after = await fetch(database_url, "SELECT feature_id, epic_id, title FROM features ORDER BY feature_id")
    assert [row for row in after if row in before] == before
    assert (await pm.get(f"/api/epics/{theirs.epic_id}")).status_code == 404
    assert (await other.get(f"/api/epics/{first['epic_id']}")).status_code == 404

    # A retried save with its Idempotency-Key answers the first save again instead of a third epic.
    key = {"Idempotency-Key": "wizard-save-1"}
    once, again = await save(pm, payload, headers=key), await save(pm, payload, headers=key)
    assert once == again
    [count] = await fetch(database_url, "SELECT count(*) AS n FROM initiative_saves")
    assert count["n"] == 3


def _without_features(payload: dict) -> dict:
    return {**payload, "features": []}


def _without_problem(payload: dict) -> dict:
    del payload["prd"]["problem_statement"]
    return payload


def _long_persona(payload: dict) -> dict:
    payload["features"][0]["stories"][0]["persona"] = "n" * 300
    return payload


def _repeated_feature(payload: dict) -> dict:
    payload["features"][1]["id"] = payload["features"][0]["id"]
    return payload


def _repeated_story(payload: dict) -> dict:
    payload["features"][1]["stories"][0]["id"] = payload["features"][0]["stories"][0]["id"]
    return payload


def _bad_id(payload: dict) -> dict:
    payload["features"][0]["stories"][0]["id"] = "story_'; DROP TABLE epics;--"
    return payload


async def test_an_invalid_payload_is_a_422_and_writes_nothing(pm, database_url) -> None:
    before = await row_counts(database_url)
    for spoil in (_without_features, _without_problem, _long_persona, _repeated_feature, _repeated_story, _bad_id):
        response = await pm.post("/api/initiative/save", json=spoil(initiative()))
        assert response.status_code == 422, spoil.__name__
        body = await response.get_json()
        assert body["code"] == "VALIDATION_ERROR" and body["detail"], spoil.__name__
    assert (
        await pm.post("/api/initiative/save", data="not json", headers={"Content-Type": "application/json"})
    ).status_code in (400, 422)
    assert await row_counts(database_url) == before


async def test_only_the_callers_generation_is_linked(pm, other, database_url) -> None:
    mine = await generation_log(database_url, await user_id(pm), "ilog_mine00000001")
    foreign = await generation_log(database_url, await user_id(other), "ilog_theirs000001")

    linked = await save(pm, initiative(_analytics={"log_id": mine}))
    unlinked = await save(pm, initiative(_analytics={"log_id": foreign}))
    missing = await save(pm, initiative(_analytics={"log_id": "ilog_nothere00001"}))

    rows = await fetch(database_url, "SELECT epic_id, log_id FROM initiative_saves")
    assert {row["epic_id"]: row["log_id"] for row in rows} == {
        linked["epic_id"]: mine,
        unlinked["epic_id"]: None,
        missing["epic_id"]: None,
    }


async def test_a_generation_id_that_is_not_text_is_a_422(pm, database_url) -> None:
    """`_analytics.log_id` is bounded text like every other field: a lone surrogate used to reach the driver (500)."""
    before = await row_counts(database_url)
    for log_id in ("log_\ud800", "x" * 51):
        raw = json.dumps(initiative(_analytics={"log_id": log_id}))
        response = await pm.post("/api/initiative/save", data=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, await response.get_data(as_text=True)
        assert (await response.get_json())["detail"][0]["loc"] == ["_analytics", "log_id"]
    assert await row_counts(database_url) == before
