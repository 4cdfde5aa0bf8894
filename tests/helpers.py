"""Helpers for app tests: accounts, their tokens, and `User`, a client that speaks as one."""

from __future__ import annotations

from http.cookies import SimpleCookie

PASSWORD = "correct horse battery"


def session_cookie(response) -> SimpleCookie:  # type: ignore[no-untyped-def]
    cookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookie.load(header)
    return cookie


def session_token_of(response) -> str:  # type: ignore[no-untyped-def]
    return session_cookie(response)["session_token"].value


async def sign_up(app, email: str, *, name: str = "Ana", password: str = PASSWORD) -> str:  # type: ignore[no-untyped-def]
    """A new account; returns its session token (read from the cookie)."""
    response = await app.test_client().post(
        "/api/auth/signup", json={"email": email, "password": password, "name": name}
    )
    assert response.status_code == 200, await response.get_data(as_text=True)
    return session_token_of(response)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class User:
    """A signed-up user and a client that speaks as them (by bearer token)."""

    def __init__(self, app, token: str) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.token = token
        self.headers = bearer(token)

    async def call(self, method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.app.test_client().open(path, method=method, headers=headers, **kwargs)

    async def get(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return await self.call("POST", path, **kwargs)

    async def put(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return await self.call("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return await self.call("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return await self.call("DELETE", path, **kwargs)
