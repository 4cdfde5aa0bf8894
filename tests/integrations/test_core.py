"""The integrations room's shared parts: status, push history and mappings answer per user and per
tracker; OAuth states are single use, expire and stay with their user; the push engine plans by hash
and orders parents first; a tracker's refusal reaches users only as fixed words."""

from __future__ import annotations

import httpx2
import pytest

from jarlpm import db
from jarlpm.errors import APIError
from jarlpm.integrations import oauth
from jarlpm.integrations.push import Item, Pushed, Remote, levels, plan
from jarlpm.outbound import error_for
from tests.db.helpers import fetch

APP_URL = "http://localhost:3000"


async def user_id_of(user) -> str:
    return (await (await user.get("/api/auth/me")).get_json())["user_id"]


async def test_a_new_user_sees_every_tracker_disconnected(pm) -> None:
    response = await pm.get("/api/integrations/status")
    assert response.status_code == 200
    body = await response.get_json()
    assert set(body) == {"jira", "linear", "azure_devops"}
    assert {entry["status"] for entry in body.values()} == {"disconnected"}
    # Jira and Linear need the server's OAuth client; Azure DevOps works with each user's PAT.
    assert (body["jira"]["configured"], body["linear"]["configured"], body["azure_devops"]["configured"]) == (
        False,
        False,
        True,
    )
    one = await (await pm.get("/api/integrations/status/linear")).get_json()
    assert one["connected"] is False and one["status"] == "disconnected"


async def test_an_unknown_provider_or_limit_is_a_clear_400_or_422(pm) -> None:
    response = await pm.get("/api/integrations/status/github")
    assert response.status_code == 400 and (await response.get_json())["code"] == "INVALID_PROVIDER"
    assert (await pm.get("/api/integrations/push-history?provider=github")).status_code == 400
    assert (await pm.get("/api/integrations/push-history?limit=101")).status_code == 422
    assert (await pm.get("/api/integrations/push-history?limit=0")).status_code == 422


async def test_history_and_mappings_are_each_users_own(pm, other, app, database_url) -> None:
    pm_id = await user_id_of(pm)
    await fetch(
        database_url,
        "INSERT INTO external_integrations (integration_id, user_id, provider, status)"
        " VALUES ('int_pm', $1, 'linear', 'connected')",
        pm_id,
    )
    await fetch(
        database_url,
        "INSERT INTO external_push_runs (run_id, user_id, integration_id, provider, started_at, status, epic_id)"
        " VALUES ('run_pm', $1, 'int_pm', 'linear', now(), 'success', 'epic_x')",
        pm_id,
    )
    await fetch(
        database_url,
        "INSERT INTO external_push_mappings (mapping_id, user_id, integration_id, provider, entity_type, entity_id,"
        " external_type, external_id, external_key, external_url, last_pushed_at)"
        " VALUES ('map_pm', $1, 'int_pm', 'linear', 'epic', 'epic_x', 'issue', 'u-1', 'ENG-1', 'https://l/1', now())",
        pm_id,
    )
    mine = await (await pm.get("/api/integrations/push-history")).get_json()
    assert [run["run_id"] for run in mine["runs"]] == ["run_pm"]
    assert mine["runs"][0]["errors"] == [] and mine["runs"][0]["status"] == "success"
    assert (await (await pm.get("/api/integrations/mappings/epic_x")).get_json())["mappings"][0]["external_key"] == (
        "ENG-1"
    )
    assert (await (await other.get("/api/integrations/push-history")).get_json())["runs"] == []
    assert (await (await other.get("/api/integrations/mappings/epic_x")).get_json())["mappings"] == []
    theirs = await (await other.get("/api/integrations/status")).get_json()
    assert theirs["linear"]["status"] == "disconnected"


