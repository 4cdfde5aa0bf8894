"""The summary, the initiatives list and one initiative's detail: keys, assessment, order, deferrals."""

from __future__ import annotations

import asyncpg
import pytest

from tests.builders import create_epic, locked_epic
from tests.db.helpers import fetch
from tests.delivery.conftest import Planned, set_team, stories_under

CONTEXT = {
    "num_developers": 2,
    "num_qa": 1,
    "sprint_cycle_length": 14,
    "points_per_dev_per_sprint": 8,
    "sprint_capacity": 16,
    "two_sprint_capacity": 32,
    "delivery_methodology": "scrum",
    "delivery_platform": "jira",
}
INITIATIVE_KEYS = {"epic_id", "title", "total_points", "two_sprint_capacity", "delta", "assessment", "stories_count"}


async def portfolio(pm, fake_llm, database_url, planned: Planned) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Beside the at-risk initiative: an overloaded one, an empty one on track, and an archived one."""
    overloaded = await locked_epic(pm, fake_llm, "Pharmacy sync")
    await stories_under(pm, database_url, overloaded, [("Sync every dose", "must-have", 40)])
    empty = (await create_epic(pm, "Discharge letters"))["epic_id"]
    archived = await locked_epic(pm, fake_llm, "Old pilot")
    await stories_under(pm, database_url, archived, [("Pilot screen", "must-have", 50)])
    await fetch(database_url, "UPDATE epics SET is_archived = true, archived_at = now() WHERE epic_id = $1", archived)
    return {"at_risk": planned.epic_id, "overloaded": overloaded, "empty": empty, "archived": archived}


async def test_the_summary_counts_active_initiatives_against_the_team(pm, fake_llm, database_url, planned) -> None:
    await portfolio(pm, fake_llm, database_url, planned)
    response = await pm.get("/api/delivery-reality/summary")
    assert response.status_code == 200
    assert await response.get_json() == {
        "delivery_context": CONTEXT,
        "total_points_all_active_initiatives": 34 + 40,
        "total_active_initiatives": 3,
        "status_breakdown": {"on_track": 1, "at_risk": 1, "overloaded": 1},
    }


async def test_initiatives_are_listed_worst_first_without_the_archived_ones(
    pm, fake_llm, database_url, planned
) -> None:
    epics = await portfolio(pm, fake_llm, database_url, planned)
    response = await pm.get("/api/delivery-reality/initiatives")
    assert response.status_code == 200
    body = await response.get_json()
    assert body["delivery_context"] == CONTEXT
    assert all(set(item) == INITIATIVE_KEYS for item in body["initiatives"])
    measured = [
        (i["epic_id"], i["total_points"], i["delta"], i["assessment"], i["stories_count"]) for i in body["initiatives"]
    ]
    assert measured == [
        (epics["overloaded"], 40, -8, "overloaded", 1),
        (epics["at_risk"], 34, -2, "at_risk", 7),
        (epics["empty"], 0, 32, "on_track", 0),
    ]
    assert {item["two_sprint_capacity"] for item in body["initiatives"]} == {32}


async def test_initiatives_of_equal_standing_come_most_points_first(pm, fake_llm, database_url, planned) -> None:
    bigger = await locked_epic(pm, fake_llm, "Pharmacy sync")
    await stories_under(pm, database_url, bigger, [("Sync", "must-have", 35)])
    body = await (await pm.get("/api/delivery-reality/initiatives")).get_json()
    assert [(i["epic_id"], i["assessment"]) for i in body["initiatives"]] == [
        (bigger, "at_risk"),
        (planned.epic_id, "at_risk"),
    ]


async def test_without_a_delivery_context_there_is_no_capacity(pm, fake_llm, database_url, epic_id) -> None:
    await stories_under(pm, database_url, epic_id, [("Record a dose", "must-have", 3)])
    summary = await (await pm.get("/api/delivery-reality/summary")).get_json()
    assert summary["delivery_context"] == {
        "num_developers": 0,
        "num_qa": 0,
        "sprint_cycle_length": None,
        "points_per_dev_per_sprint": 8,
        "sprint_capacity": 0,
        "two_sprint_capacity": 0,
        "delivery_methodology": None,
        "delivery_platform": None,
    }
    assert summary["status_breakdown"] == {"on_track": 0, "at_risk": 0, "overloaded": 1}


async def test_one_initiative_recommends_the_fewest_deferrals_nice_to_have_first(pm, planned) -> None:
    response = await pm.get(planned.path())
    assert response.status_code == 200
    assert await response.get_json() == {
        "epic_id": planned.epic_id,
        "title": "Medication entry",
        "total_points": 34,
        "two_sprint_capacity": 32,
        "delta": -2,
        "assessment": "at_risk",
        "recommended_defer": [
            {
                "story_id": planned.ids["Dose history chart"],
                "title": "Dose history chart",
                "story_text": "As a p, I want to a so that b.",
                "points": 5,
                "priority": "nice-to-have",
                "feature_title": planned.feature["title"],
            }
        ],
        "deferred_points": 5,
        "new_total_points": 29,
        "new_delta": 3,
        "total_stories": 7,
        "must_have_points": 13,
        "should_have_points": 13,  # the unprioritised story counts as should-have (with 0 points)
        "nice_to_have_points": 8,
    }


async def test_a_deeper_deficit_defers_more_and_a_fitting_scope_none(pm, planned) -> None:
    await set_team(pm, num_developers=1)  # 16 points for two sprints: 18 over
    tight = await (await pm.get(planned.path())).get_json()
    deferred = [item["title"] for item in tight["recommended_defer"]]
    assert deferred == ["Dose history chart", "Dark mode", "See ward doses", "Print a label"]
    assert (tight["assessment"], tight["deferred_points"], tight["new_delta"]) == ("overloaded", 21, 3)
    await set_team(pm, num_developers=3)  # 48 points
    roomy = await (await pm.get(planned.path())).get_json()
    assert (roomy["assessment"], roomy["recommended_defer"], roomy["deferred_points"]) == ("on_track", [], 0)
    assert roomy["new_total_points"] == roomy["total_points"] == 34


async def test_an_archived_initiative_is_still_reachable_by_its_id(pm, database_url, planned) -> None:
    await fetch(database_url, "UPDATE epics SET is_archived = true WHERE epic_id = $1", planned.epic_id)
    assert (await (await pm.get("/api/delivery-reality/initiatives")).get_json())["initiatives"] == []
    response = await pm.get(planned.path())
    assert response.status_code == 200
    assert (await response.get_json())["total_points"] == 34


async def test_an_unknown_initiative_is_404(pm) -> None:
    response = await pm.get("/api/delivery-reality/initiative/epic_000000000000")
    assert response.status_code == 404
    assert await response.get_json() == {"detail": "Epic not found", "code": "EPIC_NOT_FOUND"}


class Statements:
    """Counts the statements sent to PostgreSQL (every asyncpg query method, pooled connections included)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        for name in ("fetch", "fetchrow", "fetchval", "execute", "prepare"):
            monkeypatch.setattr(asyncpg.Connection, name, self._counted(getattr(asyncpg.Connection, name)))

    def _counted(self, method):  # type: ignore[no-untyped-def]
        async def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.count += 1
            return await method(*args, **kwargs)

        return counted

    async def during(self, call) -> int:  # type: ignore[no-untyped-def]
        await call()  # warm: the pool's connections are open and set up before counting
        before = self.count
        response = await call()
        assert response.status_code == 200
        return self.count - before


@pytest.mark.parametrize("path", ["/summary", "/initiatives"])
async def test_the_lists_take_the_same_statements_however_many_epics_and_stories(
    pm, fake_llm, database_url, planned, monkeypatch, path
) -> None:
    statements = Statements(monkeypatch)
    few = await statements.during(lambda: pm.get(f"/api/delivery-reality{path}"))
    await portfolio(pm, fake_llm, database_url, planned)
    more = await locked_epic(pm, fake_llm, "Pharmacy sync 2")
    await stories_under(pm, database_url, more, [(f"Story {n}", "should-have", n) for n in range(6)])
    many = await statements.during(lambda: pm.get(f"/api/delivery-reality{path}"))
    assert many == few > 0
