"""Secrets at rest (provider keys): Fernet under JARLPM_ENCRYPTION_KEY. Plain text never reaches a row."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the current key (the key changed)."""


def encrypt(key: str, plaintext: str) -> str:
    return Fernet(key.encode()).encrypt(plaintext.encode()).decode()


def decrypt(key: str, token: str) -> str:
    try:
        return Fernet(key.encode()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("a stored secret cannot be decrypted with JARLPM_ENCRYPTION_KEY") from None
