"""The original service's encryption of provider keys and tracker tokens (reference section 4.2).

It derived a Fernet key from ENCRYPTION_SECRET_KEY with PBKDF2-HMAC-SHA256 (static salt, 100,000
iterations, 32 bytes) and base64-encoded the Fernet token a second time. Its secret falls back to a
published default when unset, so that default is what an unnamed secret means here too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.fernet import Fernet, InvalidToken

ORIGINAL_DEFAULT_SECRET = "jarlpm-default-secret-key-change-in-production"
ORIGINAL_SALT = b"jarlpm_salt_v1"
ORIGINAL_ITERATIONS = 100_000


class OriginalSecrets:
    """Decrypts what the original stored; `repr` never shows the secret or the derived key."""

    def __init__(self, secret: str) -> None:
        derived = hashlib.pbkdf2_hmac("sha256", secret.encode(), ORIGINAL_SALT, ORIGINAL_ITERATIONS, dklen=32)
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def __repr__(self) -> str:
        return "OriginalSecrets(<hidden>)"

    def decrypt(self, stored: str | None) -> str | None:
        """The plain text, or None when the value cannot be read with this secret (or is empty)."""
        if not stored:
            return None
        try:
            token = base64.urlsafe_b64decode(stored.encode())
            return self._fernet.decrypt(token).decode()
        except (InvalidToken, binascii.Error, ValueError):
            return None

    def encrypt(self, plaintext: str) -> str:
        """The original's encryption, for building test databases the way the original wrote them."""
        return base64.urlsafe_b64encode(self._fernet.encrypt(plaintext.encode())).decode()
