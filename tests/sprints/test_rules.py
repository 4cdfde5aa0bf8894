"""The sprint arithmetic and the board's rules, as pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from jarlpm.delivery.rules import Capacity
from jarlpm.sprints import rules

START = date(2026, 1, 5)  # a Monday


@pytest.mark.parametrize(
    "today,number,sprint_start,end,remaining,progress",
    [
        (date(2026, 1, 5), 1, date(2026, 1, 5), date(2026, 1, 18), 14, 0.0),  # the first day
        (date(2026, 1, 12), 1, date(2026, 1, 5), date(2026, 1, 18), 7, 50.0),
        (date(2026, 1, 18), 1, date(2026, 1, 5), date(2026, 1, 18), 1, 92.9),  # the last day
        (date(2026, 1, 19), 2, date(2026, 1, 19), date(2026, 2, 1), 14, 0.0),  # the next sprint's first day
        (date(2026, 2, 1), 2, date(2026, 1, 19), date(2026, 2, 1), 1, 92.9),
        (date(2026, 2, 2), 3, date(2026, 2, 2), date(2026, 2, 15), 14, 0.0),
        (date(2027, 1, 7), 27, date(2027, 1, 4), date(2027, 1, 17), 11, 21.4),  # a year on
    ],
)
def test_sprints_follow_each_other_in_whole_cycles(today, number, sprint_start, end, remaining, progress) -> None:
    sprint = rules.sprint_on(START, 14, today)
    assert (sprint.number, sprint.start_date, sprint.end_date) == (number, sprint_start, end)
    assert (sprint.days_remaining, sprint.progress, sprint.cycle_length) == (remaining, progress, 14)


@pytest.mark.parametrize("today", [date(2026, 1, 4), date(2025, 6, 1)])
def test_a_start_in_the_future_is_sprint_1_not_yet_begun(today) -> None:
    sprint = rules.sprint_on(START, 14, today)
    assert (sprint.number, sprint.start_date, sprint.end_date) == (1, START, date(2026, 1, 18))
    assert (sprint.progress, sprint.days_remaining) == (0, 14)


@pytest.mark.parametrize("today,number", [(date(2026, 1, 5), 1), (date(2026, 1, 6), 2), (date(2026, 2, 4), 31)])
def test_a_one_day_cycle_makes_every_day_its_own_sprint(today, number) -> None:
    sprint = rules.sprint_on(START, 1, today)
    assert (sprint.number, sprint.start_date, sprint.end_date) == (number, today, today)
    assert (sprint.days_remaining, sprint.progress) == (1, 0)


def test_the_sprint_number_is_the_floor_of_the_days_over_the_cycle_plus_one() -> None:
    for days in range(0, 60):
        today = date.fromordinal(START.toordinal() + days)
        assert rules.sprint_on(START, 10, today).number == days // 10 + 1


def test_a_cycle_shorter_than_a_day_is_refused() -> None:
    with pytest.raises(ValueError):
        rules.sprint_on(START, 0, START)


@pytest.mark.parametrize(
    "context",
    [None, {}, {"sprint_start_date": START}, {"sprint_cycle_length": 14}, {"sprint_start_date": None}],
)
def test_no_sprint_without_both_a_start_date_and_a_cycle(context) -> None:
    assert rules.current_sprint(context, START) is None


def test_the_current_sprint_comes_from_the_delivery_context() -> None:
    context = {"sprint_start_date": START, "sprint_cycle_length": 7, "num_developers": 3}
    assert rules.current_sprint(context, date(2026, 1, 20)) == rules.sprint_on(START, 7, date(2026, 1, 20))


@pytest.mark.parametrize("status", ["draft", "ready", "in_progress", "done", "blocked"])
def test_the_five_statuses_are_known(status) -> None:
    assert rules.unknown_status(status) is None


@pytest.mark.parametrize("status", ["", "Done", "in progress", "closed"])
def test_anything_else_is_an_unknown_status(status) -> None:
    assert "Allowed values: draft, ready, in_progress, done, blocked" in (rules.unknown_status(status) or "")


@pytest.mark.parametrize(
    "status,reason,kept",
    [
        ("blocked", "Waiting on the pharmacy API", "Waiting on the pharmacy API"),
        ("blocked", "  padded  ", "padded"),
        ("blocked", "   ", None),
        ("blocked", None, None),
        ("in_progress", "Waiting on the pharmacy API", None),
        ("done", None, None),
    ],
)
def test_only_a_blocked_story_keeps_a_reason(status, reason, kept) -> None:
    assert rules.kept_blocked_reason(status, reason) == kept


def test_stories_fall_in_their_columns_and_the_rest_is_backlog() -> None:
    stories = [
        {"story_id": f"s{i}", "status": status}
        for i, status in enumerate([None, "draft", "ready", "done", "blocked", "in_progress", "ready"])
    ]
    columns = rules.by_bucket(stories)
    assert {name: [s["story_id"] for s in listed] for name, listed in columns.items()} == {
        "backlog": ["s0", "s1"],
        "ready": ["s2", "s6"],
        "in_progress": ["s5"],
        "done": ["s3"],
        "blocked": ["s4"],
    }


@pytest.mark.parametrize(
    "developers,committed,delta,overloaded",
    [
        (2, [5, 8, None], 3, False),
        (2, [8, 8], 0, False),
        (2, [8, 8, 1], -1, True),
        (0, [], 0, False),
        (0, [1], -1, True),
    ],
)
def test_the_sprint_load_is_committed_points_against_one_sprint(developers, committed, delta, overloaded) -> None:
    load = rules.sprint_load(Capacity(developers, 8), [{"story_points": p} for p in committed])
    assert (load.sprint_capacity, load.delta, load.is_overloaded) == (developers * 8, delta, overloaded)


def test_wip_advice_is_worth_asking_from_two_stories_in_progress() -> None:
    one = [{"status": "in_progress"}, {"status": "ready"}, {"status": "blocked"}]
    assert not rules.needs_wip_advice(one)
    assert rules.needs_wip_advice([*one, {"status": "in_progress"}])
    assert rules.healthy_wip()["reasoning"].startswith("WIP looks healthy")


@dataclass
class Pick:
    id: str


def test_picks_keep_only_the_stories_shown_each_once() -> None:
    shown = [{"story_id": "story_a"}, {"story_id": "story_b"}]
    picks = [Pick("story_b"), Pick("story_invented"), Pick("story_a"), Pick("story_b")]
    assert [pick.id for pick in rules.known_picks(picks, shown)] == ["story_b", "story_a"]


def test_a_scope_plan_sets_its_deferred_stories_apart_in_order() -> None:
    stories = [{"story_id": "a"}, {"story_id": "b"}, {"story_id": "c"}]
    included, deferred = rules.split_by_plan(stories, ["c", "a", "gone"])
    assert ([s["story_id"] for s in included], [s["story_id"] for s in deferred]) == (["b"], ["a", "c"])


def test_the_plan_message_says_whether_it_fits() -> None:
    assert rules.plan_fit_message(3, 16, 16) == "The plan's 16 points fit in Sprint 3 (16 points of capacity)"
    assert rules.plan_fit_message(3, 20, 16) == "The plan's 20 points exceed Sprint 3's capacity of 16 by 4 points"
    assert "one sprint" in rules.plan_fit_message(0, 0, 0)
