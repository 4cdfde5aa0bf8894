"""Outbound HTTP to anything but an LLM (the trackers): one client per app, one safe-error mapping.

A tracker's answer never reaches a user as exception text: every failure becomes an `OutboundError`
with a fixed code and message (plus, for a request the tracker refused as invalid, its own short
reason, which names a field, not our internals). A 429 is honoured: its Retry-After is waited out, a
few times and for a bounded total, before the call is given up as rate limited. No pooled database
connection may be held while calling (the same guard as LLM calls).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2
from quart import current_app

from jarlpm.db.pool import holding_connection
from jarlpm.llm.urls import check_reachable_url

log = logging.getLogger(__name__)

EXTENSION_KEY = "jarlpm_outbound"
TIMEOUT = httpx2.Timeout(30.0, connect=10.0)
MAX_RATE_LIMIT_RETRIES = 3
MAX_RATE_LIMIT_WAIT_SECONDS = 30.0
REASON_MAX_CHARS = 300

_FIXED = {
    401: ("TRACKER_UNAUTHORIZED", "The tracker no longer accepts these credentials"),
    403: ("TRACKER_FORBIDDEN", "The tracker refused access to this resource"),
    404: ("TRACKER_NOT_FOUND", "The tracker has no such resource"),
    429: ("TRACKER_RATE_LIMITED", "The tracker is rate limiting requests; try again later"),
}
_REFUSED = ("TRACKER_REJECTED", "The tracker rejected the request")
_UNAVAILABLE = ("TRACKER_UNAVAILABLE", "The tracker could not be reached or failed to answer")


@dataclass
class OutboundError(Exception):
    """A tracker call that failed, in words safe to show the user and to store in a run's errors."""

    code: str
    message: str
    status: int | None = None  # the tracker's HTTP status, when it answered
    reason: str | None = None  # the tracker's own short reason for a 400/409/422, trimmed
    oauth_error: str | None = None  # an OAuth endpoint's `error` code (invalid_grant, invalid_client...)

    def __str__(self) -> str:
        return f"{self.message}: {self.reason}" if self.reason else self.message

    @property
    def revoked(self) -> bool:
        """The credentials are gone (revoked grant, expired PAT): the integration must be reconnected."""
        return self.status == 401


def open_client() -> httpx2.AsyncClient:
    # Redirects are not followed: a tracker answering with one is an error, never a hop elsewhere.
    return httpx2.AsyncClient(timeout=TIMEOUT, follow_redirects=False)


def client() -> httpx2.AsyncClient:
    """This app's client (opened with the app, closed at shutdown); call while the app context is live."""
    return current_app.extensions[EXTENSION_KEY]


def _retry_after(response: httpx2.Response) -> float:
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return 1.0
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return 1.0
    return max((moment - parsedate_to_datetime(response.headers.get("Date", raw))).total_seconds(), 0.0)


def _reason(response: httpx2.Response) -> str | None:
    """The tracker's own words for a refused request (Jira errorMessages/errors, GraphQL errors, ADO
    message), trimmed; never our exception text."""
    try:
        body = response.json()
    except ValueError:
        return None
    parts: list[str] = []
    if isinstance(body, Mapping):
        parts += [str(item) for item in body.get("errorMessages") or [] if item]
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            parts += [f"{key}: {value}" for key, value in errors.items()]
        elif isinstance(errors, list):
            parts += [str(item.get("message")) for item in errors if isinstance(item, Mapping) and item.get("message")]
        if isinstance(body.get("message"), str):
            parts.append(body["message"])
    text = "; ".join(parts).strip()
    return text[:REASON_MAX_CHARS] or None


def _oauth_error(response: httpx2.Response) -> str | None:
    """RFC 6749's `error` code of a token endpoint's refusal: it tells a revoked grant (invalid_grant)
    from this server's own misconfiguration (invalid_client), which must never revoke anyone."""
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error") if isinstance(body, Mapping) else None
    return code[:50] if isinstance(code, str) and code.isascii() and code.replace("_", "").isalnum() else None


def error_for(response: httpx2.Response) -> OutboundError:
    status = response.status_code
    if status in _FIXED:
        code, message = _FIXED[status]
        return OutboundError(code, message, status, oauth_error=_oauth_error(response))
    if 400 <= status < 500:
        return OutboundError(*_REFUSED, status, _reason(response), _oauth_error(response))
    return OutboundError(*_UNAVAILABLE, status)


async def send(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    json: Any = None,
    data: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    user_url: bool = False,
    allow_private: bool = True,
) -> httpx2.Response:
    """One tracker request; a 2xx answer or an `OutboundError`. `user_url`: the URL came from a user
    (an Azure DevOps organisation, a Jira site for a direct export), so the private-address rule is
    checked before every call, as for local LLM URLs."""
    if holding_connection():
        raise RuntimeError("a tracker call was made while holding a pooled database connection")
    if user_url:
        await check_reachable_url(url, allow_private=allow_private)
    waited = 0.0
    for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
        try:
            response = await client().request(method, url, headers=headers, json=json, data=data, params=params)
        except httpx2.HTTPError as error:
            log.info("tracker call %s %s failed: %s", method, _without_query(url), type(error).__name__)
            raise OutboundError(*_UNAVAILABLE) from None
        if response.status_code != 429:
            break
        wait = _retry_after(response)
        if attempt == MAX_RATE_LIMIT_RETRIES or waited + wait > MAX_RATE_LIMIT_WAIT_SECONDS:
            break
        waited += wait
        await asyncio.sleep(wait)
    if response.is_success:
        return response
    log.info("tracker answered %s to %s %s", response.status_code, method, _without_query(url))
    raise error_for(response)


def _without_query(url: str) -> str:
    # Logged URLs never carry query strings (OAuth codes, tokens).
    return url.split("?", 1)[0]
