"""GET /api/dashboard after a realistic set-up: flags, KPIs, at-risk and focus lists, recent activity,
and nothing of it for another user."""

from __future__ import annotations

from tests.builders import (
    approved_feature,
    create_epic,
    delivery_context,
    locked_epic,
    new_user,
    pointed_story,
)
from tests.db.helpers import fetch

DASHBOARD_KEYS = {
    "at_risk_initiatives",
    "focus_list",
    "kpis",
    "recent_activity",
    "has_llm_configured",
    "has_capacity_configured",
}
AT_RISK_KEYS = {"epic_id", "title", "total_points", "two_sprint_capacity", "delta", "assessment", "stories_count"}
FOCUS_KEYS = {"epic_id", "title", "must_have_points", "total_points", "current_stage", "updated_at"}
KPI_KEYS = {
    "active_initiatives",
    "completed_30d",
    "total_points_in_flight",
    "two_sprint_capacity",
    "capacity_utilization_pct",
}
ACTIVITY_KEYS = {"event_type", "epic_id", "title", "timestamp", "details"}
NO_KPIS = {
    "active_initiatives": 0,
    "completed_30d": 0,
    "total_points_in_flight": 0,
    "two_sprint_capacity": 0,
    "capacity_utilization_pct": 0.0,
}


async def dashboard(user) -> dict:  # type: ignore[no-untyped-def]
    response = await user.get("/api/dashboard")
    assert response.status_code == 200, await response.get_data(as_text=True)
    body = await response.get_json()
    assert set(body) == DASHBOARD_KEYS and set(body["kpis"]) == KPI_KEYS
    assert all(set(item) == AT_RISK_KEYS for item in body["at_risk_initiatives"])
    assert all(set(item) == FOCUS_KEYS for item in body["focus_list"])
    assert all(set(item) == ACTIVITY_KEYS for item in body["recent_activity"])
    return body


async def locked_with_points(user, fake_llm, title: str, *sized: tuple[int, str]) -> str:  # type: ignore[no-untyped-def]
    epic_id = await locked_epic(user, fake_llm, title)
    feature = await approved_feature(user, epic_id)
    for points, priority in sized:
        await pointed_story(user, fake_llm, feature["feature_id"], points, story_priority=priority)
    return epic_id


