"""Who is calling: the session token (cookie or bearer), the auth decorators and the session cookie.

Every route is either `@login_required` or explicitly `@public`; an inventory test enforces it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import wraps
from typing import ParamSpec, TypeVar

from asyncpg import Connection
from quart import Response, after_this_request, g, request
from werkzeug.wrappers import Response as WerkzeugResponse

from jarlpm.auth import repo
from jarlpm.auth.rules import SESSION_TTL_SECONDS, hash_token
from jarlpm.db.scope import Scope
from jarlpm.errors import APIError
from jarlpm.http import current_settings

AnyResponse = Response | WerkzeugResponse  # what after_this_request may be handed
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


class Caller:
    """The user behind this request's session token. The session is looked up on the request's first
    connection (`db.connection(current_caller())`), not on a connection of its own: one round trip
    less per request. Expired sessions are purged at sign-in, not here."""

    def __init__(self, token: str) -> None:
        self._token_hash = hash_token(token)
        self._user_id: str | None = None

    @property
    def session_key(self) -> str:
        """Names this session's work before the user is known (e.g. the conversation a reply belongs to)."""
        return self._token_hash

    @property
    def resolved(self) -> bool:
        return self._user_id is not None

    @property
    def id(self) -> str:
        if self._user_id is None:
            raise RuntimeError("the caller is resolved by the request's first db.connection(current_caller())")
        return self._user_id

    def scope(self) -> Scope:
        """Row-level security's acting user: the session, until the user is known."""
        return Scope(user_id=self._user_id, session_hash=self._token_hash)

    @property
    def session(self) -> SessionOnly:
        """This caller as an actor that is not looked up on its connection: for a first statement that
        authenticates by itself (an AI prelude's `ai.prepare`)."""
        return SessionOnly(self)

    async def resolve(self, conn: Connection) -> None:
        if self._user_id is None:
            self.accept(await repo.get_session(conn, token_hash=self._token_hash))

    def accept(self, session: Mapping | None) -> str:
        """Resolve from a row found by `session_key` with the session's `user_id` and `expired` (for a
        statement that loads more than the session in the same round trip, as an AI prelude does)."""
        if session is None:
            raise APIError(401, "INVALID_SESSION", "Invalid session")
        if session["expired"]:
            raise APIError(401, "SESSION_EXPIRED", "Session expired")
        self._user_id = session["user_id"]
        return self._user_id


class SessionOnly:
    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def scope(self) -> Scope:
        return self._caller.scope()

    async def resolve(self, conn: Connection) -> None:
        pass  # the transaction's first statement authenticates (and calls Caller.accept)


def current_caller() -> Caller:
    return g.caller


def login_required(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @wraps(view)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = session_token()
        if token is None:
            raise APIError(401, "NOT_AUTHENTICATED", "Not authenticated")
        g.caller = caller = Caller(token)  # its session is checked on the handler's first connection
        result = await view(*args, **kwargs)
        if not caller.resolved:
            # Fail loudly: a handler that never passed its caller to a connection answered unchecked.
            raise RuntimeError(f"{request.endpoint} never checked its session (db.connection(current_caller()))")
        return result

    setattr(wrapper, ACCESS_ATTRIBUTE, "user")
    return wrapper


def public(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Marks a route that anyone may call, on purpose."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def _cookie_options() -> tuple[bool, str]:
    """(secure, samesite). The production web client lives on another site: only SameSite=None (with
    Secure) sends the cookie on its requests. Elsewhere the client is on http://localhost, where Secure
    would drop it."""
    return (True, "None") if current_settings().is_production else (False, "Lax")


def send_session_cookie(token: str) -> None:
    """Put the session cookie on this request's response (handlers return models, not responses)."""
    secure, samesite = _cookie_options()

    @after_this_request
    async def set_cookie(response: AnyResponse) -> AnyResponse:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_TTL_SECONDS,
            path="/",
            httponly=True,
            secure=secure,
            samesite=samesite,
        )
        return response


def clear_session_cookie() -> None:
    secure, samesite = _cookie_options()

    @after_this_request
    async def delete_cookie(response: AnyResponse) -> AnyResponse:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=secure, samesite=samesite)
        return response
