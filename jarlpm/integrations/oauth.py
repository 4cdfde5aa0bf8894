"""OAuth states for Jira 3LO and Linear: random, single use, ten minutes, bound to the user who asked.

The original trusted whatever `state` came back ("<user_id>|<callback>|<random>"), so anyone could bind
their tracker to someone else's account, and redirected to any URL it named. Here the state is a random
value whose hash is stored with its user, tracker and the page to return to (which must be on the web
client's own site); the callback spends it once and, when the browser still has a session, only for
that same user. Every error a browser is sent back with is a fixed code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from asyncpg import Connection

from jarlpm.auth.rules import hash_token
from jarlpm.db.queries import queries
from jarlpm.errors import APIError
from jarlpm.http.auth import Caller, session_token

STATE_LIFETIME_SECONDS = 600
CALLBACK_URL_MAX_CHARS = 2000
# The page a browser is sent to when its state cannot say where it came from.
FALLBACK_PAGE = "/settings"


@dataclass(frozen=True)
class Grant:
    """A spent, valid state: who asked, and where their browser goes back to."""

    user_id: str
    frontend_callback_url: str


def checked_callback_url(url: str, public_app_url: str) -> str:
    """The web client's page to return to: on PUBLIC_APP_URL's own site, or 400."""
    prefix = public_app_url.rstrip("/") + "/"
    plain = url.isprintable() and not any(char.isspace() or char == "\\" for char in url)
    if not (plain and len(url) <= CALLBACK_URL_MAX_CHARS and url.startswith(prefix)):
        raise APIError(
            400,
            "INVALID_CALLBACK_URL",
            "frontend_callback_url must be a page of this service's web client (it starts with PUBLIC_APP_URL/)",
        )
    return url


async def new_state(
    conn: Connection, *, user_id: str, provider: str, frontend_callback_url: str, public_app_url: str
) -> str:
    """A fresh state to put in the authorisation URL; only its hash is stored."""
    callback = checked_callback_url(frontend_callback_url, public_app_url)
    state = secrets.token_urlsafe(32)
    await queries.integrations.add_oauth_state(
        conn,
        state_hash=hash_token(state),
        user_id=user_id,
        provider=provider,
        frontend_callback_url=callback,
        lifetime_seconds=STATE_LIFETIME_SECONDS,
    )
    return state


async def spend_state(conn: Connection, *, provider: str, state: str | None) -> Grant | None:
    """The grant a callback's state stands for, spent so it cannot be replayed; None when the state is
    missing, unknown, already used, expired, or another user's than the browser's session."""
    if not state or len(state) > 200:
        return None
    row = await queries.integrations.spend_oauth_state(conn, state_hash=hash_token(state), provider=provider)
    if row is None or row["expired"]:
        return None
    browser_user = await _session_user(conn)
    if browser_user is not None and browser_user != row["user_id"]:
        return None
    return Grant(user_id=row["user_id"], frontend_callback_url=row["frontend_callback_url"])


async def _session_user(conn: Connection) -> str | None:
    """The user of the browser's session, if it sent a valid one (the callback itself is public)."""
    token = session_token()
    if token is None:
        return None
    try:
        caller = Caller(token)
        await caller.resolve(conn)
        return caller.id
    except APIError:
        return None


def redirect_target(base_url: str, provider: str, *, error: str | None = None) -> str:
    """Where the browser goes after a callback: `?success=true&provider=…` or `?error=<fixed code>&provider=…`."""
    params = {"error": error, "provider": provider} if error else {"success": "true", "provider": provider}
    separator = "&" if urlsplit(base_url).query else "?"
    return f"{base_url}{separator}{urlencode(params)}"


def fallback_page(public_app_url: str) -> str:
    return public_app_url.rstrip("/") + FALLBACK_PAGE
