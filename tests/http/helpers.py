"""The test streaming route's app and what it stored, for the SSE and reply tests."""

from __future__ import annotations

from quart import Quart

from jarlpm.app import create_app
from tests.db.helpers import fetch
from tests.http.sse_routes import CREATE_TABLE
from tests.http.sse_routes import blueprint as sse_test_routes


async def start(make_settings, database_url, **overrides) -> Quart:  # type: ignore[no-untyped-def]
    """The app with the test streaming route (/api/_test/chat) and the table it writes to."""
    await fetch(database_url, CREATE_TABLE)
    app = create_app(make_settings(database_url, **overrides))
    app.register_blueprint(sse_test_routes)
    return app


async def messages(database_url: str) -> list[tuple]:
    """What the test route stored: (role, content, status), oldest first."""
    rows = await fetch(database_url, "SELECT role, content, status FROM test_messages ORDER BY id")
    return [(row["role"], row["content"], row["status"]) for row in rows]
