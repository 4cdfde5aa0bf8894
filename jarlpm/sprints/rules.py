"""Pure sprint rules: which sprint `today` falls in, the board's buckets and totals, the AI answers' checks.

Sprints are counted from the delivery context's start date in fixed cycles: Sprint 1 starts on the
start date, Sprint n on start + (n - 1) x cycle days, and each ends the day before the next starts.
Before the start date it is Sprint 1, not yet begun. Days are whole calendar days, so on a sprint's
first day nothing has elapsed (progress 0) and the whole cycle remains, today included; on its last
day one day remains. `today` is always passed in: nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

from jarlpm.delivery.rules import Capacity, total_points
from jarlpm.stories.tables import SPRINT_STATUSES

BUCKETS = ("backlog", "ready", "in_progress", "done", "blocked")  # the board's columns
# Fewer stories than this in progress needs no advice, so no model is asked.
WIP_WORTH_ADVICE = 2
HEALTHY_WIP_REASONING = (
    "WIP looks healthy: fewer than two stories are in progress. Keep finishing what is started before "
    "pulling in more work."
)


@dataclass(frozen=True)
class Sprint:
    number: int
    start_date: date
    end_date: date
    days_remaining: int
    progress: float  # percent of the cycle elapsed before today, one decimal
    cycle_length: int


def sprint_on(start: date, cycle_length: int, today: date) -> Sprint:
    """The sprint `today` falls in, for sprints of `cycle_length` days counted from `start`."""
    if cycle_length < 1:
        raise ValueError("a sprint lasts at least one day")
    index = max((today - start).days, 0) // cycle_length
    sprint_start = start + timedelta(days=index * cycle_length)
    elapsed = max((today - sprint_start).days, 0)  # a future start has nothing elapsed yet
    return Sprint(
        number=index + 1,
        start_date=sprint_start,
        end_date=sprint_start + timedelta(days=cycle_length - 1),
        days_remaining=cycle_length - elapsed,
        progress=round(100 * elapsed / cycle_length, 1),
        cycle_length=cycle_length,
    )


def current_sprint(context: Mapping[str, Any] | None, today: date) -> Sprint | None:
    """The current sprint from a delivery context; None until it has both a start date and a cycle length."""
    context = context or {}
    start, cycle_length = context.get("sprint_start_date"), context.get("sprint_cycle_length")
    if start is None or not cycle_length:
        return None
    return sprint_on(start, cycle_length, today)


def unknown_status(status: str) -> str | None:
    """The error message when `status` is not a sprint status, else None."""
    if status in SPRINT_STATUSES:
        return None
    return f"Invalid status {status!r}. Allowed values: {', '.join(SPRINT_STATUSES)}"


def kept_blocked_reason(status: str, reason: str | None) -> str | None:
    """Only a blocked story keeps a reason: any other status clears it, and a blank one is no reason."""
    if status != "blocked" or reason is None:
        return None
    return reason.strip() or None


def assignment_message(sprint_number: int | None) -> str:
    return f"Story assigned to Sprint {sprint_number}" if sprint_number else "Story removed from its sprint"


def bucket(status: str | None) -> str:
    """The board column of a story: no status, draft (or anything unknown) is the backlog."""
    return status if status in BUCKETS else "backlog"


def by_bucket(stories: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The stories in their board columns, each column in the order given."""
    columns: dict[str, list[Mapping[str, Any]]] = {name: [] for name in BUCKETS}
    for story in stories:
        columns[bucket(story.get("status"))].append(story)
    return columns


@dataclass(frozen=True)
class Load:
    """What is committed to a sprint against what the team can do in one."""

    sprint_capacity: int
    committed_points: int

    @property
    def delta(self) -> int:
        return self.sprint_capacity - self.committed_points

    @property
    def is_overloaded(self) -> bool:
        return self.committed_points > self.sprint_capacity


def sprint_load(team: Capacity, stories: Iterable[Mapping[str, Any]]) -> Load:
    return Load(sprint_capacity=team.sprint, committed_points=total_points(stories))


def in_progress(stories: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [story for story in stories if story.get("status") == "in_progress"]


def needs_wip_advice(stories: Sequence[Mapping[str, Any]]) -> bool:
    return len(in_progress(stories)) >= WIP_WORTH_ADVICE


def healthy_wip() -> dict[str, Any]:
    """The WIP answer when too little is in progress to be worth a model call."""
    return {"finish_first": [], "consider_pausing": [], "reasoning": HEALTHY_WIP_REASONING}


class Pick(Protocol):
    """A story the model singled out, by id."""

    @property
    def id(self) -> str: ...


P = TypeVar("P", bound=Pick)


def known_picks(picks: Iterable[P], stories: Iterable[Mapping[str, Any]]) -> list[P]:
    """The picks that name a story the model was shown (a model may invent ids), each story once."""
    shown = {story["story_id"] for story in stories}
    kept: list[P] = []
    for pick in picks:
        if pick.id in shown:
            kept.append(pick)
            shown.discard(pick.id)
    return kept


def split_by_plan(
    stories: Iterable[Mapping[str, Any]], deferred_story_ids: Iterable[str]
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(included, deferred): a scope plan's deferred stories set apart from the rest of its epic."""
    deferred_ids = set(deferred_story_ids)
    included = [story for story in stories if story["story_id"] not in deferred_ids]
    deferred = [story for story in stories if story["story_id"] in deferred_ids]
    return included, deferred


def plan_fit_message(sprint_number: int, included_points: int, sprint_capacity: int) -> str:
    """One sentence on whether a scope plan's included stories fit one sprint."""
    sprint = f"Sprint {sprint_number}" if sprint_number else "one sprint"
    if included_points <= sprint_capacity:
        return f"The plan's {included_points} points fit in {sprint} ({sprint_capacity} points of capacity)"
    over = included_points - sprint_capacity
    return f"The plan's {included_points} points exceed {sprint}'s capacity of {sprint_capacity} by {over} points"
