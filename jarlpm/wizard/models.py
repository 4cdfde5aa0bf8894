"""The wizard's shapes: the request, the initiative it generates (the contract's `initiative.data`, also
the body of a save), each pass's structured output, and the analytics answers.

One model serves generation and save so that what the wizard produces is exactly what a save accepts;
its bounds are the columns' (a title fits `features.title`, a persona `user_stories.persona`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

from jarlpm.stories.tables import STORY_PRIORITIES

IDEA_MAX_CHARS = 20_000
FEATURES_MIN, FEATURES_MAX = 3, 5
STORIES_MIN, STORIES_MAX = 2, 4
# A save may carry what the user trimmed or added in the client; the generator's own bounds are tighter.
SAVE_FEATURES_MAX, SAVE_STORIES_MAX = 12, 12
LIST_MAX = 30
FIBONACCI = (1, 2, 3, 5, 8, 13)

QualityMode = Literal["standard", "quality"]
Priority = Literal["must-have", "should-have", "nice-to-have"]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Item = Annotated[str, StringConstraints(max_length=2_000)]
Label = Annotated[str, StringConstraints(max_length=100)]
Items = Annotated[list[Item], Field(default_factory=list, max_length=LIST_MAX)]
FEATURE_ID = re.compile(r"^feat_[0-9a-z]{1,40}$")
STORY_ID = re.compile(r"^story_[0-9a-z]{1,40}$")


def _priority(value: Any) -> Any:
    """Anything outside the three priorities reads as should-have (the contract's normalisation)."""
    if isinstance(value, str):
        normal = value.strip().lower().replace("_", "-").replace(" ", "-")
        if normal in STORY_PRIORITIES:
            return normal
    return "should-have"


NormalPriority = Annotated[Priority, BeforeValidator(_priority)]


class Lenient(BaseModel):
    """Model output often carries keys we did not ask for; they are dropped, never an error."""

    model_config = ConfigDict(extra="ignore")


class GenerateIn(BaseModel):
    idea: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=IDEA_MAX_CHARS)]
    product_name: Name | None = None
    quality_mode: QualityMode | None = None  # overrides the delivery context's


class TargetUser(Lenient):
    persona: Name
    context: Text = ""
    pain_points: Items
    current_workaround: Text = ""
    jtbd: Text = ""


class ScopeItem(Lenient):
    item: Item
    rationale: Text = ""


class Assumption(Lenient):
    assumption: Item
    risk_if_wrong: Text = ""
    validation_approach: Text = ""


class Constraint(Lenient):
    constraint: Item
    rationale: Text = ""
    impact: Text = ""


class Positioning(Lenient):
    for_who: Text = ""
    who_struggle_with: Text = ""
    our_solution: Text = ""
    unlike: Text = ""
    key_benefit: Text = ""


class PRD(Lenient):
    problem_statement: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    problem_evidence: Text = ""
    target_users: Annotated[list[TargetUser], Field(min_length=1, max_length=10)]
    desired_outcome: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    key_metrics: Items
    mvp_scope: Annotated[list[ScopeItem], Field(default_factory=list, max_length=LIST_MAX)]
    not_now: Annotated[list[ScopeItem], Field(default_factory=list, max_length=LIST_MAX)]
    out_of_scope: Items
    assumptions: Annotated[list[Assumption], Field(default_factory=list, max_length=LIST_MAX)]
    constraints: Annotated[list[Constraint], Field(default_factory=list, max_length=LIST_MAX)]
    risks: Items
    riskiest_unknown: Text = ""
    validation_plan: Text = ""
    positioning: Positioning = Field(default_factory=Positioning)
    alternatives: Items
    gtm_notes: Text = ""


class Epic(Lenient):
    title: Title
    description: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    vision: Text = ""


class StoryContent(Lenient):
    """A story as a pass writes it; the server gives it its id."""

    title: Title
    description: Text = ""
    persona: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    action: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]
    benefit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]
    acceptance_criteria: Items
    labels: Annotated[list[Label], Field(default_factory=list, max_length=20)]
    priority: NormalPriority = "should-have"
    points: Literal[1, 2, 3, 5, 8, 13] | None = None
    dependencies: Items
    risks: Items
    success_criteria: Text = ""
    non_goals: Items
    edge_cases: Items
    ux_notes: Text = ""
    instrumentation: Items
    notes_for_engineering: Text = ""


class Story(StoryContent):
    id: str

    @field_validator("id")
    @classmethod
    def _story_id(cls, value: str) -> str:
        if not STORY_ID.match(value):
            raise ValueError("a story id looks like story_<letters and digits>")
        return value


class FeatureContent(Lenient):
    name: Title
    description: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    priority: NormalPriority = "should-have"


