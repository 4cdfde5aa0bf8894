"""What every tracker module shares: whether the server is configured for a tracker, the gate, the
user's connection with its secrets decrypted (only in memory, only for the call), and status shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asyncpg import Connection

from jarlpm.crypto import SecretUnreadable, decrypt, encrypt
from jarlpm.db.queries import queries
from jarlpm.errors import APIError
from jarlpm.http import current_settings
from jarlpm.integrations.tables import TRACKERS, Tracker
from jarlpm.subscriptions.gate import require_active_subscription

PROVIDER_NAMES = {"jira": "Jira", "linear": "Linear", "azure_devops": "Azure DevOps"}


def tracker_of(raw: str) -> Tracker:
    """A path's or query's tracker name, or 400."""
    if raw not in TRACKERS:
        raise APIError(400, "INVALID_PROVIDER", f"Unknown provider {raw!r}; accepted: {', '.join(TRACKERS)}")
    return raw  # type: ignore[return-value]


def is_configured(provider: str) -> bool:
    """Jira and Linear need the server's OAuth client; Azure DevOps uses each user's PAT."""
    return provider == "azure_devops" or current_settings().tracker_oauth(provider) is not None


def require_configured(provider: str) -> None:
    if not is_configured(provider):
        name = PROVIDER_NAMES[provider]
        raise APIError(503, "INTEGRATION_NOT_CONFIGURED", f"{name} integration is not configured on this server")


async def require_subscription(conn: Connection, user_id: str) -> None:
    """Integrations are a paid feature, like the AI ones (402 when billing is on and there is none)."""
    await require_active_subscription(conn, user_id=user_id, billing_enabled=current_settings().billing_enabled)


@dataclass(frozen=True)
class Connected:
    """A user's usable connection to a tracker, its secrets decrypted for this request only."""

    integration_id: str
    provider: str
    row: dict[str, Any]
    access_token: str | None
    refresh_token: str | None
    pat: str | None

    def __repr__(self) -> str:  # never print secrets
        return f"Connected({self.provider}, {self.integration_id})"


def _reveal(token: str | None) -> str | None:
    return None if token is None else decrypt(current_settings().encryption_key, token)


def seal(secret: str | None) -> str | None:
    """A secret as it is stored (Fernet under JARLPM_ENCRYPTION_KEY)."""
    return None if secret is None else encrypt(current_settings().encryption_key, secret)


async def connected(conn: Connection, *, user_id: str, provider: str) -> Connected:
    """The user's connection, or 400 NOT_CONNECTED (with why, when the tracker dropped it)."""
    row = await queries.integrations.get_integration(conn, user_id=user_id, provider=provider)
    name = PROVIDER_NAMES[provider]
    if row is None or row["status"] != "connected":
        reason = row and row["status_reason"]
        detail = f"{name} is not connected" + (f" ({reason}); please reconnect it" if reason else "")
        raise APIError(400, "NOT_CONNECTED", detail)
    try:
        return Connected(
            integration_id=row["integration_id"],
            provider=provider,
            row=dict(row),
            access_token=_reveal(row["access_token_encrypted"]),
            refresh_token=_reveal(row["refresh_token_encrypted"]),
            pat=_reveal(row["pat_encrypted"]),
        )
    except SecretUnreadable:
        raise APIError(400, "NOT_CONNECTED", f"{name} credentials cannot be read any more; please reconnect") from None


def status_of(provider: str, row: dict[str, Any] | None) -> dict[str, Any]:
    """One tracker's entry of GET /status (no secret ever)."""
    if row is None:
        return {
            "status": "disconnected",
            "reason": None,
            "account_name": None,
            "default_team": None,
            "default_project": None,
            "connected_at": None,
            "configured": is_configured(provider),
        }
    team = {"id": row["default_team_id"], "name": row["default_team_name"]} if row["default_team_id"] else None
    project = (
        {"id": row["default_project_id"], "name": row["default_project_name"]} if row["default_project_id"] else None
    )
    connected_at: datetime | None = row["connected_at"]
    return {
        "status": row["status"],
        "reason": row["status_reason"],
        "account_name": row["external_account_name"],
        "default_team": team,
        "default_project": project,
        "connected_at": connected_at.isoformat() if connected_at else None,
        "configured": is_configured(provider),
    }
