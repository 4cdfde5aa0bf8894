"""A second user: 404 on every route with the first user's epic, nothing changed, none of their data seen."""

from __future__ import annotations

from tests.delivery.conftest import activity_rows, plan_rows, set_team

ROUTES = [
    ("GET", ""),
    ("POST", "/scope-plan"),
    ("GET", "/scope-plan"),
    ("DELETE", "/scope-plan"),
    ("GET", "/scope-summary"),
    ("POST", "/ai/cut-rationale"),
    ("POST", "/ai/alternative-cuts"),
    ("POST", "/ai/risk-review"),
]


async def test_another_users_epic_is_404_everywhere_and_nothing_changes(
    pm, other, fake_llm, database_url, planned
) -> None:
    assert (await pm.post(planned.path("/scope-plan"), json={"name": "Theirs"})).status_code == 200
    before = (await plan_rows(database_url), await activity_rows(database_url))
    requests = len(fake_llm.chat_requests())
    for method, suffix in ROUTES:
        body = {"name": "Mine", "deferred_story_ids": []} if method == "POST" else None
        response = await other.call(method, planned.path(suffix), json=body)
        assert response.status_code == 404, (method, suffix)
        assert (await response.get_json())["code"] == "EPIC_NOT_FOUND", (method, suffix)
    assert (await plan_rows(database_url), await activity_rows(database_url)) == before
    assert len(fake_llm.chat_requests()) == requests
    assert (await (await pm.get(planned.path("/scope-plan"))).get_json())["name"] == "Theirs"


async def test_another_user_sees_none_of_the_initiatives(pm, other, planned) -> None:
    await set_team(other, num_developers=4)
    summary = await (await other.get("/api/delivery-reality/summary")).get_json()
    assert (summary["total_active_initiatives"], summary["total_points_all_active_initiatives"]) == (0, 0)
    assert summary["delivery_context"]["num_developers"] == 4  # their own team, not pm's
    listed = await (await other.get("/api/delivery-reality/initiatives")).get_json()
    assert listed["initiatives"] == []
    mine = await (await pm.get("/api/delivery-reality/initiatives")).get_json()
    assert [item["epic_id"] for item in mine["initiatives"]] == [planned.epic_id]


async def test_every_route_needs_a_session(client, planned) -> None:
    paths = [("GET", "/api/delivery-reality/summary"), ("GET", "/api/delivery-reality/initiatives")]
    paths += [(method, planned.path(suffix)) for method, suffix in ROUTES]
    for method, path in paths:
        assert (await client.open(path, method=method)).status_code == 401, (method, path)
