from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest

from tests.fakes.smtp_server import FakeSMTPServer

PASSWORD = "correct horse battery"


@pytest.fixture
def smtp_server() -> Iterator[FakeSMTPServer]:
    server = FakeSMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def settings(make_settings, database_url, smtp_server):  # type: ignore[no-untyped-def]
    return make_settings(
        database_url,
        email_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_starttls=False,
        smtp_from="JarlPM <no-reply@jarlpm.dev>",
        public_app_url="https://app.jarlpm.dev",
    )


def session_cookie(response) -> SimpleCookie:  # type: ignore[no-untyped-def]
    cookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookie.load(header)
    return cookie


def session_token_of(response) -> str:  # type: ignore[no-untyped-def]
    return session_cookie(response)["session_token"].value


async def sign_up(app, email: str, *, name: str = "Ana", password: str = PASSWORD) -> str:  # type: ignore[no-untyped-def]
    """A new account; returns its session token (read from the cookie)."""
    response = await app.test_client().post("/api/auth/signup", json={"email": email, "password": password, "name": name})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return session_token_of(response)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
