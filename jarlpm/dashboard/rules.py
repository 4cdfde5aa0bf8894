"""The dashboard's arithmetic on top of the delivery rules (pure): which initiatives are at risk, worst
first, and how much of two sprints the work in flight takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jarlpm.delivery.rules import ASSESSMENT_RANK, Capacity, assess

FOCUS_LIST_SIZE = 5
RECENT_ACTIVITY_SIZE = 10


def at_risk(initiatives: Iterable[Mapping[str, Any]], team: Capacity) -> list[dict[str, Any]]:
    """The initiatives not on track, worst first (overloaded, then at risk; the larger deficit first).

    Without a team there is no capacity to be over: nothing is listed, and the dashboard's
    has_capacity_configured flag says why.
    """
    if team.sprint == 0:
        return []
    assessed = []
    for initiative in initiatives:
        delta, assessment = assess(initiative["total_points"], team)
        if assessment != "on_track":
            assessed.append(
                {**initiative, "two_sprint_capacity": team.two_sprints, "delta": delta, "assessment": assessment}
            )
    return sorted(assessed, key=lambda item: (ASSESSMENT_RANK[item["assessment"]], item["delta"], item["epic_id"]))


def utilization_pct(points_in_flight: int, team: Capacity) -> float:
    """Points in flight as a percentage of two sprints (one decimal); 0 without a team."""
    if team.two_sprints == 0:
        return 0.0
    return round(points_in_flight / team.two_sprints * 100, 1)
