"""/api/sprints: the board, a story's sprint and status, commit, insights and the plan from a scope plan,
with the contract's keys and statuses and the rows after."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jarlpm.db.ids import new_id
from jarlpm.sprints.models import MAX_SPRINT_NUMBER
from tests.builders import delivery_context, standalone_story
from tests.db.helpers import fetch
from tests.sprints.conftest import CURRENT, DETAILS, STANDALONE, in_sprint, scope_plan, sprint_rows

STORY_KEYS = {
    "story_id",
    "title",
    "story_points",
    "priority",
    "feature_id",
    "sprint_number",
    "status",
    "blocked_reason",
}
EMPTY_COLUMNS = {"backlog": [], "ready": [], "in_progress": [], "done": [], "blocked": []}


def item(board, title: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    """A story as the board shows it, from the fixture's data and `fields`."""
    priority, points = DETAILS[title]
    feature_id = None if title == STANDALONE else board.feature_id
    base = {"story_id": board.ids[title], "title": title, "story_points": points, "priority": priority}
    return {**base, "feature_id": feature_id, "sprint_number": None, "status": None, "blocked_reason": None, **fields}


# --- GET /current -----------------------------------------------------------------------------------


async def test_without_a_sprint_the_board_lists_every_story_in_the_backlog(pm, board) -> None:
    untitled = await standalone_story(pm)  # a board card needs a title: the story text stands in
    response = await pm.get("/api/sprints/current")
    assert response.status_code == 200
    body = await response.get_json()
    assert body["sprint_info"] is None and body["capacity"] is None
    backlog = body["stories_by_status"]["backlog"]
    assert [story["story_id"] for story in backlog] == [*board.ids.values(), untitled["story_id"]]
    assert backlog[0] == item(board, "Record a dose")
    assert backlog[-1]["title"] == "As a p, I want to a so that b." and backlog[-1]["feature_id"] is None
    assert {key: value for key, value in body["stories_by_status"].items() if key != "backlog"} == {
        key: [] for key in EMPTY_COLUMNS if key != "backlog"
    }
    assert (body["blocked_stories"], body["total_points"], body["completed_points"]) == ([], 18, 0)


async def test_the_current_sprint_shows_its_dates_its_load_and_only_its_stories(pm, board, team) -> None:
    await in_sprint(pm, board.ids["Record a dose"], "in_progress")
    await in_sprint(pm, board.ids["Scan a wristband"], "blocked", "Waiting on the pharmacy API")
    await in_sprint(pm, board.ids["Print a label"], "done")
    await in_sprint(pm, board.ids[STANDALONE])
    moved = await pm.put(board.path("Untriaged idea", "sprint"), json={"sprint_number": CURRENT + 1})
    assert moved.status_code == 200

    body = await (await pm.get("/api/sprints/current")).get_json()
    assert body["sprint_info"] == {
        "sprint_number": 2,
        "start_date": "2026-03-06",
        "end_date": "2026-03-19",
        "days_remaining": 10,
        "progress": 28.6,
        "cycle_length": 14,
    }
    assert body["capacity"] == {"sprint_capacity": 16, "committed_points": 18, "delta": -2, "is_overloaded": True}
    blocked = item(
        board, "Scan a wristband", sprint_number=2, status="blocked", blocked_reason="Waiting on the pharmacy API"
    )
    assert body["stories_by_status"] == {
        "backlog": [],
        "ready": [item(board, STANDALONE, sprint_number=2, status="ready")],
        "in_progress": [item(board, "Record a dose", sprint_number=2, status="in_progress")],
        "done": [item(board, "Print a label", sprint_number=2, status="done")],
        "blocked": [blocked],
    }
    assert body["blocked_stories"] == [blocked]
    assert (body["total_points"], body["completed_points"]) == (18, 8)
    assert set(blocked) == STORY_KEYS


async def test_a_sprint_with_nothing_committed_is_empty_and_not_overloaded(pm, board, team) -> None:
    body = await (await pm.get("/api/sprints/current")).get_json()
    assert body["stories_by_status"] == EMPTY_COLUMNS
    assert body["capacity"] == {"sprint_capacity": 16, "committed_points": 0, "delta": 16, "is_overloaded": False}
    assert (body["total_points"], body["completed_points"]) == (0, 0)


