"""Account steps that several routes share, each on a connection the caller holds."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.auth import repo
from jarlpm.auth.passwords import expect_bcrypt_hashes
from jarlpm.auth.rules import (
    EMAIL_VERIFICATION,
    PASSWORD_RESET,
    RESET_TTL_SECONDS,
    SESSION_TTL_SECONDS,
    VERIFICATION_TTL_SECONDS,
    hash_token,
    new_token,
)
from jarlpm.errors import APIError

TOKEN_TTL_SECONDS = {EMAIL_VERIFICATION: VERIFICATION_TTL_SECONDS, PASSWORD_RESET: RESET_TTL_SECONDS}
INVALID_LINK = {
    EMAIL_VERIFICATION: "Invalid or expired verification link",
    PASSWORD_RESET: "Invalid or expired reset link",
}
EXPIRED_LINK = {EMAIL_VERIFICATION: "Verification link has expired", PASSWORD_RESET: "Reset link has expired"}


async def start_session(conn: Connection, *, user_id: str) -> str:
    """A new session for the user; returns its token (only its hash is stored)."""
    await repo.purge_expired_sessions(conn)
    token = new_token()
    await repo.create_session(conn, user_id=user_id, token_hash=hash_token(token), ttl_seconds=SESSION_TTL_SECONDS)
    return token


async def issue_token(conn: Connection, *, user_id: str, token_type: str) -> str:
    """A new emailed token of this type (earlier unused ones stop working); returns the token."""
    token = new_token()
    await repo.replace_token(
        conn,
        user_id=user_id,
        token_hash=hash_token(token),
        token_type=token_type,
        ttl_seconds=TOKEN_TTL_SECONDS[token_type],
    )
    return token


async def spend_token(conn: Connection, *, token: str, token_type: str) -> str:
    """Use an emailed token exactly once; returns its user id, or raises 400 saying why not."""
    found = await repo.get_token(conn, token_hash=hash_token(token))
    if found is None or found["token_type"] != token_type or found["used"]:
        raise APIError(400, "INVALID_TOKEN", INVALID_LINK[token_type])
    if found["expired"]:
        raise APIError(400, "TOKEN_EXPIRED", EXPIRED_LINK[token_type])
    user_id = await repo.use_token(conn, token_id=found["token_id"])
    if user_id is None:  # spent by a concurrent request between the read and the update
        raise APIError(400, "INVALID_TOKEN", INVALID_LINK[token_type])
    return user_id


async def note_legacy_hashes(conn: Connection) -> bool:
    """At startup: whether imported bcrypt hashes remain, so logins pay the bcrypt decoy only then."""
    present = await repo.has_bcrypt_hashes(conn)
    expect_bcrypt_hashes(present)
    return present
