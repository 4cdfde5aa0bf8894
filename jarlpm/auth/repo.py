"""Users, sessions and emailed tokens: a connection in, plain dicts out. Tokens arrive hashed."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row


async def create_user(conn: Connection, *, email: str, name: str, password_hash: str) -> dict | None:
    """The new user, or None when the email is already registered."""
    row = await queries.auth.create_user(
        conn, user_id=new_id("user"), email=email, name=name, password_hash=password_hash
    )
    return optional_row(row)


async def get_user(conn: Connection, *, user_id: str) -> dict | None:
    return optional_row(await queries.auth.get_user(conn, user_id=user_id))


async def get_credentials(conn: Connection, *, email: str) -> dict | None:
    return optional_row(await queries.auth.get_credentials(conn, email=email))


async def set_password_hash(conn: Connection, *, user_id: str, password_hash: str) -> None:
    await queries.auth.set_password_hash(conn, user_id=user_id, password_hash=password_hash)


async def mark_email_verified(conn: Connection, *, user_id: str) -> None:
    await queries.auth.mark_email_verified(conn, user_id=user_id)


async def upsert_test_user(conn: Connection, *, email: str, name: str, password_hash: str) -> dict:
    row = await queries.auth.upsert_test_user(
        conn, user_id=new_id("user"), email=email, name=name, password_hash=password_hash
    )
    return dict(row)


async def create_session(conn: Connection, *, user_id: str, token_hash: str, ttl_seconds: int) -> None:
    await queries.auth.create_session(
        conn, session_id=new_id("sess"), user_id=user_id, token_hash=token_hash, ttl_seconds=ttl_seconds
    )


async def get_session(conn: Connection, *, token_hash: str) -> dict | None:
    return optional_row(await queries.auth.get_session(conn, token_hash=token_hash))


async def delete_session(conn: Connection, *, token_hash: str) -> None:
    await queries.auth.delete_session(conn, token_hash=token_hash)


async def delete_user_sessions(conn: Connection, *, user_id: str) -> None:
    await queries.auth.delete_user_sessions(conn, user_id=user_id)


async def purge_expired_sessions(conn: Connection) -> None:
    await queries.auth.purge_expired_sessions(conn)


async def replace_token(conn: Connection, *, user_id: str, token_hash: str, token_type: str, ttl_seconds: int) -> None:
    """Issue a new emailed token of this type; earlier unused ones stop working."""
    await queries.auth.discard_unused_tokens(conn, user_id=user_id, token_type=token_type)
    await queries.auth.create_token(
        conn,
        token_id=new_id("vtok"),
        user_id=user_id,
        token_hash=token_hash,
        token_type=token_type,
        ttl_seconds=ttl_seconds,
    )


async def get_token(conn: Connection, *, token_hash: str) -> dict | None:
    return optional_row(await queries.auth.get_token(conn, token_hash=token_hash))


async def use_token(conn: Connection, *, token_id: str) -> str | None:
    return await queries.auth.use_token(conn, token_id=token_id)


async def has_bcrypt_hashes(conn: Connection) -> bool:
    return bool(await queries.auth.has_bcrypt_hashes(conn))
