"""The epic conversation's prompts: one system prompt per stage, in code, versioned.

PROMPT_VERSION is recorded on every assistant message, so a transcript always says which wording
produced it. Change the wording, change the version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from jarlpm.delivery_context.rules import prompt_block
from jarlpm.epics.rules import STAGE_TITLES
from jarlpm.llm.calls import Message

PROMPT_VERSION = "epic-chat-2026-11-v1"
HISTORY_LIMIT = 20

PERSONA = """You are JarlPM, a senior product manager pairing with a colleague on one epic.
How you work:
- Ask one focused question at a time; build on what the user already said instead of starting over.
- Push back on vague words ("better", "faster", "users") until they name who, what and how much.
- Separate the problem from any solution the user jumps to, and say so kindly.
- Never invent facts about the user's business; when you assume, say it is an assumption.
- Keep answers short: a few sentences or a tight list.
Rules you never break:
- Confirmed content (marked LOCKED below) is final. Build on it; never reopen or rewrite it.
- Only propose through the exact proposal format of the current stage; never propose for another stage.
- A proposal is a draft for the user to confirm or reject in the app, not a decision you make."""

STAGE_GUIDANCE = {
    "problem_capture": """STAGE: Problem Capture.
Goal: a crisp problem statement: who has the problem, what hurts, how we know, why it matters now.
When you and the user agree on it, end your reply with exactly this block:
[PROPOSAL: PROBLEM_STATEMENT]
Problem Statement: <one or two sentences>
Why This Matters: <the impact>
Assumptions: <what still needs checking>
[/PROPOSAL]""",
    "outcome_capture": """STAGE: Outcome Capture.
Goal: the desired outcome of solving the LOCKED problem: what changes for whom, and how success is measured.
When you and the user agree on it, end your reply with exactly this block:
[PROPOSAL: DESIRED_OUTCOME]
Desired Outcome: <one or two sentences>
Success Indicators: <measurable signals>
Who Benefits: <the people>
Assumptions: <what still needs checking>
[/PROPOSAL]""",
    "epic_drafted": """STAGE: Epic Drafting.
Goal: turn the LOCKED problem and outcome into the final epic.
When the user is ready, end your reply with exactly this block (one criterion per "- [ ]" line):
[PROPOSAL: EPIC_FINAL]
Epic Summary: <two to four sentences>
Acceptance Criteria:
- [ ] <a testable criterion>
- [ ] <another one>
In Scope:
- <item>
Out of Scope:
- <item>
Dependencies:
- <item>
Assumptions:
- <item>
[/PROPOSAL]""",
    "epic_locked": """STAGE: Epic Locked.
The epic is final. Answer questions about it, and help plan features and stories from it.
Do not propose changes to the locked content and do not emit any proposal block.""",
}
# The transitional stages advance on confirmation; a message arriving in one is treated as the next.
STAGE_GUIDANCE["problem_confirmed"] = STAGE_GUIDANCE["outcome_capture"]
STAGE_GUIDANCE["outcome_confirmed"] = STAGE_GUIDANCE["epic_drafted"]


def _locked_lines(snapshot: Mapping) -> list[str]:
    lines = []
    if snapshot.get("problem_confirmed_at"):
        lines.append(f"- LOCKED Problem Statement: {snapshot['problem_statement']}")
    if snapshot.get("outcome_confirmed_at"):
        lines.append(f"- LOCKED Desired Outcome: {snapshot['desired_outcome']}")
    if snapshot.get("epic_locked_at"):
        criteria = "\n".join(f"  - {item}" for item in snapshot.get("acceptance_criteria") or []) or "  Not yet defined"
        lines.append(f"- LOCKED Epic Summary: {snapshot['epic_summary']}")
        lines.append(f"- LOCKED Acceptance Criteria:\n{criteria}")
    return lines


def system_prompt(epic: Mapping, delivery_context: Mapping | None) -> str:
    locked = _locked_lines(epic["snapshot"]) or ["- Nothing is locked yet."]
    return "\n\n".join(
        [
            prompt_block(delivery_context),
            PERSONA,
            STAGE_GUIDANCE[epic["current_stage"]],
            "CURRENT CONTEXT\n"
            f"- Epic Title: {epic['title'] or 'Untitled'}\n"
            f"- Stage: {STAGE_TITLES[epic['current_stage']]}\n" + "\n".join(locked),
        ]
    )


def chat_messages(history: Sequence[Mapping], user_message: str) -> list[Message]:
    """The last HISTORY_LIMIT user/assistant messages (oldest first), then the new one."""
    recent = [{"role": event["role"], "content": event["content"]} for event in history][-HISTORY_LIMIT:]
    return [*recent, {"role": "user", "content": user_message}]


def epic_brief(epic: Mapping) -> str:
    """The locked epic as later prompts (features, stories) read it."""
    snapshot = epic["snapshot"]
    details = snapshot.get("epic_details") or {}
    lines = [
        f"EPIC: {epic['title'] or 'Untitled'}",
        f"Problem: {snapshot.get('problem_statement') or 'Not yet defined'}",
        f"Desired outcome: {snapshot.get('desired_outcome') or 'Not yet defined'}",
        f"Summary: {snapshot.get('epic_summary') or 'Not yet defined'}",
        "Acceptance criteria:",
        *(f"- {item}" for item in snapshot.get("acceptance_criteria") or ["Not yet defined"]),
    ]
    for key, label in (("in_scope", "In scope"), ("out_of_scope", "Out of scope")):
        if details.get(key):
            lines += [f"{label}:", *(f"- {item}" for item in details[key])]
    return "\n".join(lines)


def outline_text(outline: Mapping) -> str:
    """The epic as the model reads it: its snapshot, then features with their stories."""
    parts = [
        f"Epic: {outline['title']}",
        f"Problem statement: {outline.get('problem_statement') or 'Not specified'}",
        f"Desired outcome: {outline.get('desired_outcome') or 'Not specified'}",
        f"Summary: {outline.get('epic_summary') or 'Not specified'}",
        "Acceptance criteria: " + "; ".join(outline.get("acceptance_criteria") or []),
        "Features and stories (JSON): " + json.dumps(outline.get("features") or []),
    ]
    return "\n".join(parts)
