"""Jira Cloud over HTTP: Atlassian's 3LO token endpoint, the accessible sites, and the REST API v3.

One client serves both ways of reaching a site: through api.atlassian.com with an OAuth access token
(`/ex/jira/<cloudId>/rest/api/3/...`), and directly at the user's site with Basic auth (email and API
token, the direct export). Every call goes through `jarlpm.outbound.send`, so failures arrive as
`OutboundError`s with fixed codes and 429s are waited out. No pooled connection is held meanwhile.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

from jarlpm.config import Settings, TrackerOAuth
from jarlpm.outbound import OutboundError, send

SCOPES = "read:jira-work write:jira-work read:jira-user offline_access"
API_PATH = "/rest/api/3"
# A token this close to its expiry is refreshed before it is used.
EXPIRY_MARGIN = timedelta(minutes=1)
PROJECT_PAGE_SIZE = 50
MAX_PROJECT_PAGES = 20


def authorization_url(settings: Settings, oauth: TrackerOAuth, state: str) -> str:
    """Where the browser asks the user for consent (Atlassian 3LO)."""
    query = "&".join(
        f"{name}={quote(value, safe='')}"
        for name, value in (
            ("audience", "api.atlassian.com"),
            ("client_id", oauth.client_id),
            ("scope", SCOPES),
            ("redirect_uri", oauth.redirect_uri),
            ("state", state),
            ("response_type", "code"),
            ("prompt", "consent"),
        )
    )
    return f"{settings.jira_auth_base_url.rstrip('/')}/authorize?{query}"


@dataclass(frozen=True)
class Tokens:
    """An access token, the refresh token that comes with it (rotated on every refresh) and its expiry."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime
    scope: str | None = None


def _tokens(body: Any) -> Tokens:
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise OutboundError("TRACKER_UNAVAILABLE", "The tracker answered with an unreadable token")
    lifetime = body.get("expires_in")
    seconds = float(lifetime) if isinstance(lifetime, int | float) else 3600.0
    refresh = body.get("refresh_token")
    return Tokens(
        access_token=body["access_token"],
        refresh_token=refresh if isinstance(refresh, str) else None,
        expires_at=datetime.now(UTC) + timedelta(seconds=seconds),
        scope=body.get("scope") if isinstance(body.get("scope"), str) else None,
    )


async def _token_request(settings: Settings, oauth: TrackerOAuth, grant: dict[str, str]) -> Tokens:
    body = {"client_id": oauth.client_id, "client_secret": oauth.client_secret, **grant}
    response = await send("POST", f"{settings.jira_auth_base_url.rstrip('/')}/oauth/token", json=body)
    return _tokens(_json(response))


async def exchange_code(settings: Settings, oauth: TrackerOAuth, code: str) -> Tokens:
    return await _token_request(
        settings, oauth, {"grant_type": "authorization_code", "code": code, "redirect_uri": oauth.redirect_uri}
    )


async def refresh_tokens(settings: Settings, oauth: TrackerOAuth, refresh_token: str) -> Tokens:
    """A new pair; Atlassian rotates refresh tokens, so the old one is spent."""
    return await _token_request(settings, oauth, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def grant_refused(error: OutboundError) -> bool:
    """A refresh refused as invalid_grant: the user revoked access, or the token is spent or expired.
    Atlassian documents 403 for it; 400 and 401 are taken the same way. A refusal naming another OAuth
    error (invalid_client: this server's secret is wrong) is not the user's grant and revokes nothing."""
    return error.status in (400, 401, 403) and error.oauth_error in (None, "invalid_grant")


@dataclass(frozen=True)
class Site:
    cloud_id: str
    name: str
    url: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.cloud_id, "name": self.name, "url": self.url}


def sites_of(body: Any) -> list[Site]:
    """The accessible resources that are Jira sites (id, name and URL all present)."""
    if not isinstance(body, list):
        return []
    return [
        Site(str(entry["id"]), str(entry["name"]), str(entry["url"]).rstrip("/"))
        for entry in body
        if isinstance(entry, dict)
        and all(isinstance(entry.get(key), str) and entry[key] for key in ("id", "name", "url"))
    ]


