"""Scope plans: save (replacing the active one, with its activity row), read, clear, and bad input."""

from __future__ import annotations

import asyncio

import pytest

from tests.builders import SMALL_STORY, approved_feature_with_stories
from tests.delivery.conftest import Planned, activity_rows, plan_rows

PLAN_KEYS = {
    "plan_id",
    "epic_id",
    "name",
    "deferred_story_ids",
    "total_points",
    "deferred_points",
    "remaining_points",
    "notes",
    "is_active",
    "created_at",
    "updated_at",
}


async def save(user, planned: Planned, **body):  # type: ignore[no-untyped-def]
    return await user.post(planned.path("/scope-plan"), json=body)


async def test_a_saved_plan_has_its_points_computed_by_the_server(pm, database_url, planned) -> None:
    deferred = [planned.ids["Dose history chart"], planned.ids["Dark mode"], planned.ids["Dose history chart"]]
    response = await save(pm, planned, name="  Lean MVP ", deferred_story_ids=deferred, notes="Pilot ward first")
    assert response.status_code == 200
    plan = await response.get_json()
    assert set(plan) == PLAN_KEYS
    assert plan["plan_id"].startswith("splan_")
    assert {key: plan[key] for key in PLAN_KEYS - {"plan_id", "created_at", "updated_at"}} == {
        "epic_id": planned.epic_id,
        "name": "Lean MVP",
        "deferred_story_ids": deferred[:2],  # each story once
        "total_points": 34,
        "deferred_points": 8,
        "remaining_points": 26,
        "notes": "Pilot ward first",
        "is_active": True,
    }
    assert await (await pm.get(planned.path("/scope-plan"))).get_json() == plan


async def test_the_defaults_name_the_plan_and_defer_nothing(pm, planned) -> None:
    plan = await (await save(pm, planned)).get_json()
    assert (plan["name"], plan["deferred_story_ids"], plan["deferred_points"], plan["notes"]) == (
        "Default Plan",
        [],
        0,
        None,
    )
    assert plan["remaining_points"] == plan["total_points"] == 34


async def test_a_new_plan_replaces_the_active_one_and_both_are_recorded(pm, database_url, planned) -> None:
    first = await (await save(pm, planned, name="First", deferred_story_ids=[planned.ids["Dark mode"]])).get_json()
    second = await (await save(pm, planned, name="Second")).get_json()
    rows = await plan_rows(database_url)
    assert [(row["plan_id"], row["name"], row["is_active"]) for row in rows] == [
        (first["plan_id"], "First", False),
        (second["plan_id"], "Second", True),
    ]
    assert (await (await pm.get(planned.path("/scope-plan"))).get_json())["plan_id"] == second["plan_id"]
    pm_id = rows[0]["user_id"]
    assert await activity_rows(database_url) == [
        {"user_id": pm_id, "epic_id": planned.epic_id, "event_type": "scope_plan_saved", "details": "First"},
        {"user_id": pm_id, "epic_id": planned.epic_id, "event_type": "scope_plan_saved", "details": "Second"},
    ]


async def test_concurrent_saves_leave_one_active_plan(pm, database_url, planned) -> None:
    responses = await asyncio.gather(*(save(pm, planned, name=f"Plan {n}") for n in range(4)))
    assert [response.status_code for response in responses] == [200] * 4
    rows = await plan_rows(database_url)
    assert len(rows) == 4
    assert sum(row["is_active"] for row in rows) == 1


async def test_stories_that_are_not_this_epics_are_400_and_nothing_changes(
    pm, other, fake_llm, database_url, planned
) -> None:
    await save(pm, planned, name="Kept", deferred_story_ids=[planned.ids["Dark mode"]])
    standalone = await pm.post("/api/stories/standalone", json=SMALL_STORY)
    assert standalone.status_code == 201
    theirs = await approved_feature_with_stories(other, fake_llm)
    before = (await plan_rows(database_url), await activity_rows(database_url))
    bad = ["story_000000000000", (await standalone.get_json())["story_id"], theirs.stories[0]["story_id"]]
    response = await save(pm, planned, name="Broken", deferred_story_ids=[planned.ids["Dark mode"], *bad])
    assert response.status_code == 400
    body = await response.get_json()
    assert body["code"] == "UNKNOWN_STORY_IDS"
    assert all(story_id in body["detail"] for story_id in bad)
    assert planned.ids["Dark mode"] not in body["detail"]
    assert (await plan_rows(database_url), await activity_rows(database_url)) == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": "   "},
        {"name": ""},
        {"name": "x" * 201},
        {"deferred_story_ids": "story_1"},
        {"deferred_story_ids": [1]},
        {"notes": ["not", "text"]},
    ],
)
async def test_a_malformed_plan_is_422_and_nothing_changes(pm, database_url, planned, body) -> None:
    response = await save(pm, planned, **body)
    assert response.status_code == 422
    assert (await response.get_json())["code"] == "VALIDATION_ERROR"
    assert await plan_rows(database_url) == []
    assert await activity_rows(database_url) == []


async def test_a_name_of_200_characters_is_accepted(pm, planned) -> None:
    assert (await save(pm, planned, name="x" * 200)).status_code == 200


async def test_without_a_plan_the_answer_is_json_null(pm, planned) -> None:
    response = await pm.get(planned.path("/scope-plan"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert await response.get_data(as_text=True) == "null"


async def test_clearing_deactivates_the_plan_and_keeps_it(pm, database_url, planned) -> None:
    await save(pm, planned, name="Lean")
    response = await pm.delete(planned.path("/scope-plan"))
    assert response.status_code == 200
    assert await response.get_json() == {"message": "Scope plan cleared", "epic_id": planned.epic_id}
    assert await (await pm.get(planned.path("/scope-plan"))).get_json() is None
    assert [(row["name"], row["is_active"]) for row in await plan_rows(database_url)] == [("Lean", False)]
    again = await pm.delete(planned.path("/scope-plan"))  # nothing active: still cleared
    assert again.status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_the_plan_of_an_unknown_epic_is_404(pm, method) -> None:
    response = await pm.call(method, "/api/delivery-reality/initiative/epic_000000000000/scope-plan", json={})
    assert response.status_code == 404
    assert (await response.get_json())["code"] == "EPIC_NOT_FOUND"


async def test_a_retried_save_with_its_idempotency_key_saves_once(pm, database_url, planned) -> None:
    headers = {"Idempotency-Key": "save-lean-1"}
    body = {"name": "Lean", "deferred_story_ids": [planned.ids["Dark mode"]]}
    first = await pm.post(planned.path("/scope-plan"), json=body, headers=headers)
    retried = await pm.post(planned.path("/scope-plan"), json=body, headers=headers)
    assert first.status_code == retried.status_code == 200
    assert await retried.get_json() == await first.get_json()
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert len(await plan_rows(database_url)) == len(await activity_rows(database_url)) == 1