async def test_a_sprint_that_starts_later_is_sprint_1_not_begun(pm, board) -> None:
    await delivery_context(pm, sprint_start_date="2026-04-01", sprint_cycle_length=7)
    info = (await (await pm.get("/api/sprints/current")).get_json())["sprint_info"]
    assert info == {
        "sprint_number": 1,
        "start_date": "2026-04-01",
        "end_date": "2026-04-07",
        "days_remaining": 7,
        "progress": 0.0,
        "cycle_length": 7,
    }


async def test_the_board_needs_a_session(client) -> None:
    response = await client.get("/api/sprints/current")
    assert response.status_code == 401


# --- PUT /story/{id}/sprint -----------------------------------------------------------------------


async def test_a_story_is_put_in_a_sprint_and_taken_out(pm, board, database_url) -> None:
    story_id = board.ids["Record a dose"]
    response = await pm.put(board.path("Record a dose", "sprint"), json={"sprint_number": 4})
    assert response.status_code == 200
    assert await response.get_json() == {
        "story_id": story_id,
        "sprint_number": 4,
        "message": "Story assigned to Sprint 4",
    }
    row = await fetch(database_url, "SELECT sprint_number, status FROM user_stories WHERE story_id = $1", story_id)
    assert row == [{"sprint_number": 4, "status": None}]  # assigning is not committing: the status stays

    response = await pm.put(board.path("Record a dose", "sprint"), json={"sprint_number": None})
    assert await response.get_json() == {
        "story_id": story_id,
        "sprint_number": None,
        "message": "Story removed from its sprint",
    }
    assert await fetch(database_url, "SELECT sprint_number FROM user_stories WHERE story_id = $1", story_id) == [
        {"sprint_number": None}
    ]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"sprint_number": 0},
        {"sprint_number": -1},
        {"sprint_number": MAX_SPRINT_NUMBER + 1},
        {"sprint_number": 2**63},
        {"sprint_number": "3"},
        {"sprint_number": True},
        {"sprint_number": 2.5},
    ],
)
async def test_a_sprint_number_that_names_no_sprint_is_422_and_nothing_changes(pm, board, database_url, body) -> None:
    before = await sprint_rows(database_url)
    response = await pm.put(board.path("Record a dose", "sprint"), json=body)
    assert response.status_code == 422
    assert (await response.get_json())["code"] == "VALIDATION_ERROR"
    assert await sprint_rows(database_url) == before


async def test_the_highest_sprint_number_is_accepted(pm, board) -> None:
    response = await pm.put(board.path("Record a dose", "sprint"), json={"sprint_number": MAX_SPRINT_NUMBER})
    assert response.status_code == 200


# --- PUT /story/{id}/status -----------------------------------------------------------------------


async def test_a_status_is_set_and_a_blocked_reason_lives_only_while_blocked(pm, board, database_url) -> None:
    story_id, path = board.ids["Scan a wristband"], board.path("Scan a wristband", "status")
    blocked = await pm.put(path, json={"status": "blocked", "blocked_reason": "Scanner not delivered"})
    assert blocked.status_code == 200
    assert await blocked.get_json() == {
        "story_id": story_id,
        "status": "blocked",
        "blocked_reason": "Scanner not delivered",
        "message": "Story status set to blocked",
    }
    query = "SELECT status, blocked_reason FROM user_stories WHERE story_id = $1"
    assert await fetch(database_url, query, story_id) == [
        {"status": "blocked", "blocked_reason": "Scanner not delivered"}
    ]

    unblocked = await pm.put(path, json={"status": "in_progress", "blocked_reason": "still here?"})
    assert (await unblocked.get_json())["blocked_reason"] is None
    assert await fetch(database_url, query, story_id) == [{"status": "in_progress", "blocked_reason": None}]


@pytest.mark.parametrize("status", ["closed", "Done", "in progress", ""])
async def test_an_unknown_status_is_400_and_nothing_changes(pm, board, database_url, status) -> None:
    before = await sprint_rows(database_url)
    response = await pm.put(board.path("Record a dose", "status"), json={"status": status})
    assert response.status_code == 400
    body = await response.get_json()
    assert body["code"] == "INVALID_STATUS" and "draft, ready, in_progress, done, blocked" in body["detail"]
    assert await sprint_rows(database_url) == before


