"""Request and response bodies of /api/delivery-reality with the contract's keys, and what the model
must return for the three AI helpers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, RootModel, StringConstraints

from jarlpm.delivery import rules
from jarlpm.delivery.rules import Assessment, Capacity, Scope

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
PlanName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
StoryId = Annotated[str, Field(min_length=1, max_length=100)]
AT_MOST = 3  # the contract's top-three lists and three alternatives


def _first_three(items: list[Any]) -> list[Any]:
    return items[:AT_MOST]


TopThree = Annotated[list[Text], Field(min_length=1), AfterValidator(_first_three)]


class DeliveryContextOut(BaseModel):
    """The team as the arithmetic counts it: no context (or no developers) is 0 developers."""

    num_developers: int
    num_qa: int
    sprint_cycle_length: int | None
    points_per_dev_per_sprint: int
    sprint_capacity: int
    two_sprint_capacity: int
    delivery_methodology: str | None
    delivery_platform: str | None

    @classmethod
    def of(cls, context: Mapping[str, Any] | None, team: Capacity) -> DeliveryContextOut:
        context = context or {}
        return cls(
            num_developers=team.developers,
            num_qa=context.get("num_qa") or 0,
            sprint_cycle_length=context.get("sprint_cycle_length"),
            points_per_dev_per_sprint=team.points_per_developer,
            sprint_capacity=team.sprint,
            two_sprint_capacity=team.two_sprints,
            delivery_methodology=context.get("delivery_methodology"),
            delivery_platform=context.get("delivery_platform"),
        )


class InitiativeOut(BaseModel):
    epic_id: str
    title: str
    total_points: int
    two_sprint_capacity: int
    delta: int
    assessment: Assessment
    stories_count: int

    @classmethod
    def measure(cls, row: Mapping[str, Any], team: Capacity) -> InitiativeOut:
        scope = Scope(row, (), team)
        return cls(
            epic_id=row["epic_id"],
            title=row["title"],
            total_points=scope.total_points,
            two_sprint_capacity=team.two_sprints,
            delta=scope.delta,
            assessment=scope.assessment,
            stories_count=row["stories_count"],
        )


def measured(rows: Iterable[Mapping[str, Any]], team: Capacity) -> list[InitiativeOut]:
    """The initiatives, worst first (the order of the contract's list)."""
    entries = [InitiativeOut.measure(row, team) for row in rows]
    return sorted(entries, key=lambda entry: rules.worst_first(entry.assessment, entry.total_points))


class StatusBreakdown(BaseModel):
    on_track: int
    at_risk: int
    overloaded: int


class SummaryOut(BaseModel):
    delivery_context: DeliveryContextOut
    total_points_all_active_initiatives: int
    total_active_initiatives: int
    status_breakdown: StatusBreakdown

    @classmethod
    def of(cls, context: Mapping[str, Any] | None, team: Capacity, rows: Sequence[Mapping[str, Any]]) -> SummaryOut:
        initiatives = [InitiativeOut.measure(row, team) for row in rows]
        return cls(
            delivery_context=DeliveryContextOut.of(context, team),
            total_points_all_active_initiatives=sum(item.total_points for item in initiatives),
            total_active_initiatives=len(initiatives),
            status_breakdown=StatusBreakdown(**rules.status_breakdown(item.assessment for item in initiatives)),
        )


class InitiativesOut(BaseModel):
    delivery_context: DeliveryContextOut
    initiatives: list[InitiativeOut]


class DeferralOut(BaseModel):
    story_id: str
    title: str
    story_text: str
    points: int
    priority: str | None
    feature_title: str

    @classmethod
    def of(cls, story: Mapping[str, Any]) -> DeferralOut:
        return cls(
            story_id=story["story_id"],
            title=story["title"],
            story_text=story["story_text"],
            points=rules.points(story["story_points"]),
            priority=story["story_priority"],
            feature_title=story["feature_title"],
        )


class InitiativeDetailOut(BaseModel):
    epic_id: str
    title: str
    total_points: int
    two_sprint_capacity: int
    delta: int
    assessment: Assessment
    recommended_defer: list[DeferralOut]
    deferred_points: int
    new_total_points: int
    new_delta: int
    total_stories: int
    must_have_points: int
    should_have_points: int
    nice_to_have_points: int

    @classmethod
    def of(cls, scope: Scope) -> InitiativeDetailOut:
        recommended = scope.recommended()
        deferred_points = rules.total_points(recommended)
        new_total = scope.total_points - deferred_points
        return cls(
            epic_id=scope.epic["epic_id"],
            title=scope.epic["title"],
            total_points=scope.total_points,
            two_sprint_capacity=scope.team.two_sprints,
            delta=scope.delta,
            assessment=scope.assessment,
            recommended_defer=[DeferralOut.of(story) for story in recommended],
            deferred_points=deferred_points,
            new_total_points=new_total,
            new_delta=scope.team.two_sprints - new_total,
            total_stories=scope.epic["stories_count"],
            must_have_points=scope.epic["must_have_points"],
            should_have_points=scope.epic["should_have_points"],
            nice_to_have_points=scope.epic["nice_to_have_points"],
        )


class ScopePlanIn(BaseModel):
    name: PlanName = "Default Plan"
    deferred_story_ids: list[StoryId] = Field(default_factory=list, max_length=1000)
    notes: str | None = Field(default=None, max_length=20_000)


class ScopePlanOut(BaseModel):
    plan_id: str
    epic_id: str
    name: str
    deferred_story_ids: list[str]
    total_points: int
    deferred_points: int
    remaining_points: int
    notes: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class MaybeScopePlan(RootModel[ScopePlanOut | None]):
    """The active plan, or JSON null when there is none."""


class PlanClearedOut(BaseModel):
    message: str
    epic_id: str


class ScopeItemOut(BaseModel):
    story_id: str
    title: str
    points: int
    priority: str | None
    feature: str

    @classmethod
    def of(cls, story: Mapping[str, Any]) -> ScopeItemOut:
        return cls(
            story_id=story["story_id"],
            title=story["title"],
            points=rules.points(story["story_points"]),
            priority=story["story_priority"],
            feature=story["feature_title"],
        )


def _items(stories: Iterable[Mapping[str, Any]]) -> list[ScopeItemOut]:
    return [ScopeItemOut.of(story) for story in stories]


class MvpFits(BaseModel):
    mvp_feasible: Literal[True]
    must_have_points: int
    capacity: int
    buffer: int
    message: str


class MvpOver(BaseModel):
    mvp_feasible: Literal[False]
    must_have_points: int
    capacity: int
    over_by: int
    message: str


class ScopeSummaryOut(BaseModel):
    epic_id: str
    title: str
    generated_at: datetime
    capacity: int
    total_points: int
    mvp_analysis: Annotated[MvpFits | MvpOver, Field(discriminator="mvp_feasible")]
    sprint_1_scope: list[ScopeItemOut]
    sprint_2_scope: list[ScopeItemOut]
    deferred_scope: list[ScopeItemOut]
    sprint_1_points: int
    sprint_2_points: int
    deferred_points: int
    cuts_summary: str
    notes: str | None

    @classmethod
    def of(cls, scope: Scope, plan: Mapping[str, Any] | None, now: datetime) -> ScopeSummaryOut:
        """Sprint 1, Sprint 2 and what the active plan defers (nothing without a plan)."""
        split = rules.split_scope(scope.stories, plan["deferred_story_ids"] if plan else (), scope.team.sprint)
        return cls(
            epic_id=scope.epic["epic_id"],
            title=scope.epic["title"],
            generated_at=now,
            capacity=scope.team.two_sprints,
            total_points=scope.total_points,
            mvp_analysis=rules.mvp_analysis(scope.epic["must_have_points"], scope.team.two_sprints),
            sprint_1_scope=_items(split.sprint_1),
            sprint_2_scope=_items(split.sprint_2),
            deferred_scope=_items(split.deferred),
            sprint_1_points=rules.total_points(split.sprint_1),
            sprint_2_points=rules.total_points(split.sprint_2),
            deferred_points=rules.total_points(split.deferred),
            cuts_summary=rules.cuts_summary(split.deferred),
            notes=plan["notes"] if plan else None,
        )


class CutRationale(BaseModel):
    """Why the cut makes sense, what users lose, and what to validate first."""

    rationale: Text
    user_impact_tradeoff: Text
    what_to_validate_first: Text


Strategy = Literal["cut_polish", "cut_integrations", "cut_low_adoption"]


class AlternativeDraft(BaseModel):
    """One alternative as the model writes it; its ids and points are checked before anyone sees them."""

    name: Text
    description: Text
    strategy: Strategy
    stories_to_defer: list[str] = Field(max_length=1000)
    total_deferred_points: int | None = None  # the model's sum: never trusted, recomputed


class AlternativesDraft(BaseModel):
    alternatives: Annotated[list[AlternativeDraft], Field(min_length=1), AfterValidator(_first_three)]


class AlternativeCut(BaseModel):
    name: str
    description: str
    strategy: Strategy
    stories_to_defer: list[str]
    total_deferred_points: int

    @classmethod
    def checked(cls, draft: AlternativeDraft, stories: Sequence[Mapping[str, Any]]) -> AlternativeCut:
        """The draft with only the epic's own story ids kept, and their points summed here."""
        kept, deferred_points = rules.known_deferral(draft.stories_to_defer, stories)
        return cls(
            name=draft.name,
            description=draft.description,
            strategy=draft.strategy,
            stories_to_defer=kept,
            total_deferred_points=deferred_points,
        )


class AlternativeCutsOut(BaseModel):
    alternatives: list[AlternativeCut]

    @classmethod
    def checked(cls, drafts: AlternativesDraft, stories: Sequence[Mapping[str, Any]]) -> AlternativeCutsOut:
        return cls(alternatives=[AlternativeCut.checked(draft, stories) for draft in drafts.alternatives])


class Spike(BaseModel):
    title: Text
    points: int = Field(ge=0, le=100)
    description: Text


class RiskReview(BaseModel):
    """Three delivery risks, three assumptions to check, and one spike to run first (longer lists are cut
    to three)."""

    top_delivery_risks: TopThree
    top_assumptions: TopThree
    suggested_spike: Spike
