from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jarlpm.app import create_app
from tests.admin.helpers import ADMIN_EMAIL, ADMIN_TOKEN


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    return tmp_path / "backups"


@pytest.fixture
async def admin_app(make_settings, database_url, backup_dir) -> AsyncIterator:  # type: ignore[no-untyped-def]
    """The app with both admin doors configured: the token and one allowlisted address."""
    settings = make_settings(
        database_url, admin_token=ADMIN_TOKEN, admin_email_allowlist=(ADMIN_EMAIL,), backup_dir=backup_dir
    )
    async with create_app(settings).test_app() as app:
        yield app
