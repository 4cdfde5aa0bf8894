"""Sign-up, login, me, logout: the contract's bodies and codes, the cookie, the rows after the call."""

from __future__ import annotations

import asyncpg
import pytest

from jarlpm.app import create_app
from jarlpm.auth.rules import hash_token
from tests.db.helpers import fetch
from tests.helpers import PASSWORD, bearer, session_cookie, session_token_of, sign_up


async def test_signup_creates_the_account_signs_in_and_emails_a_link(app, client, database_url, smtp_server) -> None:
    response = await client.post(
        "/api/auth/signup", json={"email": "Ana@Example.com", "password": PASSWORD, "name": " Ana Lima "}
    )
    assert response.status_code == 200
    body = await response.get_json()
    assert body["message"] == "Account created successfully"
    assert body["user_id"].startswith("user_")
    assert (body["email"], body["name"]) == ("Ana@example.com", "Ana Lima")

    token = session_token_of(response)
    assert len(token) >= 43  # 256 bits, URL-safe base64
    users = await fetch(database_url, "SELECT user_id, email_verified, password_hash FROM users")
    assert [(u["user_id"], u["email_verified"]) for u in users] == [(body["user_id"], False)]
    assert users[0]["password_hash"].startswith("$argon2id$")
    subscriptions = await fetch(database_url, "SELECT user_id, status FROM subscriptions")
    assert subscriptions == [{"user_id": body["user_id"], "status": "inactive"}]
    sessions = await fetch(database_url, "SELECT token_hash, expires_at - created_at AS ttl FROM user_sessions")
    assert sessions[0]["token_hash"] == hash_token(token)
    assert sessions[0]["ttl"].days == 7

    message = (await smtp_server.wait_for("Ana@example.com"))[0]
    assert "https://app.jarlpm.dev/verify-email?token=" in message.get_content()
    me = await client.get("/api/auth/me")
    assert (await me.get_json())["user_id"] == body["user_id"]


async def test_signup_cookie_in_development_and_test_is_lax_and_not_secure(client) -> None:
    response = await client.post("/api/auth/signup", json={"email": "a@jarlpm.dev", "password": PASSWORD, "name": "A"})
    header = response.headers["Set-Cookie"]
    morsel = session_cookie(response)["session_token"]
    assert morsel["httponly"] and morsel["path"] == "/" and morsel["max-age"] == "604800"
    assert morsel["samesite"] == "Lax"
    assert "Secure" not in header


async def test_production_cookie_is_secure_and_samesite_none(make_settings, database_url) -> None:
    settings = make_settings(database_url, env="production", cors_origins=("https://app.jarlpm.dev",))
    async with create_app(settings).test_app() as app:
        response = await app.test_client().post(
            "/api/auth/signup", json={"email": "p@jarlpm.dev", "password": PASSWORD, "name": "P"}
        )
    morsel = session_cookie(response)["session_token"]
    assert response.status_code == 200
    assert morsel["secure"] and morsel["samesite"] == "None" and morsel["httponly"]


async def test_duplicate_email_in_any_case_is_400_and_changes_nothing(app, client, database_url) -> None:
    await sign_up(app, "dup@jarlpm.dev")
    before = await fetch(database_url, "SELECT user_id, name, password_hash FROM users")
    response = await client.post(
        "/api/auth/signup", json={"email": "DUP@jarlpm.dev", "password": "another password", "name": "B"}
    )
    assert response.status_code == 400
    assert await response.get_json() == {"detail": "Email already registered", "code": "EMAIL_ALREADY_REGISTERED"}
    assert await fetch(database_url, "SELECT user_id, name, password_hash FROM users") == before
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_sessions") == [{"n": 1}]


async def test_short_password_is_400_and_creates_nothing(client, database_url) -> None:
    response = await client.post("/api/auth/signup", json={"email": "s@jarlpm.dev", "password": "1234567", "name": "S"})
    assert response.status_code == 400
    body = await response.get_json()
    assert body["code"] == "PASSWORD_TOO_SHORT" and "8" in body["detail"]
    assert await fetch(database_url, "SELECT count(*) AS n FROM users") == [{"n": 0}]


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not-an-email", "password": PASSWORD, "name": "X"},
        {"password": PASSWORD, "name": "X"},
        {"email": "x@jarlpm.dev", "name": "X"},
        {"email": "x@jarlpm.dev", "password": PASSWORD},
        {"email": "x@jarlpm.dev", "password": PASSWORD, "name": "   "},
    ],
)
async def test_malformed_or_missing_fields_are_422(client, database_url, payload) -> None:
    response = await client.post("/api/auth/signup", json=payload)
    assert response.status_code == 422
    body = await response.get_json()
    assert body["code"] == "VALIDATION_ERROR"
    assert {"loc", "msg", "type"} <= set(body["detail"][0])
    assert await fetch(database_url, "SELECT count(*) AS n FROM users") == [{"n": 0}]


