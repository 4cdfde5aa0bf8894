"""Whom a transaction acts for, as row-level security reads it (migration 0017).

Every acquisition for a user is a transaction whose BEGIN and `set_config(..., true)` go to the server
in one round trip (transaction-local settings: safe behind PgBouncer in transaction mode). A transaction
names the acting user, or the caller's session (the user is then the session's owner, so the request's
first statement may already read the caller's rows), or a reviewed path that spans users. Naming none
of them sees no user's rows.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

# What may be written into the BEGIN's text: ids, token hashes and path names are all of this shape,
# and a value of any other shape is a bug, refused before it reaches the server.
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:-]{1,200}")


class CrossUser(enum.Enum):
    """The reviewed paths whose statements span users; each use of one is a deliberate choice.

    Grep `CrossUser.` to list them: the closing note of issue 2.12 reviews each place."""

    ACCOUNTS = "accounts"  # sign-up, sign-in, verification and reset links: the account is found by email or token
    BILLING_WEBHOOK = "billing_webhook"  # Stripe names the customer, not our session
    OAUTH_CALLBACK = "oauth_callback"  # the tracker redirects back with a state, not a session
    ADMIN = "admin"  # the operator's views and actions over every account
    MAINTENANCE = "maintenance"  # housekeeping over every user's rows (expired sessions, stale states)


@dataclass(frozen=True)
class Scope:
    user_id: str | None = None
    session_hash: str | None = None
    cross_user: CrossUser | None = None

    def after(self, opening: str) -> str:
        """`opening` (BEGIN, or a SAVEPOINT) and this scope's settings, as one simple-protocol message:
        one round trip. Each setting is set, empty when not named, so a scope never inherits another's."""
        values = {
            "user_id": self.user_id,
            "session": self.session_hash,
            "cross_user": self.cross_user.value if self.cross_user else None,
        }
        settings = ", ".join(
            f"set_config('jarlpm.{name}', '{_checked(value) if value else ''}', true)" for name, value in values.items()
        )
        return f"{opening}; SELECT {settings}"


def _checked(value: str) -> str:
    if not _SAFE_VALUE.fullmatch(value):
        raise ValueError("a scope value of an unexpected shape")
    return value
