"""Who is calling: the session token (cookie or bearer), the auth decorators and the session cookie.

Every route is either `@login_required` or explicitly `@public`; an inventory test enforces it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from quart import Response, after_this_request, g, request

from jarlpm import db
from jarlpm.auth import repo
from jarlpm.auth.rules import SESSION_TTL_SECONDS, hash_token
from jarlpm.errors import APIError
from jarlpm.http import current_settings

SESSION_COOKIE = "session_token"
ACCESS_ATTRIBUTE = "jarlpm_access"

P = ParamSpec("P")
R = TypeVar("R")


def session_token() -> str | None:
    """The cookie wins over `Authorization: Bearer` when both are sent (the contract's rule)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


async def authenticate() -> str:
    """The id of the user whose live session made this request; 401 otherwise."""
    token = session_token()
    if token is None:
        raise APIError(401, "NOT_AUTHENTICATED", "Not authenticated")
    token_hash = hash_token(token)
    async with db.connection() as conn:
        session = await repo.get_session(conn, token_hash=token_hash)
        if session is not None and session["expired"]:
            await repo.delete_session(conn, token_hash=token_hash)
    if session is None:
        raise APIError(401, "INVALID_SESSION", "Invalid session")
    if session["expired"]:
        raise APIError(401, "SESSION_EXPIRED", "Session expired")
    return session["user_id"]


def current_user_id() -> str:
    return g.user_id


def login_required(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @wraps(view)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        g.user_id = await authenticate()
        return await view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTRIBUTE, "user")
    return wrapper


def public(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Marks a route that anyone may call, on purpose."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def _cookie_options() -> dict[str, object]:
    # The production web client lives on another site: only SameSite=None (with Secure) sends the
    # cookie on its requests. Elsewhere the client is on http://localhost, where Secure would drop it.
    if current_settings().is_production:
        return {"secure": True, "samesite": "None"}
    return {"secure": False, "samesite": "Lax"}


def send_session_cookie(token: str) -> None:
    """Put the session cookie on this request's response (handlers return models, not responses)."""
    options = _cookie_options()

    @after_this_request
    async def set_cookie(response: Response) -> Response:
        response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_TTL_SECONDS, path="/", httponly=True, **options)
        return response


def clear_session_cookie() -> None:
    options = _cookie_options()

    @after_this_request
    async def delete_cookie(response: Response) -> Response:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, **options)
        return response