async def test_a_failing_mail_server_does_not_fail_signup(make_settings, database_url, caplog) -> None:
    settings = make_settings(
        database_url, email_backend="smtp", smtp_host="127.0.0.1", smtp_port=1, smtp_starttls=False
    )
    async with create_app(settings).test_app() as app:
        response = await app.test_client().post(
            "/api/auth/signup", json={"email": "m@jarlpm.dev", "password": PASSWORD, "name": "M"}
        )
    assert response.status_code == 200
    assert any("not sent" in record.getMessage() for record in caplog.records)


async def test_login_is_case_insensitive_and_keeps_other_sessions(app, database_url) -> None:
    first = await sign_up(app, "login@jarlpm.dev")
    response = await app.test_client().post("/api/auth/login", json={"email": "LOGIN@jarlpm.dev", "password": PASSWORD})
    assert response.status_code == 200
    body = await response.get_json()
    assert body["message"] == "Login successful" and body["email"] == "login@jarlpm.dev"
    second = session_token_of(response)
    assert second != first
    for token in (first, second):
        me = await app.test_client().get("/api/auth/me", headers=bearer(token))
        assert me.status_code == 200


@pytest.mark.parametrize("email,password", [("who@jarlpm.dev", "wrong password"), ("nobody@jarlpm.dev", PASSWORD)])
async def test_bad_login_is_401_with_one_message(app, database_url, email, password) -> None:
    await sign_up(app, "who@jarlpm.dev")
    response = await app.test_client().post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 401
    assert await response.get_json() == {"detail": "Invalid email or password", "code": "INVALID_CREDENTIALS"}
    assert "Set-Cookie" not in response.headers
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_sessions") == [{"n": 1}]


async def test_unknown_email_and_wrong_password_each_run_the_verifier_once(app, verifier) -> None:
    """Timing must not tell whether an email has an account: both failures do the same argon2 work."""
    await sign_up(app, "known@jarlpm.dev")
    bodies = []
    for email, password in (("nobody@jarlpm.dev", "some password"), ("known@jarlpm.dev", "wrong password")):
        before = verifier.count
        response = await app.test_client().post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 401
        assert verifier.count - before == 1
        bodies.append(await response.get_json())
    assert bodies[0] == bodies[1] == {"detail": "Invalid email or password", "code": "INVALID_CREDENTIALS"}


async def test_login_with_a_missing_field_is_422(client) -> None:
    response = await client.post("/api/auth/login", json={"email": "x@jarlpm.dev"})
    assert response.status_code == 422


async def test_me_by_cookie_and_by_bearer(app) -> None:
    token = await sign_up(app, "me@jarlpm.dev", name="Me")
    me = await app.test_client().get("/api/auth/me", headers=bearer(token))
    assert me.status_code == 200
    body = await me.get_json()
    assert set(body) == {"user_id", "email", "name", "picture", "email_verified"}
    assert (body["email"], body["name"], body["picture"], body["email_verified"]) == (
        "me@jarlpm.dev",
        "Me",
        None,
        False,
    )


@pytest.mark.parametrize(
    "headers,code,detail",
    [
        ({}, "NOT_AUTHENTICATED", "Not authenticated"),
        ({"Authorization": "Bearer forged-token"}, "INVALID_SESSION", "Invalid session"),
        ({"Authorization": "Basic abc"}, "NOT_AUTHENTICATED", "Not authenticated"),
    ],
)
async def test_me_without_a_valid_session_is_401(client, headers, code, detail) -> None:
    response = await client.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    assert await response.get_json() == {"detail": detail, "code": code}