class Auth(Protocol):
    """How requests to a site are authorised."""

    async def header(self) -> str: ...

    async def renewed(self, used: str) -> bool:
        """After a 401 for `used`: whether a new credential is now available (then the call is retried)."""
        ...


class BasicAuth:
    """An Atlassian account's email and API token (the direct export); never stored, never logged."""

    def __init__(self, email: str, api_token: str) -> None:
        self._value = "Basic " + base64.b64encode(f"{email}:{api_token}".encode()).decode()

    def __repr__(self) -> str:
        return "BasicAuth(***)"

    async def header(self) -> str:
        return self._value

    async def renewed(self, used: str) -> bool:
        return False


class BearerAuth:
    """A token just obtained (the callback's site look-up): nothing to refresh it with."""

    def __init__(self, access_token: str) -> None:
        self._value = f"Bearer {access_token}"

    def __repr__(self) -> str:
        return "BearerAuth(***)"

    async def header(self) -> str:
        return self._value

    async def renewed(self, used: str) -> bool:
        return False


TokenStore = Callable[[Tokens], Awaitable[None]]
TokenLoad = Callable[[], Awaitable[Tokens | None]]


class GrantRevoked(OutboundError):
    """The refresh token was refused (revoked access, spent token): the user must connect again. An
    OutboundError with status 401, so a push stops at once and the integration is marked unusable."""

    @classmethod
    def now(cls) -> GrantRevoked:
        return cls("TRACKER_UNAUTHORIZED", "Jira no longer accepts this connection; please reconnect", 401)


class OAuthTokens:
    """A user's 3LO tokens for one request: refreshed when about to expire and once after a 401.

    A rotated refresh token is spent by its first use, so two refreshes with the same one would revoke
    each other: refreshes of one user take turns (`lock`, shared by the user's requests in this
    process), and the one that waited first reads the stored pair (`load`): when another request has
    refreshed meanwhile, that pair is used instead of refreshing again. A new pair is handed to `store`
    at once.
    """

    def __init__(
        self,
        settings: Settings,
        oauth: TrackerOAuth,
        tokens: Tokens,
        *,
        store: TokenStore,
        load: TokenLoad,
        lock: asyncio.Lock,
        refreshes: int = 1,
    ) -> None:
        self._settings = settings
        self._oauth = oauth
        self._tokens = tokens
        self._store = store
        self._load = load
        self._lock = lock
        self._refreshes_left = refreshes
        self.grant_revoked = False

    def __repr__(self) -> str:
        return "OAuthTokens(***)"

    async def header(self) -> str:
        if _expiring(self._tokens):
            await self._refresh(self._tokens.access_token, after_401=False)
        return f"Bearer {self._tokens.access_token}"

    async def renewed(self, used: str) -> bool:
        return await self._refresh(used.removeprefix("Bearer "), after_401=True)

    async def _refresh(self, stale_access_token: str, *, after_401: bool) -> bool:
        """After a 401 only `refreshes` times per request: a token refused right after its refresh will
        not be accepted by refreshing again."""
        async with self._lock:
            if self.grant_revoked:
                raise GrantRevoked.now()  # a concurrent call found out already: no second refusal asked for
            if self._tokens.access_token != stale_access_token:
                return True  # another call of this request refreshed meanwhile
            stored = await self._load()
            if stored is not None and stored.access_token != stale_access_token and not _expiring(stored):
                self._tokens = stored  # another request refreshed meanwhile
                return True
            if not self._tokens.refresh_token or (after_401 and self._refreshes_left <= 0):
                return False
            if after_401:
                self._refreshes_left -= 1
            try:
                fresh = await refresh_tokens(self._settings, self._oauth, self._tokens.refresh_token)
            except OutboundError as error:
                if grant_refused(error):
                    self.grant_revoked = True
                    raise GrantRevoked.now() from None
                raise
            if fresh.refresh_token is None:  # not rotated this time: the old one stays valid
                fresh = Tokens(fresh.access_token, self._tokens.refresh_token, fresh.expires_at, fresh.scope)
            self._tokens = fresh
            await self._store(fresh)
            return True


