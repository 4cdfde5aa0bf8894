"""Password hashing with argon2id, off the event loop (each hash costs tens of milliseconds of CPU)."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _decoy_hash() -> str:
    return _hasher.hash("jarlpm-decoy-password")


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches.

    Call it for an unknown account too (`password_hash=None`): it then checks a decoy hash, so an unknown
    email costs the same time as a wrong password and timing does not reveal who has an account.
    """
    return await asyncio.to_thread(_verify, password_hash or _decoy_hash(), password) and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
