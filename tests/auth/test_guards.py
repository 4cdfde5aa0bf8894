"""Request rate limits, CORS, the CSRF origin guard, test-login, and the route inventory.

Failed sign-ins have limits of their own: test_lockout.py.
"""

from __future__ import annotations

import inspect

import pytest

from jarlpm.app import create_app
from jarlpm.http.auth import ACCESS_ATTRIBUTE
from tests.auth.helpers import assert_429, from_ip
from tests.db.helpers import fetch
from tests.helpers import PASSWORD, bearer, session_token_of, sign_up

ALLOWED = "https://app.jarlpm.dev"


async def test_login_allows_thirty_requests_a_minute_per_ip_and_none_per_email(limited_app, fast_verifier) -> None:
    await sign_up(limited_app, "busy@jarlpm.dev")
    payload = {"email": "busy@jarlpm.dev", "password": PASSWORD}
    for _ in range(30):
        response = await limited_app.test_client().post("/api/auth/login", json=payload, headers=from_ip("1.1.1.1"))
        assert response.status_code == 200
    await assert_429(
        await limited_app.test_client().post("/api/auth/login", json=payload, headers=from_ip("1.1.1.1")), 30
    )
    other_ip = await limited_app.test_client().post("/api/auth/login", json=payload, headers=from_ip("2.2.2.2"))
    assert other_ip.status_code == 200


async def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(make_settings, database_url) -> None:
    settings = make_settings(database_url, rate_limits_enabled=True, trust_proxy_headers=0)
    async with create_app(settings).test_app() as app:
        client = app.test_client()
        statuses = [
            (
                await client.post(
                    "/api/auth/forgot-password", json={"email": "a@jarlpm.dev"}, headers=from_ip(f"9.9.9.{n}")
                )
            ).status_code
            for n in range(4)
        ]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize(
    "path,payload",
    [
        ("/api/auth/signup", {"email": "new{n}@jarlpm.dev", "password": PASSWORD, "name": "N"}),
        ("/api/auth/forgot-password", {"email": "f{n}@jarlpm.dev"}),
    ],
)
async def test_signup_and_forgot_password_allow_three_a_minute(limited_app, database_url, path, payload) -> None:
    client = limited_app.test_client()

    def body(n: int) -> dict:
        return {key: value.format(n=n) for key, value in payload.items()}

    for n in range(3):
        assert (await client.post(path, json=body(n), headers=from_ip("5.5.5.5"))).status_code == 200
    await assert_429(await client.post(path, json=body(3), headers=from_ip("5.5.5.5")), 3)
    if path.endswith("signup"):
        assert await fetch(database_url, "SELECT count(*) AS n FROM users") == [{"n": 3}]


