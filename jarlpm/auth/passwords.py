"""Password hashing with argon2id, off the event loop (each hash costs tens of milliseconds of CPU).

Accounts moved in from the original service (`jarlpm import`) still carry its bcrypt hashes. Such a
hash is accepted until the first successful login, which stores the argon2 rehash (`needs_rehash`
says yes for every bcrypt hash), so each bcrypt hash is used at most once per account.

Timing: while bcrypt hashes may exist, every verification runs one argon2 and one bcrypt check (real
or decoy), so an unknown email, an argon2 account and a bcrypt account cost the same. The bcrypt decoy
(~0.3 s of CPU) is skipped while the database holds no bcrypt hash: startup asks the database
(`auth.service.note_legacy_hashes`), and seeing a bcrypt hash switches it on for the process.
"""

from __future__ import annotations

import asyncio
from functools import cache

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# The original hashed with bcrypt's default cost (12); the decoy costs the same.
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_DECOY_ROUNDS = 12
DECOY_PASSWORD = "jarlpm-decoy-password"


class _LegacyHashes:
    """Whether this process must pay the bcrypt decoy (bcrypt hashes may be in the database)."""

    present = False


def expect_bcrypt_hashes(present: bool) -> None:
    _LegacyHashes.present = present


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def is_bcrypt(password_hash: str) -> bool:
    return password_hash.startswith(BCRYPT_PREFIXES)


def _argon2_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _bcrypt_matches(password_hash: str, password: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:  # a malformed hash, or a password bcrypt refuses (over 72 bytes)
        return False


@cache
def _decoy_hash() -> str:
    return _hasher.hash(DECOY_PASSWORD)


@cache
def _bcrypt_decoy_hash() -> str:
    return bcrypt.hashpw(DECOY_PASSWORD.encode(), bcrypt.gensalt(BCRYPT_DECOY_ROUNDS)).decode()


def _verify(password_hash: str | None, password: str) -> bool:
    """One argon2 and (while bcrypt hashes may exist) one bcrypt verification, real or decoy.

    An unknown email, an argon2 account and a not-yet-rehashed bcrypt account therefore cost the same,
    so timing does not tell them apart.
    """
    if password_hash is not None and is_bcrypt(password_hash):
        _LegacyHashes.present = True  # imported after startup: from now on everyone pays the decoy
        _argon2_matches(_decoy_hash(), password)
        return _bcrypt_matches(password_hash, password)
    if _LegacyHashes.present:
        _bcrypt_matches(_bcrypt_decoy_hash(), password)
    return _argon2_matches(password_hash or _decoy_hash(), password) and password_hash is not None


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches (an argon2 hash, or a bcrypt hash from the original service).

    Call it for an unknown account too (`password_hash=None`): it then checks decoy hashes, so an unknown
    email costs the same time as a wrong password and timing does not reveal who has an account.
    """
    return await asyncio.to_thread(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """True for a bcrypt hash (replaced by argon2 at the first successful login) or outdated argon2 parameters."""
    if is_bcrypt(password_hash):
        return True
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
