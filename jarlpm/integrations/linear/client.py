"""Linear's two doors: the OAuth token endpoint (form-encoded) and the GraphQL endpoint (Bearer token).

Every call goes through `jarlpm.outbound.send` (one client, the safe-error mapping, Retry-After). GraphQL
adds a twist: Linear answers most failures with HTTP 200 and an `errors` array (an authentication
failure may also come as a 400). Both become `OutboundError`s with the outbound module's fixed codes,
so the push engine treats Linear like every other tracker: an authentication error is a revoked grant
(status 401), "Entity not found" is TRACKER_NOT_FOUND (an issue deleted in Linear is created again),
anything else is TRACKER_REJECTED with Linear's own message, trimmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jarlpm import outbound
from jarlpm.outbound import OutboundError

REASON_MAX_CHARS = 300
UNAUTHORIZED = ("TRACKER_UNAUTHORIZED", "Linear no longer accepts this integration's credentials")
FORBIDDEN = ("TRACKER_FORBIDDEN", "Linear refused access to this resource")
NOT_FOUND = ("TRACKER_NOT_FOUND", "Linear has no such resource")
RATE_LIMITED = ("TRACKER_RATE_LIMITED", "Linear is rate limiting requests; try again later")
REJECTED = ("TRACKER_REJECTED", "Linear rejected the request")
UNREADABLE = ("TRACKER_UNAVAILABLE", "Linear answered with something that is not a GraphQL response")
PAGE = 250  # one page of teams, projects or labels is plenty for a picker


@dataclass(frozen=True)
class Tokens:
    """What Linear's token endpoint grants (the refresh token and expiry only for apps that use them)."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scope: str | None

    def __repr__(self) -> str:  # never print secrets
        return f"Tokens(expires_at={self.expires_at!r}, scope={self.scope!r})"


@dataclass(frozen=True)
class OAuthClient:
    """This server's OAuth application at Linear."""

    client_id: str
    client_secret: str
    redirect_uri: str
    api_base_url: str

    def __repr__(self) -> str:
        return f"OAuthClient({self.client_id!r})"

    async def exchange_code(self, code: str) -> Tokens:
        return await self._grant({"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri})

    async def refresh(self, refresh_token: str) -> Tokens:
        return await self._grant({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def revoke(self, access_token: str) -> None:
        await outbound.send(
            "POST",
            f"{self.api_base_url}/oauth/revoke",
            headers={"Authorization": f"Bearer {access_token}"},
            data={"token": access_token},
        )

    async def _grant(self, fields: dict[str, str]) -> Tokens:
        form = {**fields, "client_id": self.client_id, "client_secret": self.client_secret}
        response = await outbound.send("POST", f"{self.api_base_url}/oauth/token", data=form)
        body = _json(response)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise OutboundError(*UNREADABLE, response.status_code)
        expires_in = body.get("expires_in")
        expires_at = (
            datetime.now(UTC) + timedelta(seconds=int(expires_in))
            if isinstance(expires_in, int | float) and expires_in > 0
            else None
        )
        refresh = body.get("refresh_token")
        scope = body.get("scope")
        return Tokens(
            access_token=token,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            expires_at=expires_at,
            scope=" ".join(scope) if isinstance(scope, list) else scope if isinstance(scope, str) else None,
        )


class LinearAPI:
    """GraphQL calls with one user's access token (held only in memory, for one request)."""

    def __init__(self, api_base_url: str, access_token: str) -> None:
        self._url = f"{api_base_url}/graphql"
        self._headers = {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"}

    def __repr__(self) -> str:
        return "LinearAPI(…)"

    async def run(self, operation: str, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of one named operation, or an OutboundError."""
        body = {"operationName": operation, "query": document, "variables": dict(variables or {})}
        try:
            response = await outbound.send("POST", self._url, headers=self._headers, json=body)
        except OutboundError as error:
            if error.status == 400 and _mentions_authentication(error.reason):
                raise OutboundError(*UNAUTHORIZED, 401) from None
            raise
        answer = _json(response)
        errors = answer.get("errors")
        if isinstance(errors, list) and errors:
            raise error_of(errors)
        data = answer.get("data")
        if not isinstance(data, dict):
            raise OutboundError(*UNREADABLE, response.status_code)
        return data

    async def mutate(self, operation: str, document: str, field: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """A mutation's payload (`issueCreate` …), refused when Linear says `success: false`."""
        payload = (await self.run(operation, document, variables)).get(field)
        if not isinstance(payload, dict) or not payload.get("success"):
            raise OutboundError(*REJECTED, 200, f"{field} did not succeed")
        return payload


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise OutboundError(*UNREADABLE, response.status_code) from None
    if not isinstance(body, dict):
        raise OutboundError(*UNREADABLE, response.status_code)
    return body


def _mentions_authentication(text: str | None) -> bool:
    return bool(text) and "authenticat" in str(text).lower()


def _kind(error: Mapping[str, Any]) -> str:
    extensions = error.get("extensions") if isinstance(error.get("extensions"), Mapping) else {}
    raw = f"{extensions.get('code') or ''} {extensions.get('type') or ''}"  # type: ignore[union-attr]
    return raw.lower().replace("_", " ")


def error_of(errors: list[Any]) -> OutboundError:
    """The first GraphQL error, as the fixed code the push engine understands."""
    first = errors[0] if isinstance(errors[0], Mapping) else {}
    kind = _kind(first)
    message = str(first.get("message") or "")
    if "authentication" in kind or (_mentions_authentication(message) and "not authenticated" in message.lower()):
        return OutboundError(*UNAUTHORIZED, 401)
    if "forbidden" in kind:
        return OutboundError(*FORBIDDEN, 403)
    if "ratelimited" in kind.replace(" ", ""):
        return OutboundError(*RATE_LIMITED, 429)
    if message.lower().startswith("entity not found") or "not found" in kind:
        return OutboundError(*NOT_FOUND, 404, message[:REASON_MAX_CHARS] or None)
    return OutboundError(*REJECTED, 400, _reason(errors))


def not_found_is(error: OutboundError, entity: str) -> OutboundError:
    """A "not found" that is about `entity` itself stays one (the push engine then re-creates the item);
    one about anything else it references (a project, a label) becomes a refusal, never a duplicate."""
    if error.code == "TRACKER_NOT_FOUND" and entity.lower() not in (error.reason or "").lower():
        return OutboundError(*REJECTED, 400, error.reason)
    return error


def _reason(errors: list[Any]) -> str | None:
    words = []
    for error in errors:
        if not isinstance(error, Mapping):
            continue
        extensions = error.get("extensions")
        shown = extensions.get("userPresentableMessage") if isinstance(extensions, Mapping) else None
        text = shown or error.get("message")
        if text:
            words.append(" ".join(str(text).split()))
    return "; ".join(words)[:REASON_MAX_CHARS] or None
