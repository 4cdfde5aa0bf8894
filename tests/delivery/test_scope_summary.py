"""The scope decision summary: Sprint 1 (up to one sprint, most important first), Sprint 2, deferred."""

from __future__ import annotations

from tests.delivery.conftest import Planned, set_team

SUMMARY_KEYS = {
    "epic_id",
    "title",
    "generated_at",
    "capacity",
    "total_points",
    "mvp_analysis",
    "sprint_1_scope",
    "sprint_2_scope",
    "deferred_scope",
    "sprint_1_points",
    "sprint_2_points",
    "deferred_points",
    "cuts_summary",
    "notes",
}


async def summary(user, planned: Planned) -> dict:  # type: ignore[no-untyped-def]
    response = await user.get(planned.path("/scope-summary"))
    assert response.status_code == 200
    return await response.get_json()


def titles(items: list[dict]) -> list[str]:
    return [item["title"] for item in items]


async def test_without_a_plan_everything_is_split_over_two_sprints(pm, planned) -> None:
    body = await summary(pm, planned)
    assert set(body) == SUMMARY_KEYS
    assert (body["epic_id"], body["title"], body["capacity"], body["total_points"]) == (
        planned.epic_id,
        "Medication entry",
        32,
        34,
    )
    # Must-haves first; a story that no longer fits goes to Sprint 2 while a smaller one still fills Sprint 1.
    assert titles(body["sprint_1_scope"]) == ["Scan a wristband", "Record a dose", "Untriaged idea", "Dark mode"]
    assert titles(body["sprint_2_scope"]) == ["Print a label", "See ward doses", "Dose history chart"]
    assert (body["sprint_1_points"], body["sprint_2_points"], body["deferred_scope"], body["deferred_points"]) == (
        16,
        18,
        [],
        0,
    )
    assert body["sprint_1_scope"][0] == {
        "story_id": planned.ids["Scan a wristband"],
        "title": "Scan a wristband",
        "points": 5,
        "priority": "must-have",
        "feature": planned.feature["title"],
    }
    assert body["mvp_analysis"] == {
        "mvp_feasible": True,
        "must_have_points": 13,
        "capacity": 32,
        "buffer": 19,
        "message": "The must-haves (13 points) fit the two-sprint capacity (32 points) with 19 points to spare.",
    }
    assert body["cuts_summary"].startswith("Nothing deferred")
    assert body["notes"] is None


async def test_the_active_plan_sets_the_deferred_stories_aside(pm, planned) -> None:
    plan = {"name": "Lean", "deferred_story_ids": [planned.ids["Dose history chart"]], "notes": "Chart after pilot"}
    assert (await pm.post(planned.path("/scope-plan"), json=plan)).status_code == 200
    body = await summary(pm, planned)
    assert titles(body["sprint_1_scope"]) == ["Scan a wristband", "Record a dose", "Untriaged idea", "Dark mode"]
    assert titles(body["sprint_2_scope"]) == ["Print a label", "See ward doses"]
    assert titles(body["deferred_scope"]) == ["Dose history chart"]
    assert (body["sprint_1_points"], body["sprint_2_points"], body["deferred_points"]) == (16, 13, 5)
    assert (body["cuts_summary"], body["notes"]) == ("1 story (5 points) deferred.", "Chart after pilot")
    assert body["total_points"] == 34  # the whole scope, deferred stories included


async def test_must_haves_over_capacity_say_by_how_much(pm, planned) -> None:
    await set_team(pm, num_developers=0)
    body = await summary(pm, planned)
    assert body["mvp_analysis"] == {
        "mvp_feasible": False,
        "must_have_points": 13,
        "capacity": 0,
        "over_by": 13,
        "message": "The must-haves alone (13 points) exceed the two-sprint capacity (0 points) by 13 points: "
        "split must-haves or add capacity.",
    }
    assert titles(body["sprint_1_scope"]) == ["Untriaged idea"]  # only a story of 0 points fits no capacity
    assert body["sprint_2_points"] == 34
