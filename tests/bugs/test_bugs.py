"""Bugs: CRUD, the status machine, links to owned work, by-entity, soft delete, another user's 404."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.builders import BUG, approved_feature_with_stories, bug_linked_to, create_bug, locked_epic
from tests.db.helpers import fetch

BUG_KEYS = {
    "bug_id",
    "title",
    "description",
    "severity",
    "status",
    "steps_to_reproduce",
    "expected_behavior",
    "actual_behavior",
    "environment",
    "assignee_id",
    "priority",
    "due_date",
    "links",
    "link_count",
    "created_at",
    "updated_at",
    "allowed_transitions",
}
STATUSES = ["draft", "confirmed", "in_progress", "resolved", "closed"]


async def bug_rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url, "SELECT bug_id, title, severity, status, priority, is_deleted FROM bugs ORDER BY bug_id"
    )


async def test_create_returns_200_with_a_history_row(pm, database_url) -> None:
    bug = await create_bug(pm)
    assert set(bug) == BUG_KEYS
    assert (bug["status"], bug["allowed_transitions"], bug["links"], bug["link_count"]) == (
        "draft",
        ["confirmed"],
        [],
        0,
    )
    history = await (await pm.get(f"/api/bugs/{bug['bug_id']}/history")).get_json()
    assert [(h["from_status"], h["to_status"], h["notes"]) for h in history] == [(None, "draft", "Bug created")]


@pytest.mark.parametrize(
    "overrides,code",
    [
        ({"severity": "apocalyptic"}, "INVALID_SEVERITY"),
        ({"priority": "p9"}, "INVALID_PRIORITY"),
        ({"links": [{"entity_type": "initiative", "entity_id": "x"}]}, "INVALID_ENTITY_TYPE"),
        ({"links": [{"entity_type": "story", "entity_id": "story_nothere0000"}]}, "LINK_TARGET_NOT_FOUND"),
    ],
)
async def test_unknown_values_are_400_and_create_nothing(pm, database_url, overrides, code) -> None:
    response = await pm.post("/api/bugs", json={**BUG, **overrides})
    assert response.status_code == 400
    body = await response.get_json()
    assert body["code"] == code
    assert await bug_rows(database_url) == []


@pytest.mark.parametrize(
    "body", [{**BUG, "title": ""}, {**BUG, "description": ""}, {"title": "t"}, {**BUG, "due_date": "soon"}]
)
async def test_malformed_bugs_are_422(pm, database_url, body) -> None:
    assert (await pm.post("/api/bugs", json=body)).status_code == 422
    assert await bug_rows(database_url) == []


@pytest.mark.parametrize("step", range(4))
async def test_every_allowed_transition_moves_one_step_and_is_recorded(pm, step) -> None:
    bug = await create_bug(pm)
    for index in range(step + 1):
        response = await pm.post(
            f"/api/bugs/{bug['bug_id']}/transition", json={"new_status": STATUSES[index + 1], "notes": f"step {index}"}
        )
        assert response.status_code == 200
    moved = await response.get_json()
    assert moved["status"] == STATUSES[step + 1]
    assert moved["allowed_transitions"] == STATUSES[step + 2 : step + 3]
    history = await (await pm.get(f"/api/bugs/{bug['bug_id']}/history")).get_json()
    assert [(h["from_status"], h["to_status"]) for h in history[1:]] == list(pairwise(STATUSES[: step + 2]))
    assert history[-1]["notes"] == f"step {step}"


@pytest.mark.parametrize(
    "at,wanted",
    [
        ("draft", "in_progress"),
        ("draft", "closed"),
        ("draft", "draft"),
        ("confirmed", "draft"),
        ("resolved", "in_progress"),
        ("closed", "resolved"),
        ("closed", "draft"),
        ("draft", "reopened"),
    ],
)
async def test_every_other_transition_is_refused(pm, database_url, at, wanted) -> None:
    bug = await create_bug(pm)
    for status in STATUSES[1 : STATUSES.index(at) + 1]:
        await pm.post(f"/api/bugs/{bug['bug_id']}/transition", json={"new_status": status})
    before = await bug_rows(database_url)
    response = await pm.post(f"/api/bugs/{bug['bug_id']}/transition", json={"new_status": wanted})
    assert response.status_code == 400
    body = await response.get_json()
    assert body["code"] == "INVALID_TRANSITION"
    assert body["detail"].startswith(f"Invalid transition from {at} to {wanted}. Allowed transitions:")
    assert await bug_rows(database_url) == before


async def test_edits_only_in_draft(pm, database_url) -> None:
    bug = await create_bug(pm)
    edited = await pm.patch(f"/api/bugs/{bug['bug_id']}", json={"title": "Screen freezes", "assignee_id": "dev-7"})
    assert edited.status_code == 200
    body = await edited.get_json()
    assert (body["title"], body["assignee_id"], body["severity"]) == ("Screen freezes", "dev-7", "high")
    assert (await pm.patch(f"/api/bugs/{bug['bug_id']}", json={"severity": "meh"})).status_code == 400
    await pm.post(f"/api/bugs/{bug['bug_id']}/transition", json={"new_status": "confirmed"})
    before = await bug_rows(database_url)
    refused = await pm.patch(f"/api/bugs/{bug['bug_id']}", json={"title": "late edit"})
    assert refused.status_code == 400
    assert await refused.get_json() == {"detail": "Bug can only be edited in Draft status", "code": "BUG_NOT_EDITABLE"}
    assert await bug_rows(database_url) == before


async def test_soft_delete_hides_the_bug_and_keeps_its_history(pm, database_url) -> None:
    bug = await create_bug(pm)
    response = await pm.delete(f"/api/bugs/{bug['bug_id']}")
    assert (response.status_code, await response.get_json()) == (200, {"message": "Bug deleted"})
    assert (await pm.get(f"/api/bugs/{bug['bug_id']}")).status_code == 404
    assert await (await pm.get("/api/bugs")).get_json() == []
    assert (await pm.delete(f"/api/bugs/{bug['bug_id']}")).status_code == 404
    assert [row["is_deleted"] for row in await bug_rows(database_url)] == [True]
    assert await fetch(database_url, "SELECT count(*) AS n FROM bug_status_history") == [{"n": 1}]


async def test_list_filters_and_sorts_on_allowed_columns(pm) -> None:
    low = await create_bug(pm, title="A low one", severity="low", priority="p3")
    critical = await create_bug(pm, title="B critical", severity="critical", priority="p0")
    medium = await create_bug(pm, title="C medium", severity="medium", priority=None)
    await pm.post(f"/api/bugs/{critical['bug_id']}/transition", json={"new_status": "confirmed"})

    async def ids(query: str) -> list[str]:
        response = await pm.get(f"/api/bugs?{query}")
        assert response.status_code == 200, await response.get_data(as_text=True)
        return [bug["bug_id"] for bug in await response.get_json()]

    assert await ids("sort_by=severity&sort_order=desc") == [critical["bug_id"], medium["bug_id"], low["bug_id"]]
    assert await ids("sort_by=severity&sort_order=asc") == [low["bug_id"], medium["bug_id"], critical["bug_id"]]
    assert await ids("sort_by=title&sort_order=asc") == [low["bug_id"], critical["bug_id"], medium["bug_id"]]
    assert await ids("sort_by=priority&sort_order=asc") == [critical["bug_id"], low["bug_id"], medium["bug_id"]]
    assert await ids("status=confirmed") == [critical["bug_id"]]
    assert await ids("severity=low") == [low["bug_id"]]
    assert await ids("sort_by=title&sort_order=asc&limit=1&offset=1") == [critical["bug_id"]]
    assert await ids("linked=true") == []
    assert set(await ids("linked=false")) == {low["bug_id"], critical["bug_id"], medium["bug_id"]}
    for bad in (
        "sort_by=user_id",
        "sort_by=password_hash",
        "sort_order=sideways",
        "status=lost",
        "limit=0",
        "limit=501",
    ):
        assert (await pm.get(f"/api/bugs?{bad}")).status_code == 422, bad


async def test_links_to_owned_work_by_entity_and_gone_with_the_story(pm, fake_llm, database_url) -> None:
    epic_id, feature, [story] = await approved_feature_with_stories(pm, fake_llm)
    bug = await bug_linked_to(pm, epic=epic_id)
    assert [(link["entity_type"], link["entity_id"]) for link in bug["links"]] == [("epic", epic_id)]
    assert bug["link_count"] == 1
    added = await pm.post(
        f"/api/bugs/{bug['bug_id']}/links",
        json={
            "links": [
                {"entity_type": "story", "entity_id": story["story_id"]},
                {"entity_type": "epic", "entity_id": epic_id},
                {"entity_type": "feature", "entity_id": feature["feature_id"]},
            ]
        },
    )
    assert added.status_code == 200
    assert [(link["entity_type"], link["entity_id"]) for link in await added.get_json()] == [
        ("story", story["story_id"]),
        ("feature", feature["feature_id"]),
    ]
    links = await (await pm.get(f"/api/bugs/{bug['bug_id']}/links")).get_json()
    assert len(links) == 3
    for entity_type, entity_id in (("epic", epic_id), ("feature", feature["feature_id"]), ("story", story["story_id"])):
        found = await (await pm.get(f"/api/bugs/by-entity/{entity_type}/{entity_id}")).get_json()
        assert [b["bug_id"] for b in found] == [bug["bug_id"]]
    assert (await pm.get(f"/api/bugs/by-entity/sprint/{epic_id}")).status_code == 400
    assert [b["bug_id"] for b in await (await pm.get("/api/bugs?linked=true")).get_json()] == [bug["bug_id"]]

    assert (await pm.delete(f"/api/stories/{story['story_id']}")).status_code == 200
    remaining = await (await pm.get(f"/api/bugs/{bug['bug_id']}/links")).get_json()
    assert {link["entity_type"] for link in remaining} == {"epic", "feature"}
    feature_link = next(link for link in remaining if link["entity_type"] == "feature")
    removed = await pm.delete(f"/api/bugs/{bug['bug_id']}/links/{feature_link['link_id']}")
    assert (removed.status_code, await removed.get_json()) == (200, {"message": "Link removed"})
    assert (await pm.delete(f"/api/bugs/{bug['bug_id']}/links/{feature_link['link_id']}")).status_code == 404
    assert (await pm.delete(f"/api/epics/{epic_id}")).status_code == 200
    assert await fetch(database_url, "SELECT count(*) AS n FROM bug_links") == [{"n": 0}]
    assert [row["bug_id"] for row in await bug_rows(database_url)] == [bug["bug_id"]]


async def test_a_link_to_another_users_story_is_refused(pm, other, fake_llm, database_url) -> None:
    theirs = await (
        await other.post("/api/stories/standalone", json={"persona": "p", "action": "a", "benefit": "b"})
    ).get_json()
    bug = await create_bug(pm)
    response = await pm.post(
        f"/api/bugs/{bug['bug_id']}/links", json={"links": [{"entity_type": "story", "entity_id": theirs["story_id"]}]}
    )
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "LINK_TARGET_NOT_FOUND"
    assert await fetch(database_url, "SELECT count(*) AS n FROM bug_links") == [{"n": 0}]
    by_entity = await pm.get(f"/api/bugs/by-entity/story/{theirs['story_id']}")
    assert (by_entity.status_code, await by_entity.get_json()) == (200, [])


async def test_another_user_gets_404_on_every_bug_route(pm, other, fake_llm, database_url) -> None:
    bug = await create_bug(pm)
    before = await bug_rows(database_url)
    for method, path, body in [
        ("GET", f"/api/bugs/{bug['bug_id']}", None),
        ("PATCH", f"/api/bugs/{bug['bug_id']}", {"title": "mine"}),
        ("DELETE", f"/api/bugs/{bug['bug_id']}", None),
        ("POST", f"/api/bugs/{bug['bug_id']}/transition", {"new_status": "confirmed"}),
        ("GET", f"/api/bugs/{bug['bug_id']}/history", None),
        ("POST", f"/api/bugs/{bug['bug_id']}/links", {"links": [{"entity_type": "epic", "entity_id": "x"}]}),
        ("GET", f"/api/bugs/{bug['bug_id']}/links", None),
        ("DELETE", f"/api/bugs/{bug['bug_id']}/links/link_x", None),
        ("POST", f"/api/bugs/{bug['bug_id']}/ai/refine", None),
        ("POST", f"/api/bugs/{bug['bug_id']}/ai/refine-description", None),
        ("POST", f"/api/bugs/{bug['bug_id']}/ai/suggest-severity", None),
    ]:
        response = await other.call(method, path, json=body)
        assert response.status_code == 404, (method, path)
    assert await (await other.get("/api/bugs")).get_json() == []
    assert await bug_rows(database_url) == before
    assert fake_llm.chat_requests() == []


async def test_history_rows_are_append_only(pm, database_url) -> None:
    import asyncpg

    await create_bug(pm)
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, "UPDATE bug_status_history SET notes = 'rewritten'")
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, "DELETE FROM bug_status_history")


@pytest.mark.parametrize(
    "entity_type,entity_id",
    [
        ("epic", "epic_nothere00000"),
        ("feature", "feat_nothere00000"),
        ("story", "story_nothere0000"),
        ("story", "x" * 500),
        ("epic", "epic_%00"),
        ("story", "%00"),
    ],
)
async def test_by_entity_for_a_missing_id_is_an_empty_list(pm, entity_type, entity_id) -> None:
    await create_bug(pm)
    response = await pm.get(f"/api/bugs/by-entity/{entity_type}/{entity_id}")
    assert (response.status_code, await response.get_json()) == (200, [])


async def test_by_entity_for_another_users_work_looks_like_a_missing_id(pm, other, fake_llm) -> None:
    epic_id = await locked_epic(other, fake_llm)
    await bug_linked_to(other, epic=epic_id)
    await create_bug(pm)
    response = await pm.get(f"/api/bugs/by-entity/epic/{epic_id}")
    assert (response.status_code, await response.get_json()) == (200, [])


@pytest.mark.parametrize("entity_type", ["sprint", "Epic", "initiative"])
async def test_by_entity_with_an_unknown_type_is_400_naming_it(pm, entity_type) -> None:
    response = await pm.get(f"/api/bugs/by-entity/{entity_type}/epic_0123456789ab")
    assert response.status_code == 400
    assert await response.get_json() == {"detail": f"Invalid entity type: {entity_type}", "code": "INVALID_ENTITY_TYPE"}


@pytest.mark.parametrize(
    "due_date",
    [
        "9999-12-31T23:00:00-05:00",  # year 10000 in UTC: PostgreSQL stores it, Python cannot read it back
        "0001-01-01T01:00:00+05:00",  # year 0 in UTC
        "0001-01-01",
        "9999-12-31",
        "1899-12-31T23:59:59Z",
        "3000-01-01T00:00:00Z",
    ],
)
async def test_a_due_date_out_of_range_is_422_and_changes_nothing(pm, database_url, due_date) -> None:
    bug = await create_bug(pm)
    before = await fetch(database_url, "SELECT bug_id, due_date, updated_at FROM bugs")
    for method, path in (("POST", "/api/bugs"), ("PATCH", f"/api/bugs/{bug['bug_id']}")):
        response = await pm.call(method, path, json={**BUG, "due_date": due_date})
        assert response.status_code == 422, (method, await response.get_data(as_text=True))
        body = await response.get_json()
        assert body["code"] == "VALIDATION_ERROR" and body["detail"][0]["loc"][-1] == "due_date"
    assert await fetch(database_url, "SELECT bug_id, due_date, updated_at FROM bugs") == before


@pytest.mark.parametrize("due_date", ["1900-01-01T00:00:00+14:00", "2999-12-31T23:59:59-12:00", "2026-03-01"])
async def test_a_due_date_inside_the_range_round_trips(pm, due_date) -> None:
    bug = await create_bug(pm, due_date=due_date)
    fetched = await (await pm.get(f"/api/bugs/{bug['bug_id']}")).get_json()
    assert fetched["due_date"] == bug["due_date"] is not None


@pytest.mark.parametrize(
    "query",
    [
        "offset=99999999999999999999",
        "offset=9223372036854775808",
        "offset=-1",
        "limit=99999999999999999999",
        "limit=-5",
    ],
)
async def test_paging_beyond_what_postgresql_takes_is_422(pm, query) -> None:
    await create_bug(pm)
    response = await pm.get(f"/api/bugs?{query}")
    assert response.status_code == 422
    assert (await response.get_json())["code"] == "VALIDATION_ERROR"


async def test_the_largest_offset_postgresql_takes_is_an_empty_page(pm) -> None:
    await create_bug(pm)
    response = await pm.get(f"/api/bugs?offset={2**63 - 1}")
    assert (response.status_code, await response.get_json()) == (200, [])