class Feature(FeatureContent):
    id: str
    stories: Annotated[list[Story], Field(max_length=SAVE_STORIES_MAX)]

    @field_validator("id")
    @classmethod
    def _feature_id(cls, value: str) -> str:
        if not FEATURE_ID.match(value):
            raise ValueError("a feature id looks like feat_<letters and digits>")
        return value


class QualityWarning(Lenient):
    type: Annotated[str, StringConstraints(max_length=100)] = "issue"
    location: Annotated[str, StringConstraints(max_length=500)] = ""
    problem: Text


class QualitySummary(Lenient):
    total_issues: int = 0
    errors: int = 0
    warnings: int = 0
    auto_fixed: int = 0
    scope_assessment: Annotated[str, StringConstraints(max_length=20)] = ""
    recommendation: Text = ""


class ConfidenceAssessment(Lenient):
    confidence_score: Annotated[int, Field(ge=0, le=100)]
    top_risks: Annotated[list[Item], Field(max_length=3)]
    key_assumptions: Annotated[list[Item], Field(max_length=3)]
    validate_first: Annotated[list[Item], Field(max_length=3)]


class DeliveryContextOut(Lenient):
    industry: str | None = None
    methodology: str | None = None
    sprint_length: int | None = None
    team_velocity: int | None = None
    team_size: int | None = None
    platform: str | None = None
    definition_of_done: list[str] = Field(default_factory=list)


class Analytics(Lenient):
    # Bounded like the column: a constrained str is also checked as text, so a lone surrogate is a 422
    # here instead of reaching the driver (a bare `str` lets it through).
    log_id: Annotated[str, StringConstraints(max_length=50)] | None = None


class Initiative(Lenient):
    """`initiative.data`, and the body of `POST /api/initiative/save`."""

    product_name: Title
    tagline: Annotated[str, StringConstraints(max_length=500)] = ""
    prd: PRD
    epic: Epic
    features: Annotated[list[Feature], Field(min_length=1, max_length=SAVE_FEATURES_MAX)]
    total_points: int | None = None  # the web client reads it; recomputed on save, never trusted
    warnings: Annotated[list[QualityWarning], Field(default_factory=list, max_length=100)]
    quality_summary: QualitySummary | None = None
    confidence_assessment: ConfidenceAssessment | None = None
    delivery_context: DeliveryContextOut | None = None
    analytics: Analytics | None = Field(default=None, alias="_analytics")

    model_config = ConfigDict(extra="ignore", populate_by_name=True, serialize_by_alias=True)


# Each pass's structured output: what the model must return for that pass (validated, repaired twice).


class PRDPass(Lenient):
    """Pass 1: the PRD, the product's name and tagline, and the epic it becomes."""

    product_name: Title
    tagline: Annotated[str, StringConstraints(max_length=500)] = ""
    prd: PRD
    epic: Epic


class PassFeature(FeatureContent):
    """A feature as pass 2 writes it (ids are the server's to give)."""

    stories: Annotated[list[StoryContent], Field(min_length=STORIES_MIN, max_length=STORIES_MAX)]


class DecompositionPass(Lenient):
    """Pass 2: the PRD decomposed into 3 to 5 features of 2 to 4 stories each."""

    features: Annotated[list[PassFeature], Field(min_length=FEATURES_MIN, max_length=FEATURES_MAX)]


class CriticPass(Lenient):
    """Pass 3: what a senior PM would flag, with a quality summary and a confidence assessment."""

    warnings: Annotated[list[QualityWarning], Field(default_factory=list, max_length=100)]
    quality_summary: QualitySummary
    confidence_assessment: ConfidenceAssessment


class SaveOut(BaseModel):
    success: bool
    epic_id: str
    features_created: int
    stories_created: int
    total_points: int
    feature_ids: dict[str, str]
    story_ids: dict[str, str]


class PassInfo(BaseModel):
    number: int
    name: str
    description: str


class SchemaOut(BaseModel):
    pipeline: list[PassInfo]
    quality_checks: list[str]
    prompt_version: str
    schema_: dict[str, Any] = Field(alias="schema")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class DaysQuery(BaseModel):
    days: Annotated[int, Field(ge=1, le=365)] = 30


class StatsOut(BaseModel):
    period_days: int
    total_generations: int
    success_rate: float
    avg_retries: float
    total_tokens: int
    total_cost_usd: float | None
    providers: dict[str, Any]
    prompt_versions: dict[str, Any]


class EditPatternsOut(BaseModel):
    period_days: int
    total_edits: int
    most_edited_fields: list[dict[str, Any]]
    edit_types: dict[str, int]
    avg_time_to_edit_seconds: float | None
