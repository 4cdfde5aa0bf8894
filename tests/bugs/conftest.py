from __future__ import annotations

import pytest

from tests.epics.conftest import with_provider
from tests.helpers import User, new_user


@pytest.fixture
async def pm(app, fake_llm) -> User:
    return await with_provider(await new_user(app, "pm@jarlpm.dev", name="Pat"))


@pytest.fixture
async def other(app, fake_llm) -> User:
    return await with_provider(await new_user(app, "other@jarlpm.dev", name="Oz"))
