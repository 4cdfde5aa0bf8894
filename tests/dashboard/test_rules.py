"""The dashboard's arithmetic: which initiatives are listed at risk, in which order, and utilisation."""

from __future__ import annotations

from jarlpm.dashboard import rules
from jarlpm.delivery.rules import Capacity

TEAM = Capacity(developers=2, points_per_developer=8)  # 16 a sprint, 32 over two; at risk up to 4 over


def initiative(epic_id: str, points: int) -> dict:
    return {"epic_id": epic_id, "title": epic_id, "total_points": points, "stories_count": 1}


def test_only_initiatives_over_two_sprints_are_listed_worst_first() -> None:
    listed = rules.at_risk(
        [initiative("fits", 32), initiative("slightly", 34), initiative("far", 50), initiative("edge", 36)], TEAM
    )
    assert [(item["epic_id"], item["assessment"], item["delta"]) for item in listed] == [
        ("far", "overloaded", -18),
        ("edge", "at_risk", -4),
        ("slightly", "at_risk", -2),
    ]
    assert {item["two_sprint_capacity"] for item in listed} == {32}


def test_equal_deficits_keep_a_stable_order() -> None:
    listed = rules.at_risk([initiative("b", 40), initiative("a", 40)], TEAM)
    assert [item["epic_id"] for item in listed] == ["a", "b"]


def test_without_a_team_nothing_is_at_risk() -> None:
    assert rules.at_risk([initiative("big", 500)], Capacity(developers=0, points_per_developer=8)) == []


def test_utilisation_is_a_percentage_of_two_sprints_with_one_decimal() -> None:
    assert rules.utilization_pct(0, TEAM) == 0.0
    assert rules.utilization_pct(10, TEAM) == 31.2
    assert rules.utilization_pct(64, TEAM) == 200.0
    assert rules.utilization_pct(10, Capacity(developers=0, points_per_developer=8)) == 0.0
