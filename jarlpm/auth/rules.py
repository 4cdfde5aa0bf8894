"""Pure account rules: token generation and hashing, lifetimes, the password policy, emailed links."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlencode

SESSION_TTL_SECONDS = 7 * 24 * 3600
VERIFICATION_TTL_SECONDS = 24 * 3600
RESET_TTL_SECONDS = 3600
MIN_PASSWORD_LENGTH = 8

EMAIL_VERIFICATION = "email_verification"
PASSWORD_RESET = "password_reset"


def new_token() -> str:
    """An opaque, URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps instead of the token (SHA-256 suffices: the token is random, not a password)."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_too_short(password: str) -> bool:
    return len(password) < MIN_PASSWORD_LENGTH


def link(public_app_url: str, page: str, token: str) -> str:
    """A link into the web client; the base is a setting, never a request header."""
    return f"{public_app_url}/{page}?{urlencode({'token': token})}"