@pytest.mark.parametrize(
    "body", [{}, {"status": None}, {"status": 3}, {"status": "blocked", "blocked_reason": "x" * 2001}]
)
async def test_a_malformed_status_body_is_422(pm, board, database_url, body) -> None:
    before = await sprint_rows(database_url)
    assert (await pm.put(board.path("Record a dose", "status"), json=body)).status_code == 422
    assert await sprint_rows(database_url) == before


# --- POST /story/{id}/commit ----------------------------------------------------------------------


async def test_committing_without_a_sprint_is_400_and_nothing_changes(pm, board, database_url) -> None:
    before = await sprint_rows(database_url)
    response = await pm.post(board.path("Record a dose", "commit"))
    assert response.status_code == 400
    assert await response.get_json() == {"detail": "Sprint not configured", "code": "SPRINT_NOT_CONFIGURED"}
    assert await sprint_rows(database_url) == before


@pytest.mark.parametrize(
    "status_before,status_after",
    [(None, "ready"), ("draft", "ready"), ("in_progress", "in_progress"), ("done", "done")],
)
async def test_committing_puts_the_story_in_the_current_sprint(
    pm, board, team, database_url, status_before, status_after
) -> None:
    story_id = board.ids["Record a dose"]
    await pm.put(board.path("Record a dose", "sprint"), json={"sprint_number": 9})
    if status_before:
        await pm.put(board.path("Record a dose", "status"), json={"status": status_before})
    response = await pm.post(board.path("Record a dose", "commit"))
    assert response.status_code == 200
    assert await response.get_json() == {
        "story_id": story_id,
        "sprint_number": CURRENT,
        "status": status_after,
        "message": f"Story committed to Sprint {CURRENT}",
    }
    query = "SELECT sprint_number, status FROM user_stories WHERE story_id = $1"
    assert await fetch(database_url, query, story_id) == [{"sprint_number": CURRENT, "status": status_after}]


# --- unknown stories --------------------------------------------------------------------------------

STORY_ROUTES = [
    ("PUT", "sprint", {"sprint_number": 1}),
    ("PUT", "status", {"status": "done"}),
    ("POST", "commit", None),
]


@pytest.mark.parametrize("method,action,body", STORY_ROUTES)
@pytest.mark.parametrize("configured", [False, True])
async def test_a_story_that_does_not_exist_is_404(pm, database_url, method, action, body, configured) -> None:
    if configured:
        await delivery_context(pm, sprint_start_date="2026-02-20", sprint_cycle_length=14)
    response = await pm.call(method, f"/api/sprints/story/story_000000000000/{action}", json=body)
    assert response.status_code == 404
    assert await response.get_json() == {"detail": "User story not found", "code": "STORY_NOT_FOUND"}


# --- insights ---------------------------------------------------------------------------------------


async def test_without_a_sprint_the_current_insights_are_sprint_0_and_empty(pm) -> None:
    response = await pm.get("/api/sprints/insights/current")
    assert response.status_code == 200
    assert await response.get_json() == {
        "sprint_number": 0,
        "kickoff_plan": None,
        "standup_summary": None,
        "wip_suggestions": None,
    }


async def _insight(database_url: str, user_id: str, sprint_number: int, kind: str, content: dict, day: int) -> str:
    """An insight of `kind` generated at 09:00 UTC on `day` March 2026."""
    insight_id = new_id("si")
    await fetch(
        database_url,
        "INSERT INTO sprint_insights (insight_id, user_id, sprint_number, insight_type, content, generated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        insight_id,
        user_id,
        sprint_number,
        kind,
        content,
        datetime(2026, 3, day, 9, tzinfo=UTC),
    )
    return insight_id


async def _user_id(database_url: str, email: str) -> str:
    [row] = await fetch(database_url, "SELECT user_id FROM users WHERE email = $1", email)
    return row["user_id"]


