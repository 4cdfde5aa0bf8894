"""Connecting Jira: the authorisation URL, the callback's state checks, and what is (not) stored."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from jarlpm.app import create_app
from tests.db.helpers import fetch
from tests.fakes.jira_server import CLIENT_ID, CLOUD_ID
from tests.helpers import User, sign_up
from tests.integrations_jira.conftest import REDIRECT_URI
from tests.integrations_jira.helpers import JIRA, RETURN_PAGE, callback, connect, ok, start_connect

FALLBACK = "http://127.0.0.1:3000/settings"


async def _integrations(database_url: str) -> list[dict]:
    return await fetch(database_url, "SELECT user_id, status, org_url, external_account_id FROM external_integrations")


async def test_connect_refuses_other_sites_and_the_callback_connects(pm, fake_jira, database_url) -> None:
    body = await ok(await pm.post(f"{JIRA}/connect", json={"frontend_callback_url": RETURN_PAGE}))
    url = urlsplit(body["authorization_url"])
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{fake_jira.url}/authorize"
    assert query.pop("state")
    assert query == {
        "audience": "api.atlassian.com",
        "client_id": CLIENT_ID,
        "scope": "read:jira-work write:jira-work read:jira-user offline_access",
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "prompt": "consent",
    }
    for page in ("https://evil.example/settings", "http://127.0.0.1:3000.evil.example/x", "//evil.example/x"):
        response = await pm.post(f"{JIRA}/connect", json={"frontend_callback_url": page})
        assert response.status_code == 400
        assert (await response.get_json())["code"] == "INVALID_CALLBACK_URL"
    assert await fetch(database_url, "SELECT count(*) AS n FROM oauth_states") == [{"n": 1}]

    await connect(pm, fake_jira)
    [row] = await _integrations(database_url)
    assert row["status"] == "connected" and row["org_url"] == fake_jira.site_url
    assert row["external_account_id"] == CLOUD_ID
    status = await ok(await pm.get("/api/integrations/status/jira"))
    assert status["connected"] is True and status["account_name"] == "nursing"
    assert await ok(await pm.post(f"{JIRA}/disconnect")) == {"status": "disconnected"}
    assert await ok(await pm.post(f"{JIRA}/disconnect")) == {"status": "not_connected"}
    assert (await ok(await pm.get("/api/integrations/status/jira")))["status"] == "disconnected"


async def test_forged_replayed_expired_and_foreign_states_store_nothing(pm, other, fake_jira, database_url) -> None:
    code = fake_jira.authorize()
    forged = await callback(pm, f"code={code}&state=made-up-by-an-attacker")
    assert forged == f"{FALLBACK}?error=invalid_state&provider=jira"

    expired = await start_connect(pm)
    await fetch(database_url, "UPDATE oauth_states SET expires_at = now() - interval '1 minute'")
    assert await callback(pm, f"code={code}&state={expired}") == f"{FALLBACK}?error=invalid_state&provider=jira"

    # The attacker's state, completed in the victim's browser: the sessions differ, so it is refused.
    foreign = await start_connect(other)
    assert await callback(pm, f"code={code}&state={foreign}") == f"{FALLBACK}?error=invalid_state&provider=jira"
    assert await _integrations(database_url) == []
    assert fake_jira.requests("POST", "/oauth/token") == []  # no code was ever exchanged

    denied = await start_connect(pm)
    location = await callback(pm, f"error=access_denied&error_description=%3Cscript%3E&state={denied}")
    assert location == f"{RETURN_PAGE}?error=access_denied&provider=jira"

    failing = await start_connect(pm)
    fake_jira.fail("POST", "/oauth/token", 500)
    location = await callback(pm, f"code={fake_jira.authorize()}&state={failing}")
    assert location == f"{RETURN_PAGE}?error=token_exchange_failed&provider=jira"

    no_site = await start_connect(pm)
    fake_jira.sites = []
    location = await callback(pm, f"code={fake_jira.authorize()}&state={no_site}")
    assert location == f"{RETURN_PAGE}?error=no_accessible_site&provider=jira"
    assert await _integrations(database_url) == []

    fake_jira.reset()
    state = await start_connect(pm)
    assert (
        await callback(pm, f"code={fake_jira.authorize()}&state={state}") == f"{RETURN_PAGE}?success=true&provider=jira"
    )
    replayed = await callback(pm, f"code={fake_jira.authorize()}&state={state}")
    assert replayed == f"{FALLBACK}?error=invalid_state&provider=jira"
    assert len(fake_jira.requests("POST", "/oauth/token")) == 1
    assert [row["user_id"] for row in await _integrations(database_url)] == [
        (await fetch(database_url, "SELECT user_id FROM users WHERE email = 'pm@jarlpm.dev'"))[0]["user_id"]
    ]


async def test_without_the_oauth_settings_jira_answers_503_and_private_sites_can_be_refused(
    jira_settings, database_url, fake_jira, fake_llm
) -> None:
    settings = jira_settings(database_url, jira_oauth=None, llm_allow_private_urls=False)
    async with create_app(settings).test_app() as app:
        user = User(app, await sign_up(app, "solo@jarlpm.dev"))
        for method, path, body in (
            ("POST", "/connect", {"frontend_callback_url": RETURN_PAGE}),
            ("GET", "/projects", None),
            ("POST", "/preview", {"epic_id": "epic_000000000000"}),
            ("POST", "/push", {"epic_id": "epic_000000000000"}),
        ):
            response = await user.call(method, f"{JIRA}{path}", json=body)
            assert response.status_code == 503, path
            answer = await response.get_json()
            assert answer == {
                "code": "INTEGRATION_NOT_CONFIGURED",
                "detail": "Jira integration is not configured on this server",
            }
        status = await ok(await user.get("/api/integrations/status"))
        assert status["jira"]["configured"] is False

        # The direct export needs no OAuth app, but its site obeys the private-address rule.
        export = {
            "epic_id": "epic_000000000000",
            "jira_base_url": fake_jira.url,
            "jira_email": "pat@nursing.example",
            "jira_api_token": "token",
            "jira_project_key": "PROJ",
        }
        refused = await user.post("/api/export/jira", json=export)
        assert refused.status_code == 400
        assert (await refused.get_json())["code"] == "PRIVATE_URL_REFUSED"
    assert fake_jira.requests() == []
