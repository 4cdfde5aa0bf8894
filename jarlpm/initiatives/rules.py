"""What the library shows and allows (pure): an initiative's display status, its tagline,
the title of a copy, and which archive flag a requested status means.

The display status is derived, never stored: the archive flag wins, otherwise the epic's stage says it
(reference 1.3). Stages only move forward through the conversation, so the library can change the
archive flag and nothing else.
"""

from __future__ import annotations

from typing import Literal, get_args

from jarlpm.epics.tables import EPIC_STAGES

Status = Literal["draft", "active", "completed", "archived"]
STATUSES: tuple[str, ...] = get_args(Status)
SortField = Literal[
    "updated_at", "created_at", "title", "current_stage", "features_count", "stories_count", "total_points"
]

STAGE_STATUS: dict[str, Status] = {
    **dict.fromkeys(EPIC_STAGES[:4], "draft"),
    "epic_drafted": "active",
    "epic_locked": "completed",
}
TAGLINE_LENGTH = 100
PROBLEM_PREVIEW_LENGTH = 200
COPY_SUFFIX = " (Copy)"
TITLE_LENGTH = 500  # epics.title is varchar(500)


def display_status(stage: str, is_archived: bool) -> Status:
    return "archived" if is_archived else STAGE_STATUS[stage]


def stages_with_status(status: Status | None) -> list[str] | None:
    """The stages a status filter keeps (None: every stage; archived is the flag, not a stage)."""
    if status is None or status == "archived":
        return None
    return [stage for stage, shown in STAGE_STATUS.items() if shown == status]


def archived_for(stage: str, requested: Status) -> bool | None:
    """The archive flag that makes the epic show `requested`; None when no flag can (its stage decides)."""
    if requested == "archived":
        return True
    return False if STAGE_STATUS[stage] == requested else None


def tagline(problem_statement: str | None) -> str | None:
    if problem_statement is None or len(problem_statement) <= TAGLINE_LENGTH:
        return problem_statement
    return problem_statement[:TAGLINE_LENGTH] + "..."


def problem_preview(problem_statement: str | None) -> str | None:
    return problem_statement[:PROBLEM_PREVIEW_LENGTH] if problem_statement else problem_statement


def copy_title(original: str, requested: str | None) -> str:
    """The requested title, or "<original> (Copy)" cut to fit the column."""
    if requested is not None and requested.strip():
        return requested.strip()
    return original[: TITLE_LENGTH - len(COPY_SUFFIX)] + COPY_SUFFIX
