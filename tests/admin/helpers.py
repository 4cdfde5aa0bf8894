"""Admin test helpers: the operator's token, allowlisted accounts and seeded push runs."""

from __future__ import annotations

from tests.db.helpers import fetch

ADMIN_TOKEN = "t" * 40
ADMIN_EMAIL = "ops@jarlpm.dev"
TOKEN = {"X-Admin-Token": ADMIN_TOKEN}


async def verify(database_url: str, email: str) -> None:
    await fetch(
        database_url, "UPDATE users SET email_verified = true WHERE lower(email) = lower($1) RETURNING user_id", email
    )


async def user_id_of(database_url: str, email: str) -> str:
    [row] = await fetch(database_url, "SELECT user_id FROM users WHERE email = $1", email)
    return row["user_id"]


async def seed_push_runs(database_url: str, user_id: str, ages_in_days: list[int]) -> None:
    """One push run per age, created that many days ago."""
    for number, days in enumerate(ages_in_days):
        await fetch(
            database_url,
            "INSERT INTO external_push_runs (run_id, user_id, provider, started_at, status, created_at) "
            "VALUES ($1, $2, 'jira', now() - make_interval(days => $3), 'success', now() - make_interval(days => $3)) "
            "RETURNING run_id",
            f"run_{user_id[-8:]}{number:04d}",
            user_id,
            days,
        )
