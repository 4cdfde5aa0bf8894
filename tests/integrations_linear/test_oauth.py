"""Linear's OAuth: the consent URL, and a callback that accepts only its own single-use, unexpired
state, for the user who asked; anything else redirects with a fixed code and stores nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from jarlpm.app import create_app
from tests.db.helpers import fetch
from tests.fakes.linear_server import CLIENT_ID, FakeLinear
from tests.integrations_linear.conftest import REDIRECT_URI
from tests.integrations_linear.helpers import APP_PAGE, BASE, authorization_state, callback, ok, redirect_query

FALLBACK = "http://127.0.0.1:3000/settings"


async def test_state_attacks_redirect_with_a_fixed_code_and_store_nothing(
    app, pm, other, linear: FakeLinear, database_url
) -> None:
    answer = await ok(await pm.post(f"{BASE}/connect", json={"frontend_callback_url": APP_PAGE}))
    url = urlsplit(answer["authorization_url"])
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{linear.url}/oauth/authorize"
    assert {key: value for key, value in query.items() if key != "state"} == {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "read,write",
        "prompt": "consent",
    }
    assert len(query["state"]) >= 40

    elsewhere = await pm.post(f"{BASE}/connect", json={"frontend_callback_url": "https://evil.test/settings"})
    assert (elsewhere.status_code, (await elsewhere.get_json())["code"]) == (400, "INVALID_CALLBACK_URL")

    forged = await callback(pm, app, code=linear.new_code(), state="forged-state-value")
    assert redirect_query(forged) == {"error": "invalid_state", "provider": "linear", "_page": FALLBACK}

    # Refused on Linear's consent screen: back to the page with a fixed code; the state is spent.
    state = await authorization_state(pm)
    denied = await callback(pm, app, error="access_denied <script>", state=state)
    assert redirect_query(denied) == {"error": "access_denied", "provider": "linear", "_page": APP_PAGE}
    replayed = await callback(pm, app, code=linear.new_code(), state=state)
    assert redirect_query(replayed)["error"] == "invalid_state"

    state = await authorization_state(pm)
    await fetch(database_url, "UPDATE oauth_states SET expires_at = now() - interval '1 minute'")
    expired = await callback(pm, app, code=linear.new_code(), state=state)
    assert redirect_query(expired)["error"] == "invalid_state"

    # pm's state, completed in another user's browser: refused (and spent).
    state = await authorization_state(pm)
    theirs = await callback(other, app, code=linear.new_code(), state=state)
    assert redirect_query(theirs)["error"] == "invalid_state"
    assert redirect_query(await callback(pm, app, code=linear.new_code(), state=state))["error"] == "invalid_state"

    state = await authorization_state(pm)
    bad_code = await callback(pm, app, code="not-a-code-linear-issued", state=state)
    assert redirect_query(bad_code) == {"error": "token_exchange_failed", "provider": "linear", "_page": APP_PAGE}

    assert len(linear.requests("POST", "/oauth/token")) == 1  # only the last one got as far as Linear
    assert await fetch(database_url, "SELECT integration_id FROM external_integrations") == []
    assert (await ok(await pm.get("/api/integrations/status")))["linear"]["status"] == "disconnected"

    # A valid state completes without a session too (the browser may have lost its cookie on the way).
    state = await authorization_state(pm)
    done = await callback(None, app, code=linear.new_code(), state=state)
    assert redirect_query(done) == {"success": "true", "provider": "linear", "_page": APP_PAGE}
    [row] = await fetch(database_url, "SELECT user_id, status, external_account_name FROM external_integrations")
    assert (row["status"], row["external_account_name"]) == ("connected", "Acme Health")
    assert (await ok(await other.get("/api/integrations/status")))["linear"]["status"] == "disconnected"

    assert (await ok(await pm.post(f"{BASE}/disconnect"))) == {"status": "disconnected"}
    assert linear.access_tokens == {}  # revoked at Linear too
    assert (await ok(await pm.post(f"{BASE}/disconnect"))) == {"status": "not_connected"}
    assert (await pm.put(f"{BASE}/configure", json={"team_id": "t", "team_name": "T"})).status_code == 400


async def test_without_the_linear_app_settings_connect_answers_503(make_settings, database_url, pm) -> None:
    unconfigured = create_app(make_settings(database_url))
    async with unconfigured.test_app() as server:
        response = await server.test_client().post(
            f"{BASE}/connect", json={"frontend_callback_url": APP_PAGE}, headers=pm.headers
        )
        body = await response.get_json()
        status = await server.test_client().get("/api/integrations/status", headers=pm.headers)
        linear_status = (await status.get_json())["linear"]
    assert (response.status_code, body["code"]) == (503, "INTEGRATION_NOT_CONFIGURED")
    assert body["detail"] == "Linear integration is not configured on this server"
    assert linear_status["configured"] is False
