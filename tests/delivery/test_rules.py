"""The capacity arithmetic, as pure functions: what every planning screen shows comes from here."""

from __future__ import annotations

import pytest

from jarlpm.delivery.rules import (
    Capacity,
    Scope,
    assess,
    capacity,
    cuts_summary,
    distinct,
    known_deferral,
    mvp_analysis,
    recommended_deferrals,
    split_into_sprints,
    split_scope,
    status_breakdown,
    total_points,
    worst_first,
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


def story(story_id: str, priority: str | None, size: int | None) -> dict:
    return {"story_id": story_id, "story_priority": priority, "story_points": size}


STORIES = [
    story("must", "must-have", 8),
    story("should", "should-have", 5),
    story("nice", "nice-to-have", 5),
    story("unsized", None, None),
]


def test_initiatives_sort_worst_first_then_by_points() -> None:
    items = [("on_track", 50), ("overloaded", 10), ("at_risk", 5), ("overloaded", 30), ("at_risk", 9)]
    ordered = sorted(items, key=lambda item: worst_first(*item))
    assert ordered == [("overloaded", 30), ("overloaded", 10), ("at_risk", 9), ("at_risk", 5), ("on_track", 50)]


def test_the_status_breakdown_names_every_assessment() -> None:
    assert status_breakdown(["at_risk", "at_risk"]) == {"overloaded": 0, "at_risk": 2, "on_track": 0}
    assert status_breakdown([]) == {"overloaded": 0, "at_risk": 0, "on_track": 0}


def test_a_proposed_deferral_keeps_known_ids_once_and_sums_their_points() -> None:
    assert known_deferral(["nice", "invented", "must", "nice", "unsized"], STORIES) == (["nice", "must", "unsized"], 13)
    assert known_deferral([], STORIES) == ([], 0)
    assert distinct(["b", "a", "b"]) == ["b", "a"]


def test_the_scope_split_sets_the_deferred_aside_before_filling_the_sprints() -> None:
    split = split_scope(STORIES, ["should", "gone"], 8)
    assert [s["story_id"] for s in split.sprint_1] == ["must", "unsized"]
    assert [s["story_id"] for s in split.sprint_2] == ["nice"]
    assert [s["story_id"] for s in split.deferred] == ["should"]
    assert total_points(split.deferred) == 5


@pytest.mark.parametrize(
    ("must", "capacity", "key", "value"),
    [(10, 32, "buffer", 22), (32, 32, "buffer", 0), (33, 32, "over_by", 1), (5, 0, "over_by", 5)],
)
def test_the_mvp_fits_with_a_buffer_or_is_over_by_some_points(must: int, capacity: int, key: str, value: int) -> None:
    analysis = mvp_analysis(must, capacity)
    assert analysis[key] == value
    assert analysis["mvp_feasible"] is (key == "buffer")
    assert set(analysis) == {"mvp_feasible", "must_have_points", "capacity", key, "message"}


def test_the_cuts_summary_counts_stories_and_points() -> None:
    assert cuts_summary([]).startswith("Nothing deferred")
    assert cuts_summary(STORIES[:1]) == "1 story (8 points) deferred."
    assert cuts_summary(STORIES) == "4 stories (18 points) deferred."


def test_a_scope_measures_its_epic_and_cuts_by_plan_or_recommendation() -> None:
    scope = Scope({"total_points": 18}, STORIES, Capacity(1, 8))  # 16 points for two sprints
    assert (scope.delta, scope.assessment, scope.deficit) == (-2, "at_risk", 2)
    assert [s["story_id"] for s in scope.cut(None)] == ["nice"]
    assert [s["story_id"] for s in scope.cut({"deferred_story_ids": ["must", "gone"]})] == ["must"]
    fits = Scope({"total_points": 10}, STORIES, Capacity(1, 8))
    assert (fits.deficit, fits.recommended()) == (0, [])
