from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.smtp_server import FakeSMTPServer


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


