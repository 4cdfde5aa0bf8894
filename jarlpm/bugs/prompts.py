"""Prompts for the bug interview, the description refinement and the severity suggestion."""

from __future__ import annotations

from collections.abc import Mapping

from jarlpm.delivery_context.rules import prompt_block
from jarlpm.llm.calls import Message

INTERVIEW_ROLE = """You are JarlPM, a senior product manager helping a colleague report ONE bug well.
Ask exactly one short question per reply: what happened, what they expected, the steps to reproduce, the
environment, and how bad it is. Never ask about something already answered.
As soon as you know enough for an engineer to reproduce it, stop asking and end your reply with:
```json
{"proposal": {"title": "...", "description": "...", "severity": "critical|high|medium|low", "steps_to_reproduce": "1. ...", "expected_behavior": "...", "actual_behavior": "...", "environment": "...", "priority": "p0|p1|p2|p3"}}
```"""

REFINE_ROLE = """You are JarlPM, a senior product manager. Rewrite the bug report below so an engineer can act
on it: a clear summary, numbered steps to reproduce, expected and actual behaviour, and the environment.
Keep every fact, invent none, and mark anything missing as "Unknown". Reply with the rewritten description only."""

SEVERITY_ROLE = """You are JarlPM, a senior product manager triaging a bug. Judge its severity (critical, high,
medium, low: the impact when it happens) and its priority (p0 to p3: how soon it must be fixed), with one
sentence of reasoning each. Reply with only this JSON:
{"severity": "...", "priority": "...", "severity_reason": "...", "priority_reason": "..."}"""


def bug_report(bug: Mapping) -> str:
    parts = [
        ("Title", bug["title"]),
        ("Description", bug["description"]),
        ("Severity", bug["severity"]),
        ("Steps to reproduce", bug.get("steps_to_reproduce")),
        ("Expected behavior", bug.get("expected_behavior")),
        ("Actual behavior", bug.get("actual_behavior")),
        ("Environment", bug.get("environment")),
    ]
    return "\n".join(f"{label}: {value}" for label, value in parts if value)


def interview_system_prompt(context: Mapping | None) -> str:
    return "\n\n".join([prompt_block(context), INTERVIEW_ROLE])


def refine_prompt(bug: Mapping) -> tuple[str, list[Message]]:
    return REFINE_ROLE, [{"role": "user", "content": bug_report(bug)}]


def severity_prompt(bug: Mapping) -> tuple[str, list[Message]]:
    return SEVERITY_ROLE, [{"role": "user", "content": bug_report(bug)}]
