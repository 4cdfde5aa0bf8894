"""The Azure DevOps tests' epic, built through the API as a user would (story points set in the row:
the API sets them through a refinement chat, which is not what is tested), and small steps."""

from __future__ import annotations

from typing import Any, NamedTuple

from tests.builders import add_story, create_bug, create_feature, locked_epic
from tests.db.helpers import fetch
from tests.fakes.azure_devops_server import PAT, FakeAzureDevOps
from tests.fakes.llm_server import FakeLLMServer
from tests.helpers import User

PROJECT = "Ward App"


class Tree(NamedTuple):
    """pm's locked epic "Medication entry" with two features: "Ward entry screen" holds "Record a dose"
    (3 points) and "Scan <wristband> & confirm"; "Pharmacy sync" holds "See ward doses". One bug,
    linked to "Record a dose"."""

    epic_id: str
    feature_ids: list[str]
    story_ids: list[str]
    bug_id: str


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, await response.get_data(as_text=True)
    return await response.get_json()


async def build_tree(user: User, fake_llm: FakeLLMServer, database_url: str) -> Tree:
    epic_id = await locked_epic(user, fake_llm)
    ward = await create_feature(
        user, epic_id, title="Ward entry screen", acceptance_criteria=["Dose saved in one step"]
    )
    sync = await create_feature(user, epic_id, title="Pharmacy sync", description="Doses flow to pharmacy.")
    for feature in (ward, sync):
        await ok(await user.post(f"/api/features/{feature['feature_id']}/approve"))
    dose = await add_story(
        user,
        ward["feature_id"],
        title="Record a dose",
        persona="ward nurse",
        action="record a dose once",
        benefit="I never type it twice",
        acceptance_criteria=["Given a patient When I record a dose Then it is saved"],
        labels=["frontend"],
        story_priority="must-have",
    )
    scan = await add_story(
        user, ward["feature_id"], title="Scan <wristband> & confirm", acceptance_criteria=["Shows <b>name</b> & ward"]
    )
    see = await add_story(user, sync["feature_id"], title="See ward doses")
    await fetch(database_url, "UPDATE user_stories SET story_points = 3 WHERE story_id = $1", dose["story_id"])
    bug = await create_bug(
        user, title="Dose screen freezes", links=[{"entity_type": "story", "entity_id": dose["story_id"]}]
    )
    return Tree(
        epic_id,
        [ward["feature_id"], sync["feature_id"]],
        [dose["story_id"], scan["story_id"], see["story_id"]],
        bug["bug_id"],
    )


async def connect(user: User, ado: FakeAzureDevOps, pat: str = PAT) -> Any:
    return await user.post("/api/integrations/azure-devops/connect", json={"organization_url": ado.org_url, "pat": pat})


async def push(user: User, epic_id: str, **extra: Any) -> Any:
    body = {"epic_id": epic_id, "project_name": PROJECT, "include_bugs": True, **extra}
    return await ok(await user.post("/api/integrations/azure-devops/push", json=body))


def requests_since(ado: FakeAzureDevOps, start: int) -> list[str]:
    """What the fake received from the start-th request on, as "METHOD /path [ops]"."""
    lines = []
    for received in ado.requests()[start:]:
        ops = ""
        if isinstance(received.body, list):
            ops = " " + ", ".join(f"{op['op']} {op['path']}" for op in received.body)
        lines.append(f"{received.method} {received.path}{ops}")
    return lines
