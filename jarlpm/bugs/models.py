"""Request and response bodies of /api/bugs, with the contract's keys.

Severity, priority, entity type and status arrive as plain strings and are checked by the handlers,
because the contract answers 400 (not 422) for an unknown value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from jarlpm.bugs.rules import allowed_transitions
from jarlpm.bugs.tables import BugPriority, BugSeverity, BugStatus
from jarlpm.http.bounds import Limit, Offset, PgDateTime

LongText = Field(default=None, max_length=20_000)
# Checked against the allowed values by the handlers (400), whichever route receives them.
Severity = Annotated[str, Field(max_length=20)]
Priority = Annotated[str, Field(max_length=10)]


class LinkIn(BaseModel):
    entity_type: str = Field(max_length=20)
    entity_id: str = Field(min_length=1, max_length=50)


class LinkOut(BaseModel):
    link_id: str
    entity_type: str
    entity_id: str
    created_at: datetime


class BugFields(BaseModel):
    steps_to_reproduce: str | None = LongText
    expected_behavior: str | None = LongText
    actual_behavior: str | None = LongText
    environment: str | None = Field(default=None, max_length=500)
    priority: Priority | None = None
    due_date: PgDateTime | None = None


class BugIn(BugFields):
    title: str = Field(min_length=1, max_length=500)
    description: str = Field(min_length=1, max_length=20_000)
    severity: Severity = "medium"
    links: list[LinkIn] = Field(default_factory=list, max_length=50)


class BugUpdateIn(BugFields):
    """Only the fields sent change (draft bugs only)."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, min_length=1, max_length=20_000)
    severity: Severity | None = None
    assignee_id: str | None = Field(default=None, max_length=50)


class BugOut(BaseModel):
    bug_id: str
    title: str
    description: str
    severity: str
    status: str
    steps_to_reproduce: str | None
    expected_behavior: str | None
    actual_behavior: str | None
    environment: str | None
    assignee_id: str | None
    priority: str | None
    due_date: datetime | None
    links: list[LinkOut]
    link_count: int
    created_at: datetime
    updated_at: datetime
    allowed_transitions: list[str]

    @classmethod
    def from_row(cls, bug: dict) -> BugOut:
        return cls(**bug, link_count=len(bug["links"]), allowed_transitions=allowed_transitions(bug["status"]))


class BugQuery(BaseModel):
    status: BugStatus | None = None
    severity: BugSeverity | None = None
    assignee_id: str | None = Field(default=None, max_length=50)
    linked: bool | None = None
    sort_by: Literal["created_at", "updated_at", "due_date", "severity", "status", "priority", "title"] = "updated_at"
    sort_order: Literal["asc", "desc"] = "desc"
    limit: Limit = 100
    offset: Offset = 0


class TransitionIn(BaseModel):
    new_status: str = Field(max_length=20)
    notes: str | None = Field(default=None, max_length=5000)


class HistoryOut(BaseModel):
    history_id: str
    from_status: str | None
    to_status: str
    changed_by: str
    notes: str | None
    created_at: datetime


class LinksIn(BaseModel):
    links: list[LinkIn] = Field(min_length=1, max_length=50)


class MessageOut(BaseModel):
    message: str


class _ProposalText(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    description: str = Field(min_length=1, max_length=20_000)
    steps_to_reproduce: str | None = LongText
    expected_behavior: str | None = LongText
    actual_behavior: str | None = LongText
    environment: str | None = Field(default=None, max_length=500)


class BugProposal(_ProposalText):
    """The interview's proposal (what the model must produce)."""

    severity: BugSeverity = "medium"
    priority: BugPriority | None = None


class ProposalIn(_ProposalText):
    """The body of create-from-proposal: an unknown severity or priority is a 400, as for POST /api/bugs
    (the proposal model's own Literal types would make it a 422)."""

    severity: Severity = "medium"
    priority: Priority | None = None


class SeveritySuggestion(BaseModel):
    severity: BugSeverity
    priority: BugPriority
    severity_reason: str = Field(min_length=1)
    priority_reason: str = Field(min_length=1)
