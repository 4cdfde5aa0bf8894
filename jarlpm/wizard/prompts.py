"""The wizard's prompts: PRD, decomposition and critic passes, and quality mode's critique-and-improve step.

Each pass asks for one JSON object in the shape of its pass model (jarlpm/wizard/models.py); a reply
that does not validate is repaired by the structured-output layer, which quotes the model's JSON schema.
The organisation context is the delivery context's read-only block, plus what the wizard adds to it
(how the methodology shapes stories, and the definition of done they are written against).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from jarlpm.delivery.rules import capacity
from jarlpm.delivery_context.rules import prompt_block
from jarlpm.llm.calls import Message

# Bump when a prompt's wording changes: generation logs (and the stats) are grouped by it.
PROMPT_VERSION = "wizard-2026-11-v1"

LABELS = ("frontend", "backend", "api", "database", "integration", "security", "performance", "ux", "analytics", "nfr")

DEFINITION_OF_DONE: dict[str, tuple[str, ...]] = {
    "scrum": (
        "Acceptance criteria met and demoed in the sprint review",
        "Code reviewed and merged",
        "Automated tests pass",
        "Product owner accepted the story",
    ),
    "kanban": (
        "Acceptance criteria met",
        "Code reviewed and merged",
        "Automated tests pass",
        "Deployed to production behind a flag or released",
    ),
    "waterfall": (
        "Requirement traced to the specification",
        "Tested against the test plan",
        "Documentation updated",
        "Signed off by the stakeholder",
    ),
}
GENERIC_DEFINITION_OF_DONE = (
    "Acceptance criteria met",
    "Code reviewed and merged",
    "Automated tests pass",
    "Documentation updated where users or operators need it",
)
METHODOLOGY_GUIDANCE = {
    "scrum": "Stories must each fit in one sprint; split anything larger than 8 points.",
    "agile": "Stories must be small, independent and demoable; split anything larger than 8 points.",
    "kanban": "Stories flow one at a time: keep them small and independently releasable.",
    "waterfall": "Stories trace to requirements: name the requirement each one satisfies in its description.",
    "hybrid": "Stories must fit in one iteration and trace to a PRD requirement.",
}

PRD_ROLE = """You are JarlPM, a senior product manager. Turn a rough product idea into a crisp PRD.
Be specific: name real users, measurable metrics and concrete scope. Where the idea is silent, make a
reasonable assumption and list it under assumptions, never invent facts about the market.
Reply with only one JSON object, no prose and no code fences, with this shape:"""

PRD_SHAPE: dict[str, Any] = {
    "product_name": "short product name",
    "tagline": "one line",
    "prd": {
        "problem_statement": "who has what problem, and why it matters now",
        "problem_evidence": "what shows the problem is real",
        "target_users": [
            {
                "persona": "who",
                "context": "where and when they meet the problem",
                "pain_points": ["..."],
                "current_workaround": "...",
                "jtbd": "When ..., I want to ..., so I can ...",
            }
        ],
        "desired_outcome": "what is true once this ships",
        "key_metrics": ["measurable metric with a target"],
        "mvp_scope": [{"item": "...", "rationale": "..."}],
        "not_now": [{"item": "...", "rationale": "..."}],
        "out_of_scope": ["..."],
        "assumptions": [{"assumption": "...", "risk_if_wrong": "...", "validation_approach": "..."}],
        "constraints": [{"constraint": "...", "rationale": "...", "impact": "..."}],
        "risks": ["..."],
        "riskiest_unknown": "...",
        "validation_plan": "...",
        "positioning": {
            "for_who": "...",
            "who_struggle_with": "...",
            "our_solution": "...",
            "unlike": "...",
            "key_benefit": "...",
        },
        "alternatives": ["..."],
        "gtm_notes": "...",
    },
    "epic": {"title": "the initiative as one epic", "description": "what the epic delivers", "vision": "..."},
}

DECOMPOSITION_ROLE = f"""You are JarlPM, a senior product manager. Decompose the PRD below into an
implementable plan. Hard rules:
- 3 to 5 features, each an independently valuable slice of the MVP scope (nothing from not_now or out_of_scope);
- 2 to 4 user stories per feature, each "As a <persona>, I want to <action>, so that <benefit>";
- 2 to 4 acceptance criteria per story, each in Given/When/Then form;
- points on the Fibonacci scale (1, 2, 3, 5, 8, 13); priority one of must-have, should-have, nice-to-have;
- labels only from: {", ".join(LABELS)};
- at least one story covers a non-functional requirement (security, performance, accessibility...), labelled nfr.
Reply with only one JSON object, no prose and no code fences, with this shape:"""

STORY_SHAPE: dict[str, Any] = {
    "title": "short title",
    "description": "what and why",
    "persona": "the user",
    "action": "what they want to do",
    "benefit": "why",
    "acceptance_criteria": ["Given ... When ... Then ..."],
    "labels": ["backend"],
    "priority": "must-have",
    "points": 3,
    "dependencies": ["..."],
    "risks": ["..."],
    "success_criteria": "...",
    "non_goals": ["..."],
    "edge_cases": ["..."],
    "ux_notes": "...",
    "instrumentation": ["event or metric to record"],
    "notes_for_engineering": "...",
}
DECOMPOSITION_SHAPE = {
    "features": [{"name": "feature name", "description": "...", "priority": "must-have", "stories": [STORY_SHAPE]}]
}

CRITIC_ROLE = """You are JarlPM acting as a demanding senior PM reviewing a generated initiative before it
reaches a team. Check: stories that are not testable or too large (over 8 points), vague acceptance
criteria, scope creep beyond the MVP, metrics without targets, missing non-functional requirements,
stories that do not serve a PRD user, dependencies between features, and whether the whole fits the team.
Report problems; do not rewrite the plan (auto_fixed is always 0). Give exactly 3 top risks, 3 key
assumptions and 3 things to validate first. scope_assessment is one of: right_sized, too_large, too_small.
Reply with only one JSON object, no prose and no code fences, with this shape:"""

CRITIC_SHAPE = {
    "warnings": [{"type": "error or warning", "location": "feature or story title", "problem": "what is wrong"}],
    "quality_summary": {
        "total_issues": 0,
        "errors": 0,
        "warnings": 0,
        "auto_fixed": 0,
        "scope_assessment": "right_sized",
        "recommendation": "one paragraph",
    },
    "confidence_assessment": {
        "confidence_score": 70,
        "top_risks": ["...", "...", "..."],
        "key_assumptions": ["...", "...", "..."],
        "validate_first": ["...", "...", "..."],
    },
}

QUALITY_CRITIQUE = """Review your previous answer as a demanding senior PM: completeness (nothing the
next step needs is missing), consistency (users, scope and metrics agree), specificity (no generic
filler, numbers where numbers belong) and actionability (a team could start tomorrow). Then reply with
the improved version: only one JSON object in exactly the same shape, no prose and no code fences."""


def _shape(shape: Mapping[str, Any]) -> str:
    return json.dumps(shape, indent=1)


def methodology(context: Mapping | None) -> str | None:
    return (context or {}).get("delivery_methodology")


def definition_of_done(context: Mapping | None) -> list[str]:
    return list(DEFINITION_OF_DONE.get(methodology(context) or "", GENERIC_DEFINITION_OF_DONE))


def team_velocity(context: Mapping | None) -> int | None:
    """Points the team delivers in one sprint (the delivery room's capacity); None without developers."""
    return capacity(context).sprint or None


def team_size(context: Mapping | None) -> int | None:
    context = context or {}
    members = [context.get("num_developers"), context.get("num_qa")]
    return sum(count for count in members if count) if any(count is not None for count in members) else None


def organisation_block(context: Mapping | None) -> str:
    """The delivery context's block, with the wizard's planning guidance."""
    lines = [prompt_block(context)]
    velocity = team_velocity(context)
    if velocity:
        lines.append(f"- Team velocity: about {velocity} points per sprint")
    guidance = METHODOLOGY_GUIDANCE.get(methodology(context) or "")
    if guidance:
        lines.append(f"- Planning guidance: {guidance}")
    lines.append("- Definition of done: " + "; ".join(definition_of_done(context)))
    return "\n".join(lines)


def _idea_message(idea: str, product_name: str | None) -> str:
    name = f"\n\nThe product is called: {product_name}" if product_name else ""
    return f"PRODUCT IDEA:\n{idea}{name}"


def prd_prompt(idea: str, product_name: str | None, context: Mapping | None) -> tuple[str, list[Message]]:
    system = "\n\n".join([organisation_block(context), PRD_ROLE + "\n" + _shape(PRD_SHAPE)])
    return system, [{"role": "user", "content": _idea_message(idea, product_name)}]


def decomposition_prompt(prd: Mapping[str, Any], context: Mapping | None) -> tuple[str, list[Message]]:
    system = "\n\n".join([organisation_block(context), DECOMPOSITION_ROLE + "\n" + _shape(DECOMPOSITION_SHAPE)])
    return system, [{"role": "user", "content": "PRD:\n" + json.dumps(prd, ensure_ascii=False)}]


def critic_prompt(initiative: Mapping[str, Any], context: Mapping | None) -> tuple[str, list[Message]]:
    system = "\n\n".join([organisation_block(context), CRITIC_ROLE + "\n" + _shape(CRITIC_SHAPE)])
    return system, [{"role": "user", "content": "INITIATIVE:\n" + json.dumps(initiative, ensure_ascii=False)}]


def improve_messages(messages: list[Message], answer: Mapping[str, Any]) -> list[Message]:
    """Quality mode: the pass's conversation, its (valid) answer, and the request to critique and improve it."""
    return [
        *messages,
        {"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)},
        {"role": "user", "content": QUALITY_CRITIQUE},
    ]