async def portfolio(user, fake_llm, database_url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A team of one developer at 5 points a sprint (10 over two sprints), and five initiatives:
    at risk (11 points), overloaded (18, locked 40 days ago), a copy of the first (11, back in problem
    capture), a fresh draft, and one archived, restored and archived again; then a scope plan saved."""
    await delivery_context(user, num_developers=1, points_per_dev_per_sprint=5)
    at_risk = await locked_with_points(user, fake_llm, "At risk", (8, "must-have"), (3, "should-have"))
    overloaded = await locked_with_points(user, fake_llm, "Overloaded", (13, "nice-to-have"), (5, "must-have"))
    await fetch(database_url, "UPDATE epics SET locked_at = now() - interval '40 days' WHERE epic_id = $1", overloaded)
    copy = (await (await user.post(f"/api/initiatives/{at_risk}/duplicate", json={})).get_json())["new_epic_id"]
    draft = (await create_epic(user, "Fresh idea"))["epic_id"]
    shelved = (await create_epic(user, "Shelved"))["epic_id"]
    for change in ("archive", "unarchive", "archive"):
        assert (await user.patch(f"/api/initiatives/{shelved}/{change}")).status_code == 200
    # The delivery room writes this row when a scope plan is saved.
    await fetch(
        database_url,
        "INSERT INTO initiative_activity (activity_id, user_id, epic_id, event_type, details) "
        "SELECT 'act_plan00000001', user_id, epic_id, 'scope_plan_saved', 'Default Plan' FROM epics WHERE epic_id = $1",
        at_risk,
    )
    return {"at_risk": at_risk, "overloaded": overloaded, "copy": copy, "draft": draft, "shelved": shelved}


async def test_the_dashboard_of_a_set_up_portfolio(pm, fake_llm, database_url) -> None:
    epics = await portfolio(pm, fake_llm, database_url)

    body = await dashboard(pm)

    assert (body["has_llm_configured"], body["has_capacity_configured"]) == (True, True)
    assert body["kpis"] == {
        "active_initiatives": 4,  # the archived one is out
        "completed_30d": 1,  # the overloaded one was locked 40 days ago
        "total_points_in_flight": 11 + 18 + 11,
        "two_sprint_capacity": 10,
        "capacity_utilization_pct": 400.0,
    }
    worst, *at_risk = body["at_risk_initiatives"]
    assert worst == {
        "epic_id": epics["overloaded"],
        "title": "Overloaded",
        "total_points": 18,
        "two_sprint_capacity": 10,
        "delta": -8,
        "assessment": "overloaded",
        "stories_count": 2,
    }
    assert [(item["epic_id"], item["assessment"], item["delta"]) for item in at_risk] == [
        (epic_id, "at_risk", -1) for epic_id in sorted([epics["at_risk"], epics["copy"]])
    ]
    assert [(item["epic_id"], item["must_have_points"], item["total_points"]) for item in body["focus_list"]] == [
        (epics["copy"], 8, 11),
        (epics["draft"], 0, 0),
    ]
    assert body["focus_list"][0]["current_stage"] == "problem_capture"
    activity = [(item["event_type"], item["epic_id"]) for item in body["recent_activity"]]
    assert activity == [
        ("scope_plan_saved", epics["at_risk"]),
        ("archived", epics["shelved"]),
        ("restored", epics["shelved"]),
        ("archived", epics["shelved"]),
        ("created", epics["shelved"]),
        ("created", epics["draft"]),
        ("created", epics["copy"]),
        ("created", epics["overloaded"]),
        ("epic_locked", epics["at_risk"]),
        ("created", epics["at_risk"]),
    ]  # ten at most: the overloaded epic's lock, 40 days ago, is the eleventh
    assert body["recent_activity"][0]["details"] == "Default Plan"
    assert body["recent_activity"][0]["title"] == "At risk"
    timestamps = [item["timestamp"] for item in body["recent_activity"]]
    assert timestamps == sorted(timestamps, reverse=True)


async def test_another_user_sees_none_of_it(pm, other, fake_llm, database_url) -> None:
    await portfolio(pm, fake_llm, database_url)

    body = await dashboard(other)

    assert (body["at_risk_initiatives"], body["focus_list"], body["recent_activity"]) == ([], [], [])
    assert body["kpis"] == NO_KPIS
    assert (body["has_llm_configured"], body["has_capacity_configured"]) == (True, False)


async def test_a_new_account_is_told_what_to_set_up(app) -> None:  # type: ignore[no-untyped-def]
    newcomer = await new_user(app, "new@jarlpm.dev")
    body = await dashboard(newcomer)
    assert (body["has_llm_configured"], body["has_capacity_configured"]) == (False, False)
    assert body["kpis"] == NO_KPIS


async def test_without_developers_nothing_is_at_risk_and_nothing_is_utilised(pm, fake_llm) -> None:
    await delivery_context(pm, num_developers=0)
    epic_id = await locked_with_points(pm, fake_llm, "Big", (13, "must-have"))

    body = await dashboard(pm)

    assert body["has_capacity_configured"] is False and body["at_risk_initiatives"] == []
    assert body["kpis"]["total_points_in_flight"] == 13 and body["kpis"]["capacity_utilization_pct"] == 0.0
    assert body["kpis"]["completed_30d"] == 1 and body["focus_list"] == []
    assert [item["event_type"] for item in body["recent_activity"]] == ["epic_locked", "created"]
    assert {item["epic_id"] for item in body["recent_activity"]} == {epic_id}


async def test_recent_activity_keeps_the_ten_newest(pm) -> None:
    created = [(await create_epic(pm, f"Epic {n}"))["epic_id"] for n in range(12)]
    body = await dashboard(pm)
    assert [item["epic_id"] for item in body["recent_activity"]] == created[::-1][:10]
    assert [item["title"] for item in body["focus_list"]] == [f"Epic {n}" for n in range(11, 6, -1)]


async def test_the_dashboard_needs_a_session(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/api/dashboard")
    assert response.status_code == 401
