"""A sprint board built through the API as a product manager would; story points and scope plans are
written in SQL (no route of the stories room sets points on a feature-bound story, and the delivery
room's scope-plan routes are built alongside this room).

Today is frozen at 2026-03-10 (the arithmetic has its own tests; a run crossing midnight must not move
the sprint). The team: 2 developers x 8 points = 16 points a sprint, 14-day sprints from 2026-02-20, so
today is in Sprint 2 (2026-03-06 to 2026-03-19, 4 days elapsed, 10 left).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import pytest

from jarlpm.sprints import service
from tests.builders import add_story, approved_feature, delivery_context, standalone_story
from tests.db.helpers import fetch
from tests.helpers import User

TODAY = date(2026, 3, 10)
SPRINT_TEAM = {
    "sprint_start_date": "2026-02-20",
    "sprint_cycle_length": 14,
    "num_developers": 2,
    "points_per_dev_per_sprint": 8,
    "delivery_methodology": "scrum",
}
CURRENT = 2
# (title, story_priority, story_points) of the feature's stories
STORIES = [
    ("Record a dose", "must-have", 5),
    ("Scan a wristband", "should-have", 3),
    ("Print a label", "nice-to-have", 8),
    ("Untriaged idea", None, None),
]
STANDALONE = "Fix the login copy"  # a standalone story of 2 points, no priority
DETAILS = {title: (priority, points) for title, priority, points in STORIES} | {STANDALONE: (None, 2)}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(service, "today", lambda: TODAY)
    return TODAY


class Board(NamedTuple):
    """pm's stories: four under an approved feature of a locked epic, one standalone; ids by title."""

    epic_id: str
    feature_id: str
    ids: dict[str, str]

    def path(self, title: str, action: str) -> str:
        return f"/api/sprints/story/{self.ids[title]}/{action}"


async def pointed_story(
    user: User, database_url: str, feature_id: str, title: str, priority: str | None, points: int | None
) -> str:
    fields = {"title": title} if priority is None else {"title": title, "story_priority": priority}
    story_id = (await add_story(user, feature_id, **fields))["story_id"]
    await fetch(database_url, "UPDATE user_stories SET story_points = $2 WHERE story_id = $1", story_id, points)
    return story_id


@pytest.fixture
async def board(pm, epic_id, database_url) -> Board:  # type: ignore[no-untyped-def]
    feature = await approved_feature(pm, epic_id)
    ids = {
        title: await pointed_story(pm, database_url, feature["feature_id"], title, priority, points)
        for title, priority, points in STORIES
    }
    ids[STANDALONE] = (await standalone_story(pm, title=STANDALONE, story_points=2))["story_id"]
    return Board(epic_id, feature["feature_id"], ids)


@pytest.fixture
async def team(pm) -> dict:  # type: ignore[no-untyped-def]
    """pm's delivery context, which configures the sprint."""
    return await delivery_context(pm, **SPRINT_TEAM)


async def in_sprint(user: User, story_id: str, status: str | None = None, blocked_reason: str | None = None) -> None:
    """Commit the story to the current sprint, then give it `status`."""
    assert (await user.post(f"/api/sprints/story/{story_id}/commit")).status_code == 200
    if status is not None:
        body = {"status": status, "blocked_reason": blocked_reason}
        assert (await user.put(f"/api/sprints/story/{story_id}/status", json=body)).status_code == 200


async def sprint_rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url, "SELECT story_id, sprint_number, status, blocked_reason FROM user_stories ORDER BY story_id"
    )


async def insight_rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url,
        "SELECT insight_id, user_id, sprint_number, insight_type, content FROM sprint_insights "
        "ORDER BY generated_at, insight_id",
    )


async def scope_plan(database_url: str, epic_id: str, deferred: list[str], *, active: bool = True) -> None:
    """A scope plan of the epic, for its owner, written as the delivery room stores one."""
    [epic] = await fetch(database_url, "SELECT user_id FROM epics WHERE epic_id = $1", epic_id)
    await fetch(
        database_url,
        "INSERT INTO scope_plans (plan_id, epic_id, user_id, deferred_story_ids, is_active) "
        "VALUES ('splan_' || substr(md5(random()::text), 1, 12), $1, $2, $3, $4)",
        epic_id,
        epic["user_id"],
        deferred,
        active,
    )
