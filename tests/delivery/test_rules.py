"""The capacity arithmetic, as pure functions: what every planning screen shows comes from here."""

from __future__ import annotations

import pytest

from jarlpm.delivery.rules import (
    Capacity,
    assess,
    capacity,
    recommended_deferrals,
    split_into_sprints,
)


def test_capacity_is_developers_times_points_with_a_default_of_eight() -> None:
    assert capacity({"num_developers": 5, "points_per_dev_per_sprint": 10}).sprint == 50
    assert capacity({"num_developers": 5, "points_per_dev_per_sprint": None}).two_sprints == 80
    assert capacity(None) == Capacity(0, 8)
    assert capacity({"num_developers": None}).two_sprints == 0


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, (80, "on_track")),
        (80, (0, "on_track")),  # exactly at capacity
        (81, (-1, "at_risk")),
        (90, (-10, "at_risk")),  # a deficit of exactly 25 % of one sprint (40)
        (91, (-11, "overloaded")),
    ],
)
def test_assessment_boundaries(total: int, expected: tuple[int, str]) -> None:
    assert assess(total, Capacity(5, 8)) == expected


def test_no_capacity_makes_any_scope_overloaded() -> None:
    assert assess(1, Capacity(0, 8)) == (-1, "overloaded")
    assert assess(0, Capacity(0, 8)) == (0, "on_track")


def test_deferrals_take_nice_to_have_first_then_the_largest_until_the_deficit_is_covered() -> None:
    stories = [
        {"story_id": "must", "story_priority": "must-have", "story_points": 13},
        {"story_id": "nice-small", "story_priority": "nice-to-have", "story_points": 2},
        {"story_id": "should-big", "story_priority": "should-have", "story_points": 8},
        {"story_id": "nice-big", "story_priority": "nice-to-have", "story_points": 5},
        {"story_id": "unknown", "story_priority": None, "story_points": 3},
    ]
    chosen = [story["story_id"] for story in recommended_deferrals(stories, 9)]
    assert chosen == ["nice-big", "nice-small", "should-big"]
    assert recommended_deferrals(stories, 0) == []


def test_sprint_one_is_filled_most_important_first_up_to_one_sprints_capacity() -> None:
    stories = [
        {"story_id": "nice", "story_priority": "nice-to-have", "story_points": 5},
        {"story_id": "must", "story_priority": "must-have", "story_points": 8},
        {"story_id": "should", "story_priority": "should-have", "story_points": 5},
    ]
    first, second = split_into_sprints(stories, 10)
    assert [s["story_id"] for s in first] == ["must"]
    assert [s["story_id"] for s in second] == ["should", "nice"]
