"""What the rooms' tests build their cases from, through the API as a user would: a user with a provider,
a locked epic, an approved feature with stories, a bug with links.

Plain async functions (a `User` in, the created thing out, the fake provider where the API calls it),
so any room's test may import them; fixtures stay in the conftest files that use them.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from tests.fakes.llm_server import VALID_KEY, FakeLLMServer
from tests.helpers import User, sign_up
from tests.sse import stream_events

# The assistant's three proposals, in the order the epic conversation asks for them.
PROBLEM = """Let me capture that.
[PROPOSAL: PROBLEM_STATEMENT]
Problem Statement: Ward nurses spend 30 minutes per shift re-entering medication data.
Why This Matters: Errors and overtime.
Assumptions: The pharmacy system exposes an API.
[/PROPOSAL]"""

OUTCOME = """[PROPOSAL: DESIRED_OUTCOME]
Desired Outcome: Medication data is entered once and flows to every system.
Success Indicators: Re-entry time under 5 minutes per shift.
Who Benefits: Nurses and pharmacists.
Assumptions: Integration is allowed.
[/PROPOSAL]"""

FINAL = """Here is the final epic.
[PROPOSAL: EPIC_FINAL]
Epic Summary: Single-entry medication records for ward nurses.
Acceptance Criteria:
- [ ] A dose entered on the ward appears in the pharmacy system within 1 minute
- [ ] Nurses never type the same dose twice
- [x] An audit log records every change
In Scope:
- Ward medication entry
Out of Scope:
- Billing
Dependencies:
- Pharmacy API access
Assumptions:
- Nurses have tablets
[/PROPOSAL]"""

# Features and stories as the model generates them (the second story is deliberately untidy).
GENERATED = [
    {
        "title": "Ward entry screen",
        "description": "Nurses record a dose once.",
        "acceptance_criteria": ["Dose saved in one step"],
    },
    {
        "title": "Pharmacy sync",
        "description": "Doses flow to pharmacy.",
        "acceptance_criteria": ["Synced within a minute"],
    },
]
STORIES = [
    {
        "title": "Record a dose",
        "persona": "As a ward nurse",
        "action": "I want to record a dose once",
        "benefit": "so that I never type it twice.",
        "acceptance_criteria": ["Given a patient When I record a dose Then it is saved"],
        "story_priority": "Must Have",
        "labels": ["frontend"],
        "dependencies": ["Pharmacy API"],
        "risks": ["Network loss"],
        "edge_cases": ["Duplicate scan"],
        "notes_for_engineering": "Use optimistic UI.",
    },
    {
        "persona": "pharmacist",
        "action": "see ward doses",
        "benefit": "I can dispense on time",
        "acceptance_criteria": ["Given a dose When it is recorded Then I see it"],
        "story_priority": "urgent",
    },
]
# The least a story needs: enough to link a bug to, or to tell bound from standalone.
SMALL_STORY = {"persona": "p", "action": "a", "benefit": "b"}

BUG = {
    "title": "Dose screen freezes",
    "description": "The ward screen freezes after saving a dose.",
    "severity": "high",
    "steps_to_reproduce": "1. Save a dose",
    "priority": "p1",
}


def fenced(value: object) -> str:
    """A model reply carrying `value` as a fenced JSON block, the way models answer structured requests."""
    return f"Here you go:\n```json\n{json.dumps(value)}\n```"


async def new_user(app, email: str, name: str = "Ana") -> User:  # type: ignore[no-untyped-def]
    return User(app, await sign_up(app, email, name=name))


async def with_provider(user: User) -> User:
    """The user with an active OpenAI configuration (the fake provider's valid key)."""
    response = await user.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY})
    assert response.status_code == 200
    return user


async def create_epic(user: User, title: str = "Medication entry") -> dict:
    response = await user.post("/api/epics", json={"title": title})
    assert response.status_code == 201, await response.get_data(as_text=True)
    return await response.get_json()


