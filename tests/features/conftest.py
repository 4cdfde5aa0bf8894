from __future__ import annotations

import json

import pytest

from tests.epics.conftest import locked_epic
from tests.helpers import User
from tests.serving import parse_frames

GENERATED = [
    {"title": "Ward entry screen", "description": "Nurses record a dose once.", "acceptance_criteria": ["Dose saved in one step"]},
    {"title": "Pharmacy sync", "description": "Doses flow to pharmacy.", "acceptance_criteria": ["Synced within a minute"]},
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


def fenced(value: object) -> str:
    return f"Here you go:\n```json\n{json.dumps(value)}\n```"


@pytest.fixture
async def epic_id(pm, fake_llm) -> str:
    return await locked_epic(pm, fake_llm)


async def stream_events(user: User, path: str, body: dict) -> list[dict]:
    response = await user.post(path, json=body)
    assert response.status_code == 200, await response.get_data(as_text=True)
    return parse_frames(await response.get_data(as_text=True))


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
