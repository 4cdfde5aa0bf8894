from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from jarlpm.app import create_app
from jarlpm.auth import passwords
from tests.fakes.smtp_server import FakeSMTPServer
from tests.helpers import PASSWORD


@pytest.fixture
def smtp_server() -> Iterator[FakeSMTPServer]:
    server = FakeSMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def settings(make_settings, database_url, smtp_server):  # type: ignore[no-untyped-def]
    return make_settings(
        database_url,
        email_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_starttls=False,
        smtp_from="JarlPM <no-reply@jarlpm.dev>",
        public_app_url="https://app.jarlpm.dev",
    )


@pytest.fixture
async def limited_app(make_settings, database_url):  # type: ignore[no-untyped-def]
    """Limits on, behind one trusted proxy, so a test picks the client address with X-Forwarded-For."""
    settings = make_settings(database_url, rate_limits_enabled=True, trust_proxy_headers=1)
    async with create_app(settings).test_app() as app:
        yield app


class VerifierCalls:
    """Stands in for argon2's verify in the worker thread: records each call, then lets `check` answer."""

    def __init__(self, check: Callable[[str, str], bool]) -> None:
        self.check = check
        self.passwords: list[str] = []  # list.append is atomic: calls may come from several threads

    def __call__(self, password_hash: str, password: str) -> bool:
        self.passwords.append(password)
        return self.check(password_hash, password)

    @property
    def count(self) -> int:
        return len(self.passwords)


def _knows_only_the_test_password(password_hash: str, password: str) -> bool:
    if password != PASSWORD:
        raise VerifyMismatchError
    return True


def _replace_verify(monkeypatch: pytest.MonkeyPatch, calls: VerifierCalls) -> VerifierCalls:
    # PasswordHasher has slots, so the method is replaced on the class; a plain callable is not bound to self.
    monkeypatch.setattr(PasswordHasher, "verify", calls)
    return calls


@pytest.fixture
def verifier(monkeypatch: pytest.MonkeyPatch) -> VerifierCalls:
    """Counts argon2 verifications; argon2 still does the work."""
    return _replace_verify(monkeypatch, VerifierCalls(partial(PasswordHasher.verify, passwords._hasher)))


@pytest.fixture
def fast_verifier(monkeypatch: pytest.MonkeyPatch) -> VerifierCalls:
    """Counts verifications but answers at once (only PASSWORD is right), so a test may fail a hundred times."""
    return _replace_verify(monkeypatch, VerifierCalls(_knows_only_the_test_password))
