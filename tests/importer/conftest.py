from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from jarlpm.auth import passwords
from jarlpm.importer.report import Report
from jarlpm.importer.runner import import_database
from tests.importer import original


@pytest.fixture(autouse=True)
def _legacy_hash_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signing in with an imported bcrypt hash switches the process-wide decoy on: undone after each test."""
    monkeypatch.setattr(passwords._LegacyHashes, "present", passwords._LegacyHashes.present)


@pytest.fixture
def original_url(pg_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A database of the same test server holding the original's schema and data set (never migrated by us)."""
    url, janitor = pg_server.new_database()
    try:
        yield url
    finally:
        janitor.drop()


@pytest.fixture
async def original_db(original_url: str) -> str:
    await original.build(original_url)
    return original_url


@pytest.fixture
def run_import(original_db: str, database_url: str, settings):  # type: ignore[no-untyped-def]
    """Import the original into this test's database, with the app's encryption key."""

    async def run(*, dry_run: bool = False, secret: str = original.OLD_SECRET) -> Report:
        return await import_database(
            original_db, database_url, encryption_key=settings.encryption_key, original_secret=secret, dry_run=dry_run
        )

    return run


@pytest.fixture
async def imported(run_import) -> AsyncIterator[Report]:  # type: ignore[no-untyped-def]
    yield await run_import()