def _expiring(tokens: Tokens) -> bool:
    return tokens.expires_at - EXPIRY_MARGIN <= datetime.now(UTC)


async def accessible_sites(settings: Settings, auth: Auth) -> list[Site]:
    """The Jira sites the token may reach (the first is the default)."""
    url = f"{settings.jira_api_base_url.rstrip('/')}/oauth/token/accessible-resources"
    response = await _authorised(auth, "GET", url, {})
    return sites_of(_json(response))


async def _authorised(auth: Auth, method: str, url: str, options: dict[str, Any]) -> Any:
    """One call, retried once with a renewed credential after a 401."""
    header = await auth.header()
    try:
        return await send(method, url, headers=_headers(header), **options)
    except OutboundError as error:
        if error.status != 401 or not await auth.renewed(header):
            raise
    return await send(method, url, headers=_headers(await auth.header()), **options)


def _headers(authorization: str) -> dict[str, str]:
    return {"Authorization": authorization, "Accept": "application/json"}


class JiraClient:
    """The REST API v3 of one Jira site."""

    def __init__(self, base_url: str, auth: Auth, *, user_url: bool = False, allow_private: bool = True) -> None:
        self._base = base_url.rstrip("/") + API_PATH
        self._auth = auth
        self._user_url = user_url
        self._allow_private = allow_private

    @classmethod
    def cloud(cls, settings: Settings, cloud_id: str, auth: Auth) -> JiraClient:
        """A site reached through Atlassian's API gateway with an OAuth token."""
        return cls(f"{settings.jira_api_base_url.rstrip('/')}/ex/jira/{quote(cloud_id, safe='')}", auth)

    async def _call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        options: dict[str, Any] = {"json": json, "params": params}
        if self._user_url:
            options.update(user_url=True, allow_private=self._allow_private)
        return await _authorised(self._auth, method, self._base + path, options)

    async def myself(self) -> dict[str, Any]:
        return _object(_json(await self._call("GET", "/myself")))

    async def server_info(self) -> dict[str, Any]:
        return _object(_json(await self._call("GET", "/serverInfo")))

    async def projects(self) -> list[dict[str, Any]]:
        """Every project the user can browse (paged through, up to a bound)."""
        found: list[dict[str, Any]] = []
        for page in range(MAX_PROJECT_PAGES):
            params = {"startAt": page * PROJECT_PAGE_SIZE, "maxResults": PROJECT_PAGE_SIZE}
            body = _object(_json(await self._call("GET", "/project/search", params=params)))
            values = [value for value in body.get("values") or [] if isinstance(value, dict)]
            found += values
            if body.get("isLast", True) or not values:
                break
        return found

    async def project(self, key: str) -> dict[str, Any]:
        return _object(_json(await self._call("GET", f"/project/{quote(key, safe='')}")))

    async def fields(self) -> list[dict[str, Any]]:
        body = _json(await self._call("GET", "/field"))
        return [entry for entry in body if isinstance(entry, dict)] if isinstance(body, list) else []

    async def create_issue(self, fields: dict[str, Any]) -> dict[str, Any]:
        """The new issue's {id, key}."""
        body = _object(_json(await self._call("POST", "/issue", json={"fields": fields})))
        if not isinstance(body.get("id"), str) or not isinstance(body.get("key"), str):
            raise OutboundError("TRACKER_UNAVAILABLE", "The tracker answered without the new issue's key")
        return body

    async def update_issue(self, key: str, fields: dict[str, Any]) -> None:
        await self._call("PUT", f"/issue/{quote(key, safe='')}", json={"fields": fields})


def _object(body: Any) -> dict[str, Any]:
    return body if isinstance(body, dict) else {}


def _json(response: Any) -> Any:
    """The answer's JSON; an answer that is not JSON is the tracker failing, not a crash of ours."""
    try:
        return response.json()
    except ValueError:
        raise OutboundError("TRACKER_UNAVAILABLE", "The tracker answered with something that is not JSON") from None
