"""Connecting a user to the fake Linear the way a browser does, and the epic tree the pushes send."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from tests.builders import add_story, create_feature
from tests.fakes.linear_server import FakeLinear
from tests.helpers import User

APP_PAGE = "http://127.0.0.1:3000/settings/integrations"
BASE = "/api/integrations/linear"


async def ok(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def authorization_state(user: User) -> str:
    """POST /connect; the state Linear's consent screen would send back."""
    body = await ok(await user.post(f"{BASE}/connect", json={"frontend_callback_url": APP_PAGE}))
    return parse_qs(urlsplit(body["authorization_url"]).query)["state"][0]


async def callback(user: User | None, app, **query: str):  # type: ignore[no-untyped-def]
    """The browser arriving back from Linear (with the user's session, or none)."""
    client = user.app.test_client() if user else app.test_client()
    headers = user.headers if user else {}
    return await client.get(f"{BASE}/callback", query_string=query, headers=headers)


def redirect_query(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()} | {
        "_page": location.split("?", 1)[0]
    }


async def connect(user: User, linear: FakeLinear) -> None:
    state = await authorization_state(user)
    response = await callback(user, None, code=linear.new_code(), state=state)
    assert redirect_query(response) == {"success": "true", "provider": "linear", "_page": APP_PAGE}


async def configure(user: User, **overrides: object) -> dict:
    body = {"team_id": "team-eng", "team_name": "Engineering", **overrides}
    return await ok(await user.put(f"{BASE}/configure", json=body))


async def push(user: User, epic_id: str, **overrides: object) -> dict:
    body = {"epic_id": epic_id, "team_id": "team-eng", "push_scope": "epic_features_stories", **overrides}
    return await ok(await user.post(f"{BASE}/push", json=body))


class Tree(NamedTuple):
    """A locked epic with two features; `ward` holds two stories, `sync` one."""

    epic_id: str
    feature_ids: list[str]
    story_ids: list[str]


async def build_tree(user: User, epic_id: str) -> Tree:
    ward = await create_feature(user, epic_id, title="Ward entry screen")
    sync = await create_feature(user, epic_id, title="Pharmacy sync", description="Doses flow to pharmacy.")
    for feature in (ward, sync):
        await ok(await user.post(f"/api/features/{feature['feature_id']}/approve"))
    await ok(await user.put(f"/api/scoring/feature/{ward['feature_id']}/moscow", json={"score": "must_have"}))
    dose = await add_story(
        user, ward["feature_id"], title="Record a dose", labels=["frontend", "sync"], story_priority="must-have"
    )
    undo = await add_story(user, ward["feature_id"], title="Undo a dose", labels=["sync"])
    feed = await add_story(user, sync["feature_id"], title="Feed the pharmacy", story_priority="nice-to-have")
    return Tree(
        epic_id, [ward["feature_id"], sync["feature_id"]], [dose["story_id"], undo["story_id"], feed["story_id"]]
    )
