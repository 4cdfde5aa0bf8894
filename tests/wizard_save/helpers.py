"""A generated initiative (`initiative.data`) to save, and the rows a save leaves behind."""

from __future__ import annotations

import copy
from typing import Any

from tests.db.helpers import fetch


def _story(number: int, **fields: Any) -> dict:
    return {
        "id": f"story_{number:08x}",
        "title": f"Story {number}",
        "description": f"Why story {number} matters.",
        "persona": "ward nurse",
        "action": f"do step {number}",
        "benefit": "I save time",
        "acceptance_criteria": [f"Given step {number} When I do it Then it is saved"],
        "labels": ["frontend"],
        "priority": "must-have",
        "points": 3,
        "dependencies": [],
        "risks": [],
        "success_criteria": "",
        "non_goals": [],
        "edge_cases": [],
        "ux_notes": "",
        "instrumentation": [],
        "notes_for_engineering": "",
        **fields,
    }


# The first story carries every field; the others keep to the essentials.
FULL_STORY = _story(
    1,
    title="Record a dose once",
    persona="ward nurse",
    action="record a dose at the bedside",
    benefit="I never type it twice",
    acceptance_criteria=["Given a patient When I scan a dose Then it is saved", "Given no network Then it queues"],
    labels=["frontend", "mvp"],
    priority="must-have",
    points=5,
    dependencies=["Pharmacy API access"],
    risks=["Network loss on wards"],
    success_criteria="Re-entry time under 5 minutes per shift.",
    non_goals=["Billing"],
    edge_cases=["Duplicate scan"],
    ux_notes="One tap to confirm.",
    instrumentation=["dose_recorded event"],
    notes_for_engineering="Use optimistic UI.",
)

INITIATIVE: dict = {
    "product_name": "DoseOnce",
    "tagline": "Enter medication data once.",
    "prd": {
        "problem_statement": "Ward nurses spend 30 minutes per shift re-entering medication data.",
        "problem_evidence": "Shift logs from three wards.",
        "target_users": [
            {
                "persona": "Ward nurse",
                "context": "Busy medical wards",
                "pain_points": ["Double entry"],
                "current_workaround": "Paper notes",
                "jtbd": "Record a dose fast",
            }
        ],
        "desired_outcome": "Medication data is entered once and flows to every system.",
        "key_metrics": ["Re-entry time under 5 minutes per shift", "Zero duplicate doses"],
        "mvp_scope": [{"item": "Bedside dose entry", "rationale": "The core pain"}],
        "not_now": [{"item": "Pharmacy billing", "rationale": "Later"}],
        "out_of_scope": ["Outpatient clinics"],
        "assumptions": [{"assumption": "Nurses have tablets", "risk_if_wrong": "No entry point"}],
        "constraints": [{"constraint": "HIPAA", "rationale": "Health data"}],
        "risks": ["Pharmacy API delays"],
        "riskiest_unknown": "Whether the pharmacy API is open to us.",
        "validation_plan": "Pilot on one ward.",
        "positioning": {"for_who": "Ward nurses", "key_benefit": "One entry"},
        "alternatives": ["Paper"],
        "gtm_notes": "Start with one hospital.",
    },
    "epic": {
        "title": "Single-entry medication records",
        "description": "Nurses record each dose once; every system gets it.",
        "vision": "No nurse ever types a dose twice.",
    },
    "features": [
        {
            "id": "feat_0000000a",
            "name": "Bedside entry",
            "description": "Record doses at the bedside.",
            "priority": "must-have",
            "stories": [FULL_STORY, _story(2, priority="should-have", points=2)],
        },
        {
            "id": "feat_0000000b",
            "name": "Pharmacy sync",
            "description": "Doses flow to the pharmacy.",
            "priority": "nice-to-have",
            "stories": [_story(3, points=8), _story(4, priority="nice-to-have", points=None)],
        },
    ],
    "total_points": 999,  # the client's figure is never trusted
    "warnings": [{"type": "scope", "location": "feature 2", "problem": "Large"}],
    "quality_summary": {"total_issues": 1, "warnings": 1, "scope_assessment": "ok"},
    "confidence_assessment": {
        "confidence_score": 70,
        "top_risks": ["API"],
        "key_assumptions": ["Tablets"],
        "validate_first": ["API access"],
    },
    "_analytics": {"log_id": None},
}
TOTAL_POINTS = 5 + 2 + 8


def initiative(**overrides: Any) -> dict:
    """A fresh deep copy of the initiative, with top-level keys replaced."""
    return {**copy.deepcopy(INITIATIVE), **overrides}


SAVED_TABLES = ("epics", "epic_snapshots", "epic_decisions", "features", "user_stories", "initiative_saves")


async def row_counts(database_url: str) -> dict[str, int]:
    counts = {}
    for table in SAVED_TABLES:
        [row] = await fetch(database_url, f"SELECT count(*) AS n FROM {table}")
        counts[table] = row["n"]
    return counts


async def generation_log(database_url: str, user_id: str, log_id: str) -> str:
    """A finished generation of the user's, as the generator records it."""
    await fetch(
        database_url,
        """INSERT INTO initiative_generation_logs (log_id, user_id, idea_length, idea_hash, product_name_provided,
               has_delivery_context, provider, model, prompt_version, quality_mode, passes, total_retries,
               validation_errors, outcome, duration_ms)
           VALUES ($1, $2, 10, 'hash', false, false, 'openai', 'gpt-4o', 'v2', 'standard', '[]', 0, '{}',
                   'success', 1000)""",
        log_id,
        user_id,
    )
    return log_id
