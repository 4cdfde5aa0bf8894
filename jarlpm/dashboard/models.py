"""The body of GET /api/dashboard, with the contract's keys."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from jarlpm.dashboard import rules
from jarlpm.delivery.rules import Assessment, capacity

EventType = Literal["created", "epic_locked", "archived", "restored", "scope_plan_saved"]


class AtRiskOut(BaseModel):
    epic_id: str
    title: str
    total_points: int
    two_sprint_capacity: int
    delta: int
    assessment: Assessment
    stories_count: int


class FocusOut(BaseModel):
    epic_id: str
    title: str
    must_have_points: int
    total_points: int
    current_stage: str
    updated_at: datetime


class KpisOut(BaseModel):
    active_initiatives: int
    completed_30d: int
    total_points_in_flight: int
    two_sprint_capacity: int
    capacity_utilization_pct: float


class ActivityOut(BaseModel):
    event_type: EventType
    epic_id: str
    title: str
    timestamp: datetime
    details: str | None

    @classmethod
    def from_row(cls, row: dict) -> ActivityOut:
        return cls(**row, timestamp=row["occurred_at"])


class DashboardOut(BaseModel):
    at_risk_initiatives: list[AtRiskOut]
    focus_list: list[FocusOut]
    kpis: KpisOut
    recent_activity: list[ActivityOut]
    has_llm_configured: bool
    has_capacity_configured: bool

    @classmethod
    def from_rows(
        cls, portfolio: dict, initiatives: list[dict], focus: list[dict], activity: list[dict]
    ) -> DashboardOut:
        """The dashboard from its four queries, measured against the team in the delivery context."""
        team = capacity(portfolio)
        kpis = KpisOut(
            **portfolio,
            two_sprint_capacity=team.two_sprints,
            capacity_utilization_pct=rules.utilization_pct(portfolio["total_points_in_flight"], team),
        )
        return cls(
            at_risk_initiatives=[AtRiskOut(**item) for item in rules.at_risk(initiatives, team)],
            focus_list=[FocusOut(**row) for row in focus],
            kpis=kpis,
            recent_activity=[ActivityOut.from_row(row) for row in activity],
            has_llm_configured=portfolio["has_llm_configured"],
            has_capacity_configured=team.sprint > 0,
        )