async def test_an_expired_session_is_401_and_purged_at_the_next_sign_in(app, database_url) -> None:
    token = await sign_up(app, "old@jarlpm.dev")
    await fetch(
        database_url,
        "UPDATE user_sessions SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day'",
    )
    response = await app.test_client().get("/api/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert (await response.get_json())["code"] == "SESSION_EXPIRED"
    # Checking a session writes nothing (it runs in the handler's own transaction); sign-in purges.
    await app.test_client().post("/api/auth/login", json={"email": "old@jarlpm.dev", "password": PASSWORD})
    tokens = [row["token_hash"] for row in await fetch(database_url, "SELECT token_hash FROM user_sessions")]
    assert len(tokens) == 1 and tokens[0] != hash_token(token)


async def test_a_session_only_ever_speaks_for_its_own_user(app) -> None:
    ana = await sign_up(app, "ana@jarlpm.dev", name="Ana")
    bo = await sign_up(app, "bo@jarlpm.dev", name="Bo")
    as_ana = await (await app.test_client().get("/api/auth/me", headers=bearer(ana))).get_json()
    as_bo = await (await app.test_client().get("/api/auth/me", headers=bearer(bo))).get_json()
    assert (as_ana["name"], as_bo["name"]) == ("Ana", "Bo")
    # The cookie wins when both are sent (the contract's rule): Bo's bearer cannot override Ana's cookie.
    client = app.test_client()
    client.set_cookie("localhost", "session_token", ana)
    both = await client.get("/api/auth/me", headers=bearer(bo))
    assert (await both.get_json())["name"] == "Ana"


async def test_logout_ends_only_the_current_session_and_clears_the_cookie(app, database_url) -> None:
    first = await sign_up(app, "out@jarlpm.dev")
    login = await app.test_client().post("/api/auth/login", json={"email": "out@jarlpm.dev", "password": PASSWORD})
    second = session_token_of(login)
    response = await app.test_client().post("/api/auth/logout", headers=bearer(first))
    assert response.status_code == 200
    assert await response.get_json() == {"message": "Logged out successfully"}
    morsel = session_cookie(response)["session_token"]
    assert morsel.value == "" and morsel["max-age"] == "0"
    assert (await app.test_client().get("/api/auth/me", headers=bearer(first))).status_code == 401
    assert (await app.test_client().get("/api/auth/me", headers=bearer(second))).status_code == 200
    rows = await fetch(database_url, "SELECT token_hash FROM user_sessions")
    assert rows == [{"token_hash": hash_token(second)}]


async def test_logout_without_a_session_still_answers_200(client) -> None:
    response = await client.post("/api/auth/logout")
    assert response.status_code == 200


async def test_deleting_a_user_removes_their_sessions(app, database_url) -> None:
    token = await sign_up(app, "gone@jarlpm.dev")
    await fetch(database_url, "DELETE FROM users")
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_sessions") == [{"n": 0}]
    assert (await app.test_client().get("/api/auth/me", headers=bearer(token))).status_code == 401


async def test_the_database_never_holds_a_plain_password_or_token(app, database_url, smtp_server) -> None:
    session = await sign_up(app, "plain@jarlpm.dev")
    await app.test_client().post("/api/auth/forgot-password", json={"email": "plain@jarlpm.dev"})
    messages = await smtp_server.wait_for("plain@jarlpm.dev", count=2)
    emailed = [message.get_content().split("token=")[1].split()[0] for message in messages]
    secrets = [PASSWORD, session, *emailed]
    for table in ("users", "user_sessions", "verification_tokens", "subscriptions"):
        rows = await fetch(database_url, f"SELECT row_to_json(t)::text AS row FROM {table} AS t")
        for row in rows:
            for secret in secrets:
                assert secret not in row["row"], f"{table} holds a secret in plain text"


async def test_email_uniqueness_holds_in_the_database_too(app, database_url) -> None:
    await sign_up(app, "db@jarlpm.dev")
    with pytest.raises(asyncpg.UniqueViolationError):
        await fetch(database_url, "INSERT INTO users (user_id, email, name) VALUES ('user_x', 'DB@jarlpm.dev', 'X')")


async def test_login_upgrades_a_weaker_password_hash(app, database_url) -> None:
    from argon2 import PasswordHasher

    await sign_up(app, "old-hash@jarlpm.dev")
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    await fetch(database_url, "UPDATE users SET password_hash = $1", weak)
    response = await app.test_client().post(
        "/api/auth/login", json={"email": "old-hash@jarlpm.dev", "password": PASSWORD}
    )
    assert response.status_code == 200
    [row] = await fetch(database_url, "SELECT password_hash FROM users")
    assert row["password_hash"] != weak and row["password_hash"].startswith("$argon2id$")
    again = await app.test_client().post("/api/auth/login", json={"email": "old-hash@jarlpm.dev", "password": PASSWORD})
    assert again.status_code == 200