async def test_an_oauth_state_is_single_use_and_stays_with_its_user(pm, app) -> None:
    pm_id = await user_id_of(pm)
    async with app.app.test_request_context("/api/integrations/jira/callback"), db.connection(pm_id) as conn:
        state = await oauth.new_state(
            conn,
            user_id=pm_id,
            provider="jira",
            frontend_callback_url=f"{APP_URL}/settings/integrations",
            public_app_url=APP_URL,
        )
        assert await oauth.spend_state(conn, provider="linear", state=state) is None  # another tracker's
        grant = await oauth.spend_state(conn, provider="jira", state=state)
        assert grant == oauth.Grant(pm_id, f"{APP_URL}/settings/integrations")
        assert await oauth.spend_state(conn, provider="jira", state=state) is None  # replayed
        assert await oauth.spend_state(conn, provider="jira", state="forged") is None
        assert await conn.fetch("SELECT state_hash FROM oauth_states") == []


async def test_an_expired_oauth_state_is_refused(pm, app) -> None:
    pm_id = await user_id_of(pm)
    async with app.app.test_request_context("/api/integrations/linear/callback"), db.connection(pm_id) as conn:
        state = await oauth.new_state(
            conn, user_id=pm_id, provider="linear", frontend_callback_url=f"{APP_URL}/x", public_app_url=APP_URL
        )
        await conn.execute("UPDATE oauth_states SET expires_at = now() - interval '1 second'")
        assert await oauth.spend_state(conn, provider="linear", state=state) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/settings",
        "http://localhost:3000.evil.example/x",
        "http://localhost:3000",  # the site itself is not a page under it
        "http://localhost:3000/\\evil.example",
        "http://localhost:3000/a b",
        "http://localhost:3000/" + "a" * 2000,
    ],
)
def test_a_callback_page_off_the_web_clients_site_is_refused(url: str) -> None:
    with pytest.raises(APIError) as refused:
        oauth.checked_callback_url(url, APP_URL)
    assert (refused.value.status, refused.value.code) == (400, "INVALID_CALLBACK_URL")


def test_the_redirect_carries_only_fixed_words() -> None:
    assert oauth.redirect_target(f"{APP_URL}/s", "jira") == f"{APP_URL}/s?success=true&provider=jira"
    assert oauth.redirect_target(f"{APP_URL}/s?tab=x", "jira", error="invalid_state") == (
        f"{APP_URL}/s?tab=x&error=invalid_state&provider=jira"
    )


def _item(kind: str, entity_id: str, parent: str | None, title: str = "T") -> Item:
    return Item(kind, entity_id, title, parent, {"title": title})


def test_a_push_plans_by_what_was_last_pushed_and_goes_parents_first() -> None:
    epic, feature, story = _item("epic", "e", None), _item("feature", "f", "e"), _item("story", "s", "f", "New")
    epic_remote = Remote("100", "issue", "P-1")
    feature_remote = Remote("101", "issue", "P-2")
    mappings = {
        ("epic", "e"): Pushed(epic_remote, epic.digest(None)),
        ("feature", "f"): Pushed(feature_remote, "an older hash"),
    }
    actions = {entry.item.entity_id: entry.action for entry in plan([story, feature, epic], mappings)}
    assert actions == {"e": "skip", "f": "update", "s": "create"}
    assert [[item.entity_id for item in level] for level in levels([story, feature, epic])] == [["e"], ["f"], ["s"]]
    # The hash covers the parent: the same fields under another parent are a change.
    assert feature.digest(epic_remote) != feature.digest(Remote("999", "issue"))


def test_a_trackers_refusal_reaches_users_as_fixed_words() -> None:
    def answer(status: int, body: object) -> httpx2.Response:
        return httpx2.Response(status, json=body, request=httpx2.Request("POST", "https://tracker.example/x"))

    refused = error_for(answer(400, {"errorMessages": ["Field 'priority' is required"], "errors": {}}))
    assert (refused.code, refused.reason) == ("TRACKER_REJECTED", "Field 'priority' is required")
    assert error_for(answer(401, {"message": "token abc123 revoked"})).revoked
    assert "abc123" not in str(error_for(answer(401, {"message": "token abc123 revoked"})))
    assert error_for(answer(503, {"message": "Traceback ..."})).code == "TRACKER_UNAVAILABLE"
