"""What the wizard's tests (and the save's) build on: valid pass replies for the fake provider, and the
initiative a whole generation produces."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.llm_server import FakeLLMServer, Reply
from tests.helpers import User
from tests.sse import stream_events

IDEA = "An app that lets ward nurses record a medication dose once and have it reach the pharmacy."


def prd_reply(product_name: str = "DoseOnce", **overrides: Any) -> dict[str, Any]:
    """A valid pass-1 answer (PRDPass)."""
    reply: dict[str, Any] = {
        "product_name": product_name,
        "tagline": "Enter a dose once",
        "prd": {
            "problem_statement": "Ward nurses re-enter medication doses in three systems.",
            "problem_evidence": "30 minutes a shift spent on re-entry.",
            "target_users": [
                {
                    "persona": "Ward nurse",
                    "context": "Medication rounds",
                    "pain_points": ["Double entry", "Errors"],
                    "current_workaround": "Paper notes",
                    "jtbd": "When I give a dose, I want to record it once, so I can get back to patients.",
                }
            ],
            "desired_outcome": "A dose is entered once and reaches every system.",
            "key_metrics": ["Re-entry time under 5 minutes a shift"],
            "mvp_scope": [{"item": "Ward entry", "rationale": "Where the time goes"}],
            "not_now": [{"item": "Billing", "rationale": "Later"}],
            "out_of_scope": ["Prescribing"],
            "assumptions": [
                {"assumption": "Pharmacy has an API", "risk_if_wrong": "No sync", "validation_approach": "Ask IT"}
            ],
            "constraints": [{"constraint": "HIPAA", "rationale": "Law", "impact": "Audit log"}],
            "risks": ["Network loss on wards"],
            "riskiest_unknown": "API access",
            "validation_plan": "Pilot on one ward",
            "positioning": {
                "for_who": "Ward nurses",
                "who_struggle_with": "Double entry",
                "our_solution": "Single entry",
                "unlike": "Paper",
                "key_benefit": "Time back",
            },
            "alternatives": ["Paper"],
            "gtm_notes": "Sell to hospital IT",
        },
        "epic": {
            "title": "Single-entry medication records",
            "description": "Record once, sync everywhere.",
            "vision": "No re-entry",
        },
    }
    reply.update(overrides)
    return reply


def story_reply(title: str, points: int = 3, **overrides: Any) -> dict[str, Any]:
    story: dict[str, Any] = {
        "title": title,
        "description": f"{title} for the ward.",
        "persona": "Ward nurse",
        "action": f"{title.lower()}",
        "benefit": "I save time",
        "acceptance_criteria": [
            "Given a patient When I record a dose Then it is saved",
            "Given no network When I save Then it is queued",
        ],
        "labels": ["frontend"],
        "priority": "must-have",
        "points": points,
        "dependencies": [],
        "risks": ["Network loss"],
        "success_criteria": "Dose saved",
        "non_goals": [],
        "edge_cases": ["Duplicate scan"],
        "ux_notes": "One tap",
        "instrumentation": ["dose_recorded"],
        "notes_for_engineering": "Optimistic UI",
    }
    story.update(overrides)
    return story


def decomposition_reply(features: int = 3, stories: int = 2, points: int = 3) -> dict[str, Any]:
    """A valid pass-2 answer (DecompositionPass): `features` features of `stories` stories of `points` each."""
    return {
        "features": [
            {
                "name": f"Feature {number}",
                "description": f"What feature {number} delivers.",
                "priority": "must-have" if number == 1 else "Should Have",
                "stories": [story_reply(f"Story {number}.{index}", points) for index in range(1, stories + 1)],
            }
            for number in range(1, features + 1)
        ]
    }


def critic_reply(issues: int = 1, score: int = 72) -> dict[str, Any]:
    """A valid pass-3 answer (CriticPass)."""
    return {
        "warnings": [
            {"type": "warning", "location": "Feature 1", "problem": f"Issue {number}"}
            for number in range(1, issues + 1)
        ],
        "quality_summary": {
            "total_issues": issues,
            "errors": 0,
            "warnings": issues,
            "auto_fixed": 3,
            "scope_assessment": "right_sized",
            "recommendation": "Pilot on one ward first.",
        },
        "confidence_assessment": {
            "confidence_score": score,
            "top_risks": ["API access", "Adoption", "Network"],
            "key_assumptions": ["API exists", "Tablets", "Training"],
            "validate_first": ["API", "Workflow", "Devices"],
        },
    }


def as_reply(value: object) -> Reply:
    """A model answer carrying `value` as plain JSON."""
    return Reply(text=json.dumps(value))


def script_generation(fake_llm: FakeLLMServer, *, features: int = 3, stories: int = 2, points: int = 3) -> None:
    """The three pass answers of a whole, valid standard-mode generation."""
    fake_llm.script(
        as_reply(prd_reply()),
        as_reply(decomposition_reply(features, stories, points)),
        as_reply(critic_reply()),
    )


async def generate(user: User, body: dict[str, Any] | None = None) -> list[dict]:
    """POST /api/initiative/generate as `user`; the events of the run."""
    return await stream_events(user, "/api/initiative/generate", body or {"idea": IDEA})


async def generated_initiative(user: User, fake_llm: FakeLLMServer, **shape: int) -> dict[str, Any]:
    """A whole generation's `initiative.data` (the body a save takes)."""
    script_generation(fake_llm, **shape)
    events = await generate(user)
    [initiative] = [event["data"] for event in events if event["type"] == "initiative"]
    return initiative
