"""The fake Azure DevOps organisation, started once per session and emptied for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.azure_devops_server import FakeAzureDevOps


@pytest.fixture(scope="session")
def ado_server() -> Iterator[FakeAzureDevOps]:
    with FakeAzureDevOps.running() as server:
        yield server


@pytest.fixture
def ado(ado_server: FakeAzureDevOps) -> FakeAzureDevOps:
    ado_server.reset()
    return ado_server
