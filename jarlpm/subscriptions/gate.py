"""The one place that decides whether a user may use the AI features (402 otherwise)."""

from __future__ import annotations

from collections.abc import Mapping

from asyncpg import Connection

from jarlpm.errors import APIError
from jarlpm.subscriptions import repo
from jarlpm.subscriptions.rules import ACTIVE, effective_status


async def require_active_subscription(conn: Connection, *, user_id: str, billing_enabled: bool) -> None:
    if not billing_enabled:
        return
    raise_unless_active(await repo.get_subscription(conn, user_id=user_id), billing_enabled=True)


def raise_unless_active(subscription: Mapping | None, *, billing_enabled: bool) -> None:
    """402 unless the subscription (`status`, `period_over`; None without one) unlocks the AI features."""
    if effective_status(subscription, billing_enabled=billing_enabled) != ACTIVE:
        raise APIError(
            402, "SUBSCRIPTION_REQUIRED", "Active subscription required. Please subscribe to use AI features."
        )
