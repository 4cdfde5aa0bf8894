"""A planned initiative, built through the API as a product manager would (points set in SQL, since no
route of the stories room sets them on a feature-bound story yet).

The team: 2 developers x 8 points = 16 points a sprint, 32 for two sprints; at risk up to 4 points over.
The initiative: 34 points in 7 stories, 2 over capacity, so at risk.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from tests.builders import add_story, approved_feature
from tests.db.helpers import fetch
from tests.helpers import User

TEAM = {
    "num_developers": 2,
    "num_qa": 1,
    "points_per_dev_per_sprint": 8,
    "sprint_cycle_length": 14,
    "delivery_methodology": "scrum",
    "delivery_platform": "jira",
}
# (title, story_priority, story_points)
STORIES = [
    ("Record a dose", "must-have", 8),
    ("Scan a wristband", "must-have", 5),
    ("See ward doses", "should-have", 8),
    ("Print a label", "should-have", 5),
    ("Dark mode", "nice-to-have", 3),
    ("Dose history chart", "nice-to-have", 5),
    ("Untriaged idea", None, None),
]


class Planned(NamedTuple):
    """pm's at-risk initiative: its epic, its one approved feature and its stories' ids by title."""

    epic_id: str
    feature: dict
    ids: dict[str, str]

    def path(self, suffix: str = "") -> str:
        return f"/api/delivery-reality/initiative/{self.epic_id}{suffix}"


async def set_team(user: User, **overrides: object) -> None:
    response = await user.put("/api/delivery-context", json={**TEAM, **overrides})
    assert response.status_code == 200, await response.get_data(as_text=True)


async def story_with_points(
    user: User, database_url: str, feature_id: str, title: str, priority: str | None, points: int | None
) -> str:
    fields = {"title": title} if priority is None else {"title": title, "story_priority": priority}
    story_id = (await add_story(user, feature_id, **fields))["story_id"]
    await fetch(database_url, "UPDATE user_stories SET story_points = $2 WHERE story_id = $1", story_id, points)
    return story_id


async def stories_under(
    user: User, database_url: str, epic_id: str, stories: list[tuple[str, str | None, int | None]]
) -> tuple[dict, dict[str, str]]:
    """An approved feature of the epic with these stories; (the feature, the story ids by title)."""
    feature = await approved_feature(user, epic_id)
    ids = {
        title: await story_with_points(user, database_url, feature["feature_id"], title, priority, points)
        for title, priority, points in stories
    }
    return feature, ids


@pytest.fixture
async def planned(pm, epic_id, database_url) -> Planned:  # type: ignore[no-untyped-def]
    await set_team(pm)
    feature, ids = await stories_under(pm, database_url, epic_id, STORIES)
    return Planned(epic_id, feature, ids)


async def plan_rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url,
        "SELECT plan_id, epic_id, user_id, name, deferred_story_ids, total_points, deferred_points, "
        "remaining_points, notes, is_active FROM scope_plans ORDER BY created_at, plan_id",
    )


async def activity_rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url,
        "SELECT user_id, epic_id, event_type, details FROM initiative_activity ORDER BY created_at, activity_id",
    )
