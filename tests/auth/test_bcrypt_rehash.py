"""Accounts imported from the original service sign in with their bcrypt hash once; it becomes argon2."""

from __future__ import annotations

import bcrypt
import pytest

from jarlpm.auth import passwords, service
from jarlpm.db.pool import init_connection
from tests.db.helpers import fetch
from tests.helpers import PASSWORD

ORIGINAL_EMAIL = "legacy@jarlpm.dev"


async def _add_bcrypt_account(database_url: str, email: str = ORIGINAL_EMAIL) -> str:
    # The original hashed with bcrypt.hashpw(pw, gensalt()); a low cost keeps the test quick.
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    await fetch(
        database_url,
        "INSERT INTO users (user_id, email, name, password_hash) VALUES ('user_0123456789ab', $1, 'Lee', $2)",
        email,
        hashed,
    )
    return hashed


async def _stored_hash(database_url: str) -> str:
    rows = await fetch(database_url, "SELECT password_hash FROM users WHERE user_id = 'user_0123456789ab'")
    return rows[0]["password_hash"]


async def _login(client, email: str, password: str):  # type: ignore[no-untyped-def]
    return await client.post("/api/auth/login", json={"email": email, "password": password})


@pytest.fixture
def legacy_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """As after a startup that found bcrypt hashes (the flag is process-wide, so it is restored after)."""
    monkeypatch.setattr(passwords._LegacyHashes, "present", True)


class CheckpwCalls:
    def __init__(self) -> None:
        self.count = 0
        self.real = bcrypt.checkpw

    def __call__(self, password: bytes, hashed: bytes) -> bool:
        self.count += 1
        return self.real(password, hashed)


async def test_a_bcrypt_account_signs_in_once_with_bcrypt_then_with_argon2(client, database_url, legacy_hashes) -> None:
    original = await _add_bcrypt_account(database_url)

    first = await _login(client, ORIGINAL_EMAIL, PASSWORD)

    assert first.status_code == 200, await first.get_data(as_text=True)
    rehashed = await _stored_hash(database_url)
    assert rehashed != original and rehashed.startswith("$argon2id$")
    assert (await _login(client, ORIGINAL_EMAIL.upper(), PASSWORD)).status_code == 200
    assert await _stored_hash(database_url) == rehashed  # the argon2 hash is current: no second rehash


async def test_a_wrong_password_on_a_bcrypt_account_is_401_and_keeps_the_hash(
    client, database_url, legacy_hashes
) -> None:
    original = await _add_bcrypt_account(database_url)

    response = await _login(client, ORIGINAL_EMAIL, "not the password")

    assert response.status_code == 401
    assert (await response.get_json())["code"] == "INVALID_CREDENTIALS"
    assert await _stored_hash(database_url) == original


async def test_unknown_argon2_and_bcrypt_accounts_run_the_same_checks_on_a_failed_login(
    app, client, database_url, legacy_hashes, verifier, monkeypatch
) -> None:
    await _add_bcrypt_account(database_url)
    await client.post("/api/auth/signup", json={"email": "modern@jarlpm.dev", "password": PASSWORD, "name": "Mo"})
    checkpw = CheckpwCalls()
    monkeypatch.setattr(bcrypt, "checkpw", checkpw)

    for email in ("nobody@jarlpm.dev", "modern@jarlpm.dev", ORIGINAL_EMAIL):
        argon2_before, bcrypt_before = verifier.count, checkpw.count
        response = await _login(client, email, "not the password")
        assert response.status_code == 401
        # One argon2 and one bcrypt verification each (real or decoy): the three cost the same.
        assert (verifier.count - argon2_before, checkpw.count - bcrypt_before) == (1, 1), email


async def test_without_bcrypt_hashes_a_login_skips_the_bcrypt_decoy(client, monkeypatch, verifier) -> None:
    monkeypatch.setattr(passwords._LegacyHashes, "present", False)
    checkpw = CheckpwCalls()
    monkeypatch.setattr(bcrypt, "checkpw", checkpw)

    assert (await _login(client, "nobody@jarlpm.dev", "whatever pass")).status_code == 401

    assert (verifier.count, checkpw.count) == (1, 0)


async def test_startup_notes_whether_bcrypt_hashes_remain(app, client, database_url, monkeypatch) -> None:
    import asyncpg

    monkeypatch.setattr(passwords._LegacyHashes, "present", False)
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    try:
        assert await service.note_legacy_hashes(conn) is False
        await _add_bcrypt_account(database_url)
        assert await service.note_legacy_hashes(conn) is True
        assert passwords._LegacyHashes.present is True
        assert (await _login(client, ORIGINAL_EMAIL, PASSWORD)).status_code == 200
        assert await service.note_legacy_hashes(conn) is False  # the only one was rehashed at its login
    finally:
        await conn.close()


def test_a_malformed_or_overlong_bcrypt_input_is_a_mismatch_not_an_error() -> None:
    assert passwords._bcrypt_matches("$2b$12$short", PASSWORD) is False
    assert passwords.needs_rehash("$2b$12$" + "a" * 53) is True
    assert passwords.needs_rehash("not a hash") is True
