"""Capacity against scope, the one arithmetic the dashboard, delivery reality and sprints share (pure).

A sprint's capacity is developers x points per developer per sprint (8 unless set); a missing delivery
context means no developers. An initiative is measured against two sprints: `delta` is what is left of
that capacity (negative: over it); `on_track` when nothing is over, `at_risk` while the deficit is at most
a quarter of ONE sprint's capacity, `overloaded` beyond.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

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


def total_points(stories: Iterable[Mapping[str, Any]]) -> int:
    return sum(points(story.get("story_points")) for story in stories)


@dataclass(frozen=True)
class Scope:
    """One epic's scope against the team: its points row (total and per priority), its feature-bound
    stories, the team's capacity and the delivery context it comes from (for prompts)."""

    epic: Mapping[str, Any]
    stories: Sequence[Mapping[str, Any]]
    team: Capacity
    context: Mapping[str, Any] | None = None

    @property
    def total_points(self) -> int:
        return int(self.epic["total_points"])

    @property
    def delta(self) -> int:
        return assess(self.total_points, self.team)[0]

    @property
    def assessment(self) -> Assessment:
        return assess(self.total_points, self.team)[1]

    @property
    def deficit(self) -> int:
        """Points over two sprints' capacity (0 when the scope fits)."""
        return max(0, -self.delta)

    def recommended(self) -> list[Mapping[str, Any]]:
        return recommended_deferrals(self.stories, self.deficit)

    def cut(self, plan: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
        """The stories the active plan defers (those still in the epic); without a plan, the recommended
        deferrals."""
        if plan is None:
            return self.recommended()
        deferred = set(plan["deferred_story_ids"])
        return [story for story in self.stories if story["story_id"] in deferred]


def worst_first(assessment: str, total_points: int) -> tuple[int, int]:
    """Sort key of initiative lists: overloaded, then at risk, then on track; the most points first."""
    return ASSESSMENT_RANK[assessment], -total_points


def status_breakdown(assessments: Iterable[str]) -> dict[str, int]:
    """How many initiatives have each assessment, every assessment named (0 when none)."""
    counts = dict.fromkeys(ASSESSMENT_RANK, 0)
    for assessment in assessments:
        counts[assessment] += 1
    return counts


def distinct(ids: Iterable[str]) -> list[str]:
    """Each id once, where it first appears."""
    return list(dict.fromkeys(ids))


def known_deferral(story_ids: Iterable[str], stories: Sequence[Mapping[str, Any]]) -> tuple[list[str], int]:
    """Of `story_ids`, those naming one of `stories` (each once, in the order given), and their points:
    what remains of a deferral the model proposed once invented or repeated ids are dropped."""
    by_id = {story["story_id"]: story for story in stories}
    kept = [story_id for story_id in distinct(story_ids) if story_id in by_id]
    return kept, total_points(by_id[story_id] for story_id in kept)


class ScopeSplit(NamedTuple):
    sprint_1: list[Mapping[str, Any]]
    sprint_2: list[Mapping[str, Any]]
    deferred: list[Mapping[str, Any]]


def split_scope(stories: Sequence[Mapping[str, Any]], deferred_ids: Iterable[str], sprint_capacity: int) -> ScopeSplit:
    """The deferred stories set aside, the rest split into Sprint 1 (up to one sprint) and Sprint 2."""
    deferred_set = set(deferred_ids)
    deferred = [story for story in stories if story["story_id"] in deferred_set]
    kept = [story for story in stories if story["story_id"] not in deferred_set]
    first, second = split_into_sprints(kept, sprint_capacity)
    return ScopeSplit(first, second, deferred)


def mvp_analysis(must_have_points: int, capacity: int) -> dict[str, Any]:
    """Whether the must-haves alone fit two sprints: `buffer` left when they do, `over_by` when not."""
    if must_have_points <= capacity:
        buffer = capacity - must_have_points
        return {
            "mvp_feasible": True,
            "must_have_points": must_have_points,
            "capacity": capacity,
            "buffer": buffer,
            "message": f"The must-haves ({must_have_points} points) fit the two-sprint capacity "
            f"({capacity} points) with {buffer} points to spare.",
        }
    over_by = must_have_points - capacity
    return {
        "mvp_feasible": False,
        "must_have_points": must_have_points,
        "capacity": capacity,
        "over_by": over_by,
        "message": f"The must-haves alone ({must_have_points} points) exceed the two-sprint capacity "
        f"({capacity} points) by {over_by} points: split must-haves or add capacity.",
    }


def cuts_summary(deferred: Sequence[Mapping[str, Any]]) -> str:
    if not deferred:
        return "Nothing deferred."
    count = len(deferred)
    return f"{count} {'story' if count == 1 else 'stories'} ({total_points(deferred)} points) deferred."
