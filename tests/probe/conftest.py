"""The probe's fixtures: the fake Azure DevOps organisation, as its own room's tests start it."""

from tests.integrations_azure_devops.conftest import ado, ado_server

__all__ = ["ado", "ado_server"]
