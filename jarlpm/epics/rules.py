"""Pure epic rules: the six stages, which proposal each stage accepts, parsing proposals, permissions."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from jarlpm.epics.tables import EPIC_STAGES

STAGE_TITLES = {
    "problem_capture": "Problem Capture",
    "problem_confirmed": "Problem Confirmed",
    "outcome_capture": "Outcome Capture",
    "outcome_confirmed": "Outcome Confirmed",
    "epic_drafted": "Epic Drafted",
    "epic_locked": "Epic Locked",
}
# A confirmed transitional stage moves on by itself to the next capture stage.
AUTO_ADVANCE = {"problem_confirmed": "outcome_capture", "outcome_confirmed": "epic_drafted"}


@dataclass(frozen=True)
class ProposalKind:
    tag: str
    stage: str  # the only stage that accepts it
    field: str  # the SSE / pending_proposal `field`
    target_stage: str


PROPOSAL_KINDS = {
    kind.tag: kind
    for kind in (
        ProposalKind("PROBLEM_STATEMENT", "problem_capture", "problem_statement", "problem_confirmed"),
        ProposalKind("DESIRED_OUTCOME", "outcome_capture", "desired_outcome", "outcome_confirmed"),
        ProposalKind("EPIC_FINAL", "epic_drafted", "epic_final", "epic_locked"),
    )
}
_PROPOSAL = re.compile(r"\[PROPOSAL:\s*(\w+)\s*\](.*?)\[/PROPOSAL\]", re.DOTALL)


def stage_index(stage: str) -> int:
    return EPIC_STAGES.index(stage)


def next_stage(stage: str) -> str | None:
    index = stage_index(stage)
    return EPIC_STAGES[index + 1] if index + 1 < len(EPIC_STAGES) else None


def find_proposal(reply: str, stage: str) -> tuple[ProposalKind, str] | None:
    """The first proposal in a reply that the current stage accepts, with its trimmed content."""
    for match in _PROPOSAL.finditer(reply):
        kind = PROPOSAL_KINDS.get(match.group(1).upper())
        content = match.group(2).strip()
        if kind is not None and kind.stage == stage and content:
            return kind, content
    return None


def pending_proposal(kind: ProposalKind, content: str, now: datetime) -> dict:
    """What epics.pending_proposal stores: `content` beside `proposed_content`, since the web client
    reads `content` after a reload."""
    return {
        "proposal_id": f"prop_{secrets.token_hex(6)}",
        "field": kind.field,
        "proposed_content": content,
        "content": content,
        "proposed_at": now.isoformat(),
        "target_stage": kind.target_stage,
    }


def proposal_event(proposal: dict) -> dict:
    return {
        "type": "proposal",
        "proposal_id": proposal["proposal_id"],
        "field": proposal["field"],
        "content": proposal["content"],
        "target_stage": proposal["target_stage"],
    }


# --- EPIC_FINAL ----------------------------------------------------------------------------------------

DETAIL_SECTIONS = {
    "in scope": "in_scope",
    "out of scope": "out_of_scope",
    "dependencies": "dependencies",
    "assumptions": "assumptions",
}
SECTIONS = {"epic summary": "epic_summary", "acceptance criteria": "acceptance_criteria", **DETAIL_SECTIONS}
_HEADING = re.compile(r"^\s*(?:#+\s*)?\**\s*([A-Za-z ]+?)\s*\**\s*:\s*\**\s*(.*)$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*(?:\[[ xX]?\]\s*)?(.*\S)\s*$")


@dataclass(frozen=True)
class EpicFinal:
    summary: str
    acceptance_criteria: list[str]
    details: dict[str, list[str]]


@dataclass
class _Section:
    inline: str  # the text on the heading line itself ("In Scope: web intake.")
    lines: list[str]  # the lines under the heading


def _sections(content: str) -> dict[str, _Section]:
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    for line in content.splitlines():
        heading = _HEADING.match(line)
        name = SECTIONS.get(heading.group(1).strip().lower()) if heading else None
        if name is not None:
            current = sections[name] = _Section(inline=heading.group(2).strip(), lines=[])  # type: ignore[union-attr]
        elif current is not None:
            current.lines.append(line)
    return sections


def _bullet_text(line: str) -> str | None:
    match = _BULLET.match(line)
    return match.group(1).strip() if match else None


def _items(section: _Section | None) -> list[str]:
    """The heading line's own text, then one entry per "- [ ]" or "-" (or numbered) line under it.

    Models often write a one-item section on one line ("In Scope: web intake."); that item counts.
    """
    if section is None:
        return []
    inline = [_bullet_text(section.inline) or section.inline] if section.inline else []
    return inline + [text for line in section.lines if (text := _bullet_text(line))]


def _summary(section: _Section | None) -> str | None:
    if section is None:
        return None
    lines = [line.strip() for line in (section.inline, *section.lines) if line.strip()]
    return "\n".join(lines) or None


def parse_epic_final(content: str) -> EpicFinal:
    sections = _sections(content)
    return EpicFinal(
        summary=_summary(sections.get("epic_summary")) or content.strip(),
        acceptance_criteria=_items(sections.get("acceptance_criteria")),
        details={name: _items(sections.get(name)) for name in DETAIL_SECTIONS.values()},
    )


# --- permissions ---------------------------------------------------------------------------------------


def lock_status(stage: str, is_archived: bool) -> str:
    if is_archived:
        return "archived"
    return {"problem_capture": "draft", "epic_locked": "locked"}.get(stage, "in_progress")


def permissions(epic: dict) -> dict:
    """What a user may do with an epic and its features and stories, as the web client reads it."""
    status = lock_status(epic["current_stage"], epic["is_archived"])
    open_epic = status not in ("locked", "archived")
    snapshot = epic["snapshot"]
    work_allowed = status != "archived"
    can_create_work = epic["current_stage"] == "epic_locked" and work_allowed
    return {
        "epic": {
            "status": status,
            "can_edit": open_epic,
            "fields": {
                "title": open_epic,
                "problem_statement": open_epic and snapshot["problem_confirmed_at"] is None,
                "desired_outcome": open_epic and snapshot["outcome_confirmed_at"] is None,
            },
            "can_confirm_lock": epic["current_stage"] == "epic_drafted" and work_allowed,
        },
        "features": {
            "can_create": can_create_work,
            "can_edit": work_allowed,
            "can_delete": work_allowed,
            "can_reorder": work_allowed,
            "is_locked": not work_allowed,
        },
        "stories": {
            "can_create": can_create_work,
            "can_edit": work_allowed,
            "can_delete": work_allowed,
            "is_frozen": not work_allowed,
            "requires_version": False,
        },
    }
