"""Request and response bodies of /api/prd, with the contract's keys, and the StructuredPRD itself.

Every StructuredPRD field has a default (a model may leave parts out) and a bound: strings by length,
lists by count, so an oversize document is a 422 (or 413 past the body limit) and nothing is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Short = Annotated[str, Field(max_length=500)]
Text = Annotated[str, Field(max_length=5_000)]
MAX_ITEMS = 50
MAX_MARKDOWN = 200_000


def items() -> Any:
    """A list field: empty by default, at most MAX_ITEMS entries."""
    return Field(default_factory=list, max_length=MAX_ITEMS)


class Part(BaseModel):
    """A piece of a PRD: unknown keys a model (or an old client) adds are dropped, not refused."""

    model_config = ConfigDict(extra="ignore")


class Summary(Part):
    title: Short = ""
    version: Short = ""
    owner: Short = ""
    overview: Text = ""
    problem_statement: Text = ""
    goal: Text = ""
    target_users: Text = ""


class Context(Part):
    evidence: list[Text] = items()
    current_workflow: Text = ""
    why_now: Text = ""


class Persona(Part):
    name: Short = ""
    context: Text = ""
    jtbd: Text = ""
    pain_points: list[Text] = items()
    current_workaround: Text = ""


class ScopeItem(Part):
    item: Text = ""
    rationale: Text = ""


class Assumption(Part):
    assumption: Text = ""
    risk_if_wrong: Text = ""
    validation: Text = ""


class Scope(Part):
    mvp_in: list[ScopeItem] = items()
    not_now: list[ScopeItem] = items()
    assumptions: list[Assumption] = items()


class StoryRequirement(Part):
    story: Text = ""
    acceptance_criteria: list[Text] = items()
    edge_cases: list[Text] = items()


class FeatureRequirement(Part):
    name: Short = ""
    description: Text = ""
    priority: Short = ""
    stories: list[StoryRequirement] = items()


class Requirements(Part):
    features: list[FeatureRequirement] = items()


class NFRs(Part):
    performance: list[Text] = items()
    reliability: list[Text] = items()
    security: list[Text] = items()
    accessibility: list[Text] = items()


class Metric(Part):
    metric: Text = ""
    target: Text = ""
    measurement: Text = ""


class Metrics(Part):
    success_metrics: list[Metric] = items()
    guardrails: list[Text] = items()
    instrumentation: list[Text] = items()
    evaluation_window: Short = ""


class Risk(Part):
    risk: Text = ""
    type: Short = ""
    likelihood: Short = ""
    impact: Short = ""
    mitigation: Text = ""


class OpenQuestion(Part):
    question: Text = ""
    owner: Short = ""
    due_date: Short = ""
    status: Short = ""


class Term(Part):
    term: Short = ""
    definition: Text = ""


class Appendix(Part):
    alternatives_considered: list[Text] = items()
    glossary: list[Term] = items()


class StructuredPRD(Part):
    """The contract's PRD document; every field has a default."""

    summary: Summary = Field(default_factory=Summary)
    context: Context = Field(default_factory=Context)
    personas: list[Persona] = items()
    scope: Scope = Field(default_factory=Scope)
    requirements: Requirements = Field(default_factory=Requirements)
    nfrs: NFRs = Field(default_factory=NFRs)
    metrics: Metrics = Field(default_factory=Metrics)
    risks: list[Risk] = items()
    open_questions: list[OpenQuestion] = items()
    appendix: Appendix = Field(default_factory=Appendix)


class EpicRef(BaseModel):
    epic_id: str
    title: str
    stage: str


class EpicsOut(BaseModel):
    epics: list[EpicRef]


class PRDListItem(BaseModel):
    prd_id: str
    epic_id: str
    epic_title: str
    title: str | None
    version: str
    status: str
    created_at: datetime
    updated_at: datetime


class PRDListOut(BaseModel):
    prds: list[PRDListItem]


class DocumentFields(BaseModel):
    prd_id: str
    title: str | None
    version: str
    status: str
    source: str | None


class JsonDocument(DocumentFields):
    format: Literal["json"] = "json"
    data: StructuredPRD


class MarkdownDocument(DocumentFields):
    format: Literal["markdown"] = "markdown"
    content: str


class PRDOut(BaseModel):
    epic_id: str
    epic_title: str
    prd: JsonDocument | MarkdownDocument | None
    updated_at: datetime | None = None
    exists: bool


class SaveIn(BaseModel):
    epic_id: str = Field(min_length=1, max_length=50)
    content: str = Field(max_length=MAX_MARKDOWN)
    title: Short | None = None
    version: str = Field(default="1.0", max_length=50)
    status: str = Field(default="draft", max_length=50)


class UpdateIn(BaseModel):
    prd: StructuredPRD
    title: Short | None = None
    version: str | None = Field(default=None, max_length=50)


class SavedOut(BaseModel):
    success: bool = True
    epic_id: str
    message: str


class UpdatedOut(SavedOut):
    prd: StructuredPRD


class DeletedOut(BaseModel):
    success: bool = True
    message: str = "PRD deleted"


class GeneratedOut(BaseModel):
    success: bool = True
    epic_id: str
    prd: StructuredPRD
    format: Literal["json"] = "json"
    source: Literal["ai_generated"] = "ai_generated"
    repair_attempts: int
    validated: bool = True
    message: str = "PRD generated"