async def chat(user: User, epic_id: str, content: str) -> list[dict]:
    """One turn of the epic conversation; the events the assistant's reply streamed."""
    return await stream_events(user, f"/api/epics/{epic_id}/chat", {"content": content})


async def confirm(user: User, epic_id: str, proposal_id: str, confirmed: bool = True) -> dict:
    response = await user.post(
        f"/api/epics/{epic_id}/confirm-proposal", json={"proposal_id": proposal_id, "confirmed": confirmed}
    )
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def locked_epic(user: User, fake_llm: FakeLLMServer, title: str = "Medication entry") -> str:
    """An epic taken through the whole conversation to epic_locked; returns its id."""
    epic_id = (await create_epic(user, title))["epic_id"]
    for reply in (PROBLEM, OUTCOME, FINAL):
        fake_llm.script(reply)
        [proposal] = [event for event in await chat(user, epic_id, "next") if event["type"] == "proposal"]
        await confirm(user, epic_id, proposal["proposal_id"])
    return epic_id


async def create_feature(user: User, epic_id: str, **overrides) -> dict:  # type: ignore[no-untyped-def]
    body = {**GENERATED[0], "source": "ai_generated", **overrides}
    response = await user.post(f"/api/features/epic/{epic_id}", json=body)
    assert response.status_code == 201, await response.get_data(as_text=True)
    return await response.get_json()


async def approved_feature(user: User, epic_id: str) -> dict:
    feature = await create_feature(user, epic_id)
    response = await user.post(f"/api/features/{feature['feature_id']}/approve")
    assert response.status_code == 200
    return await response.get_json()