async def test_the_insights_are_the_newest_of_each_type_of_the_sprint(pm, team, database_url) -> None:
    user_id = await _user_id(database_url, "pm@jarlpm.dev")
    await _insight(database_url, user_id, CURRENT, "kickoff_plan", {"sprint_goal": "old"}, 6)
    newest = await _insight(database_url, user_id, CURRENT, "kickoff_plan", {"sprint_goal": "new"}, 7)
    await _insight(database_url, user_id, CURRENT, "kickoff_plan", {"sprint_goal": "older"}, 5)
    standup = await _insight(database_url, user_id, CURRENT, "standup_summary", {"summary": "ok"}, 8)
    await _insight(database_url, user_id, CURRENT - 1, "wip_suggestions", {"reasoning": "last sprint"}, 1)

    current = await (await pm.get("/api/sprints/insights/current")).get_json()
    assert current == {
        "sprint_number": CURRENT,
        "kickoff_plan": {
            "insight_id": newest,
            "insight_type": "kickoff_plan",
            "content": {"sprint_goal": "new"},
            "generated_at": current["kickoff_plan"]["generated_at"],
        },
        "standup_summary": {
            "insight_id": standup,
            "insight_type": "standup_summary",
            "content": {"summary": "ok"},
            "generated_at": current["standup_summary"]["generated_at"],
        },
        "wip_suggestions": None,
    }
    assert current["kickoff_plan"]["generated_at"] == "2026-03-07T09:00:00Z"
    by_number = await (await pm.get(f"/api/sprints/insights/{CURRENT}")).get_json()
    assert by_number == current
    last = await (await pm.get(f"/api/sprints/insights/{CURRENT - 1}")).get_json()
    assert (last["sprint_number"], last["kickoff_plan"], last["wip_suggestions"]["content"]) == (
        1,
        None,
        {"reasoning": "last sprint"},
    )
    assert await (await pm.get("/api/sprints/insights/40")).get_json() == {
        "sprint_number": 40,
        "kickoff_plan": None,
        "standup_summary": None,
        "wip_suggestions": None,
    }


@pytest.mark.parametrize("number", ["0", "-1", "two", str(MAX_SPRINT_NUMBER + 1)])
async def test_insights_of_a_sprint_that_cannot_exist_are_404(pm, number) -> None:
    assert (await pm.get(f"/api/sprints/insights/{number}")).status_code == 404


# --- GET /from-delivery-reality/{epic_id} -------------------------------------------------------------


async def test_without_an_active_scope_plan_there_is_no_sprint_plan(pm, board, database_url) -> None:
    await scope_plan(database_url, board.epic_id, [], active=False)  # cleared plans do not count
    response = await pm.get(f"/api/sprints/from-delivery-reality/{board.epic_id}")
    assert response.status_code == 404
    assert await response.get_json() == {
        "detail": "No active scope plan for this initiative",
        "code": "SCOPE_PLAN_NOT_FOUND",
    }
    assert (await pm.get("/api/sprints/from-delivery-reality/epic_000000000000")).status_code == 404


async def test_the_scope_plan_sets_the_sprint_its_kept_stories(pm, board, team, database_url) -> None:
    await scope_plan(database_url, board.epic_id, [board.ids["Print a label"], "story_gone00000000"])
    response = await pm.get(f"/api/sprints/from-delivery-reality/{board.epic_id}")
    assert response.status_code == 200
    body = await response.get_json()
    assert body == {
        "epic_id": board.epic_id,
        "sprint_number": CURRENT,
        "sprint_capacity": 16,
        "included_stories": [
            item(board, "Record a dose"),
            item(board, "Scan a wristband"),
            item(board, "Untriaged idea"),
        ],
        "included_points": 8,
        "deferred_stories": [item(board, "Print a label")],
        "fits_in_sprint": True,
        "message": "The plan's 8 points fit in Sprint 2 (16 points of capacity)",
    }


async def test_a_scope_plan_too_big_for_a_sprint_says_so(pm, board, database_url) -> None:
    await delivery_context(pm, num_developers=1, points_per_dev_per_sprint=5)  # no sprint dates: sprint 0
    await scope_plan(database_url, board.epic_id, [])
    body = await (await pm.get(f"/api/sprints/from-delivery-reality/{board.epic_id}")).get_json()
    assert (body["sprint_number"], body["sprint_capacity"], body["included_points"], body["fits_in_sprint"]) == (
        0,
        5,
        16,
        False,
    )
    assert body["deferred_stories"] == [] and len(body["included_stories"]) == 4  # the standalone story is no epic's
    assert body["message"] == "The plan's 16 points exceed one sprint's capacity of 5 by 11 points"
