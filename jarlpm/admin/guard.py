"""The admin guard: `X-Admin-Token` (constant-time compare with ADMIN_TOKEN), or a session whose
VERIFIED email is in ADMIN_EMAIL_ALLOWLIST. Anything else is 403 ADMIN_REQUIRED, also when neither is
configured (fail closed) and for a missing or dead session (403, not 401: admin is not a sign-in)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from quart import request

from jarlpm import db
from jarlpm.admin import repo
from jarlpm.auth.rules import hash_token
from jarlpm.db.scope import Scope
from jarlpm.errors import APIError
from jarlpm.http import current_settings
from jarlpm.http.auth import ACCESS_ATTRIBUTE, session_token

log = logging.getLogger("jarlpm.admin")

TOKEN_HEADER = "X-Admin-Token"
ADMIN_ACCESS = "admin"

P = ParamSpec("P")
R = TypeVar("R")


class AdminRequired(APIError):
    def __init__(self) -> None:
        super().__init__(403, "ADMIN_REQUIRED", "Administrator access required")


def token_matches(supplied: str | None, expected: str | None) -> bool:
    if not supplied or not expected:
        return False
    return hmac.compare_digest(supplied.encode(), expected.encode())


async def allowlisted_user(token: str, allowlist: tuple[str, ...]) -> dict | None:
    """The session's user when its email is verified and on the allowlist (an unverified address could
    be anyone's sign-up: reference 9.2 item 6)."""
    token_hash = hash_token(token)
    async with db.connection(Scope(session_hash=token_hash)) as conn:  # the session's own user, nobody else
        user = await repo.session_admin(conn, token_hash=token_hash)
    if user is None or not user["email_verified"] or user["email"].lower() not in allowlist:
        return None
    return user


async def identify_admin() -> str:
    """Who the admin is, for the log line; raises 403 otherwise."""
    settings = current_settings()
    if token_matches(request.headers.get(TOKEN_HEADER), settings.admin_token):
        return "admin-token"
    token = session_token()
    if token is not None and settings.admin_email_allowlist:
        user = await allowlisted_user(token, settings.admin_email_allowlist)
        if user is not None:
            return f"user {user['user_id']} <{user['email']}>"
    raise AdminRequired


def admin_required(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @wraps(view)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            who = await identify_admin()
        except AdminRequired:
            log.warning("admin call refused: %s %s", request.method, request.path)
            raise
        log.info("admin call by %s: %s %s", who, request.method, request.full_path.rstrip("?"))
        return await view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTRIBUTE, ADMIN_ACCESS)
    return wrapper