async def add_story(user: User, feature_id: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    response = await user.post(f"/api/stories/feature/{feature_id}", json={**SMALL_STORY, **fields})
    assert response.status_code == 201, await response.get_data(as_text=True)
    return await response.get_json()


class WorkTree(NamedTuple):
    """A locked epic, one approved feature of it, and that feature's stories."""

    epic_id: str
    feature: dict
    stories: list[dict]


async def approved_feature_with_stories(user: User, fake_llm: FakeLLMServer, count: int = 1) -> WorkTree:
    epic_id = await locked_epic(user, fake_llm)
    feature = await approved_feature(user, epic_id)
    stories = [await add_story(user, feature["feature_id"]) for _ in range(count)]
    return WorkTree(epic_id, feature, stories)


async def create_bug(user: User, **overrides) -> dict:  # type: ignore[no-untyped-def]
    response = await user.post("/api/bugs", json={**BUG, **overrides})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def bug_linked_to(user: User, **targets: str) -> dict:
    """A bug filed with links to its targets, named by entity type: `bug_linked_to(user, epic=epic_id)`."""
    links = [{"entity_type": entity_type, "entity_id": entity_id} for entity_type, entity_id in targets.items()]
    return await create_bug(user, links=links)


async def delivery_context(user: User, **fields) -> dict:  # type: ignore[no-untyped-def]
    """Replace the user's delivery context with `fields` (e.g. `sprint_start_date="2026-01-05"`)."""
    response = await user.put("/api/delivery-context", json=fields)
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def standalone_story(user: User, **fields) -> dict:  # type: ignore[no-untyped-def]
    """A standalone story (no feature); it may carry `story_points` from the start."""
    response = await user.post("/api/stories/standalone", json={**SMALL_STORY, **fields})
    assert response.status_code == 201, await response.get_data(as_text=True)
    return await response.get_json()


async def pointed_story(user: User, fake_llm: FakeLLMServer, feature_id: str, points: int, **fields) -> dict:  # type: ignore[no-untyped-def]
    """A story of the feature estimated at `points` the way a user gets there: the refinement chat's
    [STORY_UPDATE] block (feature-bound stories take no points on creation)."""
    story = await add_story(user, feature_id, **fields)
    fake_llm.script(f'Sized it.\n[STORY_UPDATE]{{"story_points": {points}}}[/STORY_UPDATE]')
    events = await stream_events(user, f"/api/stories/{story['story_id']}/chat", {"content": "How big is it?"})
    assert any(event["type"] == "story_updated" for event in events), events
    return {**story, "story_points": points}


async def drafted_epic(user: User, fake_llm: FakeLLMServer, title: str = "Medication entry") -> str:
    """An epic with its problem and outcome confirmed, in epic_drafted (the final proposal still to come)."""
    epic_id = (await create_epic(user, title))["epic_id"]
    for reply in (PROBLEM, OUTCOME):
        fake_llm.script(reply)
        [proposal] = [event for event in await chat(user, epic_id, "next") if event["type"] == "proposal"]
        await confirm(user, epic_id, proposal["proposal_id"])
    return epic_id


def persona_answer(points: int, confidence: str = "medium") -> str:
    """A poker persona's reply: the JSON estimate the personas are asked for."""
    return json.dumps({"estimate": points, "reasoning": f"About {points} points of work.", "confidence": confidence})


# Personas as the model describes them (the generation route asks for {"personas": [...]}).
PERSONAS = [
    {
        "name": "Nora Lind",
        "role": "Ward nurse",
        "age_range": "35-44",
        "location": "Oslo",
        "tech_proficiency": "medium",
        "goals_and_motivations": ["Spend time with patients"],
        "pain_points": ["Typing the same dose twice"],
        "key_behaviors": ["Works 12-hour shifts"],
        "jobs_to_be_done": ["Record a dose once"],
        "product_interaction_context": "A shared tablet at the bedside",
        "representative_quote": "I became a nurse for people, not 100% for paperwork.",
    },
    {
        "name": "Per Dahl",
        "role": "Hospital pharmacist",
        "goals_and_motivations": ["Dispense on time"],
        "representative_quote": "Just show me the doses.",
    },
]


async def generated_personas(user: User, fake_llm: FakeLLMServer, epic_id: str, count: int = 2) -> list[dict]:
    """Personas generated for a locked epic of the user's, through the API; returns them."""
    fake_llm.script(fenced({"personas": PERSONAS[:count]}))
    response = await user.post(f"/api/personas/epic/{epic_id}/generate", json={"count": count})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return (await response.get_json())["personas"]


# A StructuredPRD as a model writes it (parts left out take their defaults), and a lean canvas.
PRD_DOCUMENT = {
    "summary": {"title": "Single-entry medication", "overview": "Nurses record a dose once."},
    "personas": [{"name": "Ward nurse", "pain_points": ["Typing doses twice"]}],
    "requirements": {
        "features": [{"name": "Ward entry screen", "priority": "Must", "stories": [{"story": "Record a dose once"}]}]
    },
    "risks": [{"risk": "Pharmacy API limits", "likelihood": "medium", "impact": "high"}],
}
CANVAS = {
    "problem": "Nurses re-enter medication data",
    "solution": "Single entry on the ward",
    "unique_value": "Type a dose once",
    "unfair_advantage": "Pharmacy integration",
    "customer_segments": "Ward nurses",
    "key_metrics": "Re-entry minutes per shift",
    "channels": "Hospital IT",
    "cost_structure": "Integration work",
    "revenue_streams": "Per-ward licence",
}


async def saved_prd(user: User, epic_id: str, content: str = "# PRD\nDose entry.") -> dict:
    """A legacy markdown PRD saved for the epic; the save's answer."""
    response = await user.post("/api/prd/save", json={"epic_id": epic_id, "content": content, "title": "PRD"})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def saved_canvas(user: User, epic_id: str, **sections: str) -> dict:
    """A lean canvas saved for the epic; the save's answer."""
    response = await user.post("/api/lean-canvas/save", json={"epic_id": epic_id, "canvas": {**CANVAS, **sections}})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()