async def test_preflights_do_not_use_up_a_limit(limited_app) -> None:
    client = limited_app.test_client()
    headers = {**from_ip("6.6.6.6"), "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}
    for _ in range(5):
        assert (await client.options("/api/auth/signup", headers=headers)).status_code == 200
    signup = await client.post(
        "/api/auth/signup",
        json={"email": "p@jarlpm.dev", "password": PASSWORD, "name": "P"},
        headers=from_ip("6.6.6.6"),
    )
    assert signup.status_code == 200


@pytest.fixture
async def cors_app(make_settings, database_url):
    settings = make_settings(database_url, cors_origins=(ALLOWED,))
    async with create_app(settings).test_app() as app:
        yield app


async def test_preflight_from_an_allowed_origin_is_answered_with_credentials(cors_app) -> None:
    response = await cors_app.test_client().options(
        "/api/auth/login",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


async def test_other_origins_get_no_cors_headers(cors_app) -> None:
    client = cors_app.test_client()
    preflight = await client.options(
        "/api/auth/login", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    simple = await client.get("/api/health", headers={"Origin": "https://evil.example"})
    allowed = await client.get("/api/health", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Origin" not in simple.headers
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in allowed.headers["Vary"]


async def test_a_cookie_write_from_another_site_is_403_and_changes_nothing(cors_app, database_url) -> None:
    token = await sign_up(cors_app, "csrf@jarlpm.dev")
    client = cors_app.test_client()
    client.set_cookie("localhost", "session_token", token)
    refused = await client.post("/api/auth/logout", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert (await refused.get_json())["code"] == "ORIGIN_NOT_ALLOWED"
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_sessions") == [{"n": 1}]
    assert (await client.get("/api/auth/me", headers={"Origin": "https://evil.example"})).status_code == 200
    assert (await client.post("/api/auth/logout", headers={"Origin": ALLOWED})).status_code == 200
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_sessions") == [{"n": 0}]


async def test_bearer_and_originless_writes_are_not_cross_site(cors_app) -> None:
    token = await sign_up(cors_app, "api@jarlpm.dev")
    bearer_call = await cors_app.test_client().post(
        "/api/auth/logout", headers={**bearer(token), "Origin": "https://evil.example"}
    )
    assert bearer_call.status_code == 200
    second = await sign_up(cors_app, "cli@jarlpm.dev")
    client = cors_app.test_client()
    client.set_cookie("localhost", "session_token", second)
    assert (await client.post("/api/auth/logout")).status_code == 200


async def test_test_login_is_404_unless_enabled(client) -> None:
    response = await client.post("/api/auth/test-login")
    assert response.status_code == 404


async def test_test_login_is_404_in_production_even_when_enabled(make_settings, database_url) -> None:
    settings = make_settings(database_url, env="production", test_login=True)
    async with create_app(settings).test_app() as app:
        assert (await app.test_client().post("/api/auth/test-login")).status_code == 404


async def test_test_login_gives_a_fresh_session_subscription_and_context(make_settings, database_url) -> None:
    async with create_app(make_settings(database_url, test_login=True)).test_app() as app:
        first = await app.test_client().post("/api/auth/test-login")
        second = await app.test_client().post("/api/auth/test-login")
        assert first.status_code == second.status_code == 200
        body = await second.get_json()
        assert body["email"] == "testuser@jarlpm.dev" and body["subscription_status"] == "active"
        assert body["delivery_context"] == "configured" and body["llm_provider"] == "not configured"
        tokens = [session_token_of(first), session_token_of(second)]
        assert tokens[0] != tokens[1]
        for token in tokens:
            me = await app.test_client().get("/api/auth/me", headers=bearer(token))
            assert (await me.get_json())["user_id"] == body["user_id"]
    assert await fetch(database_url, "SELECT count(*) AS n FROM users") == [{"n": 1}]
    subscription = await fetch(
        database_url, "SELECT status, current_period_end > now() + interval '300 days' AS long FROM subscriptions"
    )
    assert subscription == [{"status": "active", "long": True}]
    context = await fetch(
        database_url,
        "SELECT industry, delivery_methodology, sprint_cycle_length, num_developers, num_qa, delivery_platform "
        "FROM product_delivery_contexts",
    )
    assert context == [
        {
            "industry": "Healthcare, Pharmacy",
            "delivery_methodology": "agile",
            "sprint_cycle_length": 14,
            "num_developers": 5,
            "num_qa": 3,
            "delivery_platform": "jira",
        }
    ]
    async with create_app(make_settings(database_url)).test_app() as app:
        login = await app.test_client().post(
            "/api/auth/login", json={"email": "testuser@jarlpm.dev", "password": "testpassword123"}
        )
    assert login.status_code == 200


LIBRARY_ROUTES = {"openapi", "swagger_ui"}


def _views(app):  # type: ignore[no-untyped-def]
    """(rule, view, the view's source) for every route of ours."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in LIBRARY_ROUTES:
            view = app.view_functions[rule.endpoint]
            yield rule, view, inspect.getsource(inspect.unwrap(view))


def test_every_route_is_authenticated_or_explicitly_public(make_settings, database_url) -> None:
    app = create_app(make_settings(database_url, test_login=True))
    unmarked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in LIBRARY_ROUTES:
            continue
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTRIBUTE, None)
        if access not in ("public", "user", "admin"):
            unmarked.append(rule.rule)
    assert unmarked == []
    assert len(list(app.url_map.iter_rules())) > len(LIBRARY_ROUTES)


def test_every_ai_route_is_marked_and_rate_limited_per_user(make_settings, database_url) -> None:
    """The markers, not path keywords: a route that prepares an AI call is an @ai_route (ai.prepare also
    refuses at run time without it), and every @ai_route is limited per user."""
    from quart_rate_limiter import QUART_RATE_LIMITER_LIMITS_ATTRIBUTE

    from jarlpm.http.rate_limits import AI_ROUTE_ATTRIBUTE, per_user

    app = create_app(make_settings(database_url))
    ai_views = 0
    for rule, view, source in _views(app):
        marked = getattr(view, AI_ROUTE_ATTRIBUTE, False)
        assert marked or "ai.prepare(" not in source, f"{rule.rule} prepares an AI call without @ai_route"
        if marked:
            ai_views += 1
            limits = getattr(view, QUART_RATE_LIMITER_LIMITS_ATTRIBUTE, [])
            assert any(limit.key_function is per_user for limit in limits), rule.rule
    assert ai_views >= 10, "the app has its AI routes"


def test_every_streaming_route_is_marked(make_settings, database_url) -> None:
    from jarlpm.http.openapi import is_streaming

    app = create_app(make_settings(database_url))
    for rule, view, source in _views(app):
        answers_a_stream = "sse.stream(" in source
        assert answers_a_stream == is_streaming(view), rule.rule


def test_every_json_route_validates_its_response(make_settings, database_url) -> None:
    from quart_schema.validation import QUART_SCHEMA_RESPONSE_ATTRIBUTE

    from jarlpm.http.openapi import answers_otherwise

    app = create_app(make_settings(database_url, test_login=True))
    unvalidated = [
        rule.rule
        for rule, view, _ in _views(app)
        if not answers_otherwise(view) and not getattr(view, QUART_SCHEMA_RESPONSE_ATTRIBUTE, None)
    ]
    assert unvalidated == []
