"""Capacity against scope, the one arithmetic the dashboard, delivery reality and sprints share (pure).

A sprint's capacity is developers x points per developer per sprint (8 unless set); a missing delivery
context means no developers. An initiative is measured against two sprints: `delta` is what is left of
that capacity (negative: over it); `on_track` when nothing is over, `at_risk` while the deficit is at most
a quarter of ONE sprint's capacity, `overloaded` beyond.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

DEFAULT_POINTS_PER_DEVELOPER = 8
AT_RISK_SHARE_OF_ONE_SPRINT = 0.25

Assessment = Literal["on_track", "at_risk", "overloaded"]
# Worst first: how at-risk lists are sorted.
ASSESSMENT_RANK: dict[str, int] = {"overloaded": 0, "at_risk": 1, "on_track": 2}
# Deferred first: nice-to-have, then should-have (also for an unknown priority), then must-have.
DEFERRAL_RANK: dict[str, int] = {"nice-to-have": 0, "should-have": 1, "must-have": 2}


@dataclass(frozen=True)
class Capacity:
    developers: int
    points_per_developer: int

    @property
    def sprint(self) -> int:
        return self.developers * self.points_per_developer

    @property
    def two_sprints(self) -> int:
        return 2 * self.sprint


def capacity(context: Mapping[str, Any] | None) -> Capacity:
    """The team's capacity from the user's delivery context (None: not set, so 0)."""
    context = context or {}
    return Capacity(
        developers=context.get("num_developers") or 0,
        points_per_developer=context.get("points_per_dev_per_sprint") or DEFAULT_POINTS_PER_DEVELOPER,
    )


def assess(total_points: int, team: Capacity) -> tuple[int, Assessment]:
    """(delta, assessment) of `total_points` against two sprints of `team`."""
    delta = team.two_sprints - total_points
    if delta >= 0:
        return delta, "on_track"
    if -delta <= AT_RISK_SHARE_OF_ONE_SPRINT * team.sprint:
        return delta, "at_risk"
    return delta, "overloaded"


def points(value: int | None) -> int:
    """A story's points as the arithmetic counts them: unestimated counts 0."""
    return value or 0


def deferral_order(stories: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Stories in the order they are best deferred: lowest priority first, then the largest first."""
    return sorted(
        stories,
        key=lambda story: (DEFERRAL_RANK.get(story.get("story_priority") or "", 1), -points(story.get("story_points"))),
    )


def recommended_deferrals(stories: Iterable[Mapping[str, Any]], deficit: int) -> list[Mapping[str, Any]]:
    """The fewest stories, in deferral order, whose points cover `deficit` (none when there is none)."""
    chosen: list[Mapping[str, Any]] = []
    covered = 0
    for story in deferral_order(stories):
        if covered >= deficit:
            break
        chosen.append(story)
        covered += points(story.get("story_points"))
    return chosen


def split_into_sprints(
    stories: Sequence[Mapping[str, Any]], sprint_capacity: int
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """Sprint 1 filled greedily (most important first) up to one sprint's capacity; the rest is Sprint 2."""
    first: list[Mapping[str, Any]] = []
    second: list[Mapping[str, Any]] = []
    used = 0
    for story in reversed(deferral_order(stories)):
        size = points(story.get("story_points"))
        if used + size <= sprint_capacity:
            first.append(story)
            used += size
        else:
            second.append(story)
    return first, second
