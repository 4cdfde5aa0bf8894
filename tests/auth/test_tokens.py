"""Email verification, resend, forgot / reset password and check-token, following the emailed links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.db.helpers import fetch
from tests.fakes.smtp_server import link_in
from tests.helpers import PASSWORD, bearer, sign_up


def token_from(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def emailed_token(smtp_server, address: str, count: int = 1) -> tuple[str, str]:
    message = (await smtp_server.wait_for(address, count=count))[count - 1]
    link = link_in(message)
    return link, token_from(link)


async def emailed_reset(smtp_server, address: str) -> tuple[str, str]:
    """The reset link among the sign-up's verification mail and the reset mail (sent in the background:
    either may arrive first)."""
    messages = await smtp_server.wait_for(address, count=2)
    [link] = [link for link in map(link_in, messages) if "/reset-password?" in link]
    return link, token_from(link)


async def expire_tokens(database_url: str) -> None:
    await fetch(
        database_url,
        "UPDATE verification_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 hour'",
    )


async def test_following_the_verification_link_verifies_the_email_once(app, client, smtp_server, database_url) -> None:
    await sign_up(app, "v@jarlpm.dev")
    link, token = await emailed_token(smtp_server, "v@jarlpm.dev")
    assert link.startswith("https://app.jarlpm.dev/verify-email?token=")
    response = await client.post("/api/auth/verify-email", json={"token": token})
    assert response.status_code == 200
    assert await response.get_json() == {"message": "Email verified successfully"}
    assert await fetch(database_url, "SELECT email_verified FROM users") == [{"email_verified": True}]
    again = await client.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 400
    assert await again.get_json() == {"detail": "Invalid or expired verification link", "code": "INVALID_TOKEN"}


async def test_an_expired_verification_link_is_400_and_verifies_nothing(app, client, smtp_server, database_url) -> None:
    await sign_up(app, "late@jarlpm.dev")
    _, token = await emailed_token(smtp_server, "late@jarlpm.dev")
    await expire_tokens(database_url)
    response = await client.post("/api/auth/verify-email", json={"token": token})
    assert response.status_code == 400
    assert await response.get_json() == {"detail": "Verification link has expired", "code": "TOKEN_EXPIRED"}
    assert await fetch(database_url, "SELECT email_verified FROM users") == [{"email_verified": False}]


@pytest.mark.parametrize("payload,status", [({"token": "made-up"}, 400), ({}, 422), ({"token": ""}, 422)])
async def test_bad_verification_tokens(client, payload, status) -> None:
    response = await client.post("/api/auth/verify-email", json=payload)
    assert response.status_code == status


async def test_a_reset_token_does_not_verify_an_email(app, client, smtp_server, database_url) -> None:
    await sign_up(app, "mix@jarlpm.dev")
    await client.post("/api/auth/forgot-password", json={"email": "mix@jarlpm.dev"})
    _, reset_token = await emailed_reset(smtp_server, "mix@jarlpm.dev")
    response = await client.post("/api/auth/verify-email", json={"token": reset_token})
    assert response.status_code == 400
    assert await fetch(database_url, "SELECT email_verified FROM users") == [{"email_verified": False}]


async def test_resend_replaces_the_link_and_never_reveals_who_exists(app, client, smtp_server) -> None:
    await sign_up(app, "again@jarlpm.dev")
    _, first = await emailed_token(smtp_server, "again@jarlpm.dev")
    known = await client.post("/api/auth/resend-verification", json={"email": "AGAIN@jarlpm.dev"})
    unknown = await client.post("/api/auth/resend-verification", json={"email": "ghost@jarlpm.dev"})
    assert known.status_code == unknown.status_code == 200
    assert await known.get_json() == await unknown.get_json()
    _, second = await emailed_token(smtp_server, "again@jarlpm.dev", count=2)
    assert (await client.post("/api/auth/verify-email", json={"token": first})).status_code == 400
    assert (await client.post("/api/auth/verify-email", json={"token": second})).status_code == 200
    await client.post("/api/auth/resend-verification", json={"email": "again@jarlpm.dev"})
    assert len(smtp_server.messages_to("again@jarlpm.dev")) == 2  # verified: nothing more is sent
    assert smtp_server.messages_to("ghost@jarlpm.dev") == []


async def test_forgot_password_answers_the_same_for_everyone_and_mails_only_members(app, client, smtp_server) -> None:
    await sign_up(app, "f@jarlpm.dev")
    known = await client.post(
        "/api/auth/forgot-password", json={"email": "f@jarlpm.dev"}, headers={"Origin": "https://evil.example"}
    )
    unknown = await client.post("/api/auth/forgot-password", json={"email": "nobody@jarlpm.dev"})
    expected = {"message": "If the email exists, a password reset link has been sent"}
    assert (known.status_code, await known.get_json()) == (200, expected)
    assert (unknown.status_code, await unknown.get_json()) == (200, expected)
    link, _ = await emailed_reset(smtp_server, "f@jarlpm.dev")
    # Links come from PUBLIC_APP_URL, never from a request header.
    assert link.startswith("https://app.jarlpm.dev/reset-password?token=")
    assert smtp_server.messages_to("nobody@jarlpm.dev") == []


async def test_reset_password_sets_the_password_and_ends_every_session(app, client, smtp_server, database_url) -> None:
    sessions = [await sign_up(app, "r@jarlpm.dev")]
    login = await app.test_client().post("/api/auth/login", json={"email": "r@jarlpm.dev", "password": PASSWORD})
    assert login.status_code == 200
    await client.post("/api/auth/forgot-password", json={"email": "r@jarlpm.dev"})
    _, token = await emailed_reset(smtp_server, "r@jarlpm.dev")

    short = await client.post("/api/auth/reset-password", json={"token": token, "new_password": "short"})
    assert short.status_code == 400 and (await short.get_json())["code"] == "PASSWORD_TOO_SHORT"

    response = await client.post(
        "/api/auth/reset-password", json={"token": token, "new_password": "a brand new secret"}
    )
    assert response.status_code == 200
    assert await response.get_json() == {"message": "Password reset successfully. Please login with your new password."}
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_sessions") == [{"n": 0}]
    for session in sessions:
        assert (await app.test_client().get("/api/auth/me", headers=bearer(session))).status_code == 401
    old = await app.test_client().post("/api/auth/login", json={"email": "r@jarlpm.dev", "password": PASSWORD})
    new = await app.test_client().post(
        "/api/auth/login", json={"email": "r@jarlpm.dev", "password": "a brand new secret"}
    )
    assert (old.status_code, new.status_code) == (401, 200)
    reuse = await client.post("/api/auth/reset-password", json={"token": token, "new_password": "yet another one"})
    assert reuse.status_code == 400
    assert (await reuse.get_json())["code"] == "INVALID_TOKEN"


async def test_an_expired_reset_link_changes_nothing(app, client, smtp_server, database_url) -> None:
    await sign_up(app, "x@jarlpm.dev")
    await client.post("/api/auth/forgot-password", json={"email": "x@jarlpm.dev"})
    _, token = await emailed_reset(smtp_server, "x@jarlpm.dev")
    before = await fetch(database_url, "SELECT password_hash FROM users")
    await expire_tokens(database_url)
    response = await client.post("/api/auth/reset-password", json={"token": token, "new_password": "new password 1"})
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "TOKEN_EXPIRED"
    assert await fetch(database_url, "SELECT password_hash FROM users") == before
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_sessions") == [{"n": 1}]


async def test_check_token_reports_validity_and_type(app, client, smtp_server, caplog) -> None:
    caplog.set_level("INFO", logger="jarlpm.access")
    await sign_up(app, "c@jarlpm.dev")
    _, token = await emailed_token(smtp_server, "c@jarlpm.dev")
    valid = await (await client.get(f"/api/auth/check-token/{token}")).get_json()
    assert valid["valid"] is True and valid["token_type"] == "email_verification" and valid["expires_at"]
    unknown = await (await client.get("/api/auth/check-token/nope")).get_json()
    assert unknown["valid"] is False and unknown["reason"]
    await client.post("/api/auth/verify-email", json={"token": token})
    used = await (await client.get(f"/api/auth/check-token/{token}")).get_json()
    assert used["valid"] is False and "used" in used["reason"]
    logged = " ".join(str(getattr(record, "path", "")) for record in caplog.records)
    assert "/api/auth/check-token/[redacted]" in logged and token not in logged
