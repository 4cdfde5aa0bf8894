"""Access tokens refreshed when they expire or are refused (the rotated pair stored encrypted), and a
revoked grant (mid-push: test_failures.py)."""

from __future__ import annotations

import asyncio

import httpx2

from jarlpm.crypto import decrypt
from jarlpm.integrations.jira import client as jira
from jarlpm.outbound import OutboundError, error_for
from tests.db.helpers import fetch
from tests.integrations_jira.helpers import JIRA, build_tree, connected, ok, push


async def _tokens(database_url: str) -> dict:
    [row] = await fetch(
        database_url,
        "SELECT access_token_encrypted, refresh_token_encrypted, token_expires_at > now() AS fresh, status, "
        "status_reason FROM external_integrations",
    )
    return row


async def test_expired_tokens_are_refreshed_once_and_a_revoked_grant_marks_the_integration(
    app, pm, fake_llm, fake_jira, database_url, settings
) -> None:
    tree = await build_tree(pm, fake_llm, database_url)
    await connected(pm, fake_jira)
    fake_jira.expire_access_tokens()
    await fetch(database_url, "UPDATE external_integrations SET token_expires_at = now() - interval '1 hour'")
    before = len(fake_jira.requests())

    answer = await push(pm, tree.epic_id)

    assert answer["status"] == "success" and len(answer["created"]) == 6
    refreshes = [item for item in fake_jira.requests()[before:] if item.path == "/oauth/token"]
    assert [item.body["grant_type"] for item in refreshes] == ["refresh_token"]
    stored = await _tokens(database_url)
    grant = fake_jira.grants[0]
    assert stored["fresh"] is True
    assert grant.access_token not in str(stored) and grant.refresh_token not in str(stored)
    assert decrypt(settings.encryption_key, stored["access_token_encrypted"]) == grant.access_token
    assert decrypt(settings.encryption_key, stored["refresh_token_encrypted"]) == grant.refresh_token

    # A token Jira stops accepting before its expiry: one refresh after the 401, and the call retried.
    fake_jira.expire_access_tokens()
    projects = await ok(await pm.get(f"{JIRA}/projects"))
    assert projects == {"projects": [{"id": "10000", "key": "PROJ", "name": "Nursing", "projectTypeKey": "software"}]}
    assert len(fake_jira.requests("POST", "/oauth/token")) == 3  # the code, then two refreshes

    # Two requests find the token expired at once: one refreshes, the other uses the pair it stored
    # (a second refresh with the rotated-out token would be refused as a revoked grant).
    await fetch(database_url, "UPDATE external_integrations SET token_expires_at = now() - interval '1 hour'")
    fake_jira.expire_access_tokens()
    both = await asyncio.gather(pm.get(f"{JIRA}/projects"), pm.get(f"{JIRA}/fields"))
    assert [response.status_code for response in both] == [200, 200]
    assert len(fake_jira.requests("POST", "/oauth/token")) == 4

    # The user revokes JarlPM's access in Atlassian: the next refresh is refused (invalid_grant).
    fake_jira.revoke_grants()
    fake_jira.expire_access_tokens()
    response = await pm.get(f"{JIRA}/projects")
    assert response.status_code == 400
    answer = await response.get_json()
    assert answer["code"] == "NOT_CONNECTED" and "please reconnect" in answer["detail"]
    status = await ok(await pm.get("/api/integrations/status/jira"))
    assert (status["status"], status["reason"], status["connected"]) == ("error", "grant_revoked", False)
    stored = await _tokens(database_url)
    assert stored["access_token_encrypted"] is None and stored["refresh_token_encrypted"] is None
    refused = await pm.post(f"{JIRA}/push", json={"epic_id": tree.epic_id})
    assert refused.status_code == 400 and "grant_revoked" in (await refused.get_json())["detail"]


def test_only_a_refused_grant_revokes_never_this_servers_own_misconfiguration() -> None:
    def refusal(status: int, body: dict) -> OutboundError:
        return error_for(httpx2.Response(status, json=body, request=httpx2.Request("POST", "https://auth/oauth/token")))

    assert jira.grant_refused(refusal(403, {"error": "invalid_grant", "error_description": "Unknown token"}))
    assert jira.grant_refused(refusal(400, {}))
    # A wrong client secret is the operator's to fix: every user's integration must survive it.
    assert not jira.grant_refused(refusal(401, {"error": "access_denied", "error_description": "Unauthorized"}))
    assert not jira.grant_refused(refusal(401, {"error": "invalid_client"}))
    assert not jira.grant_refused(refusal(500, {"error": "invalid_grant"}))
