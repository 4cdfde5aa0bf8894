"""HTTP plumbing shared by the domain rooms: settings access, auth, CORS, rate limits, access logs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quart import current_app

if TYPE_CHECKING:
    from jarlpm.config import Settings

SETTINGS_KEY = "jarlpm.settings"


def current_settings() -> Settings:
    return current_app.extensions[SETTINGS_KEY]
