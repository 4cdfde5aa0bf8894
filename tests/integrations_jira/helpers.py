"""The Jira tests' steps, taken through the API as the web client takes them."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from tests.builders import add_story, create_feature, locked_epic
from tests.db.helpers import fetch
from tests.fakes.jira_server import CLOUD_ID, PROJECT, STORY_POINTS, FakeJira
from tests.fakes.llm_server import FakeLLMServer
from tests.helpers import User

JIRA = "/api/integrations/jira"
RETURN_PAGE = "http://127.0.0.1:3000/settings/integrations"


class Tree(NamedTuple):
    """A locked epic with two approved features: the first holds two stories, the second one."""

    epic_id: str
    feature_ids: list[str]
    story_ids: list[str]


async def ok(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def approved(user: User, epic_id: str, title: str) -> dict:
    feature = await create_feature(user, epic_id, title=title)
    return await ok(await user.post(f"/api/features/{feature['feature_id']}/approve"))


async def build_tree(user: User, fake_llm: FakeLLMServer, database_url: str) -> Tree:
    epic_id = await locked_epic(user, fake_llm)
    ward = await approved(user, epic_id, "Ward entry screen")
    sync = await approved(user, epic_id, "Pharmacy sync")
    dose = await add_story(user, ward["feature_id"], title="Record a dose", labels=["ward app", "frontend"])
    scan = await add_story(user, ward["feature_id"], title="Scan a wristband")
    see = await add_story(user, sync["feature_id"], title="See ward doses")
    await fetch(database_url, "UPDATE user_stories SET story_points = 3 WHERE story_id = $1", dose["story_id"])
    return Tree(
        epic_id, [ward["feature_id"], sync["feature_id"]], [dose["story_id"], scan["story_id"], see["story_id"]]
    )


async def start_connect(user: User) -> str:
    """The state of a fresh authorisation URL."""
    body = await ok(await user.post(f"{JIRA}/connect", json={"frontend_callback_url": RETURN_PAGE}))
    return parse_qs(urlsplit(body["authorization_url"]).query)["state"][0]


async def callback(user: User, query: str) -> str:
    """The callback as the browser makes it; where it is sent next."""
    response = await user.get(f"{JIRA}/callback?{query}")
    assert response.status_code == 302, await response.get_data(as_text=True)
    return response.headers["Location"]


async def connect(user: User, fake: FakeJira) -> None:
    state = await start_connect(user)
    location = await callback(user, f"code={fake.authorize()}&state={state}")
    assert location == f"{RETURN_PAGE}?success=true&provider=jira"


async def configure(user: User, **overrides: object) -> dict:
    body = {
        "cloud_id": CLOUD_ID,
        "site_name": "nursing",
        "project_key": PROJECT["key"],
        "project_name": PROJECT["name"],
        "story_points_field": STORY_POINTS,
        "label_prefix": "jarlpm-",
        **overrides,
    }
    return await ok(await user.put(f"{JIRA}/configure", json=body))


async def connected(user: User, fake: FakeJira) -> None:
    await connect(user, fake)
    await configure(user)


async def push(user: User, epic_id: str, **overrides: object) -> dict:
    body = {"epic_id": epic_id, "push_scope": "epic_features_stories", **overrides}
    return await ok(await user.post(f"{JIRA}/push", json=body))


def keys(entries: list[dict]) -> list[str]:
    return sorted(entry["external_key"] for entry in entries)
