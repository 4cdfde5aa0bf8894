"""The app under real Hypercorn on a loopback port, for streaming, disconnect and pool tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart

from tests.fakes.llm_server import VALID_KEY
from tests.helpers import PASSWORD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def served(app: Quart) -> AsyncIterator[str]:
    """Serve `app` (startup and shutdown included) until the block ends; yields its base URL."""
    port = free_port()
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    config.errorlog = None
    config.graceful_timeout = 1
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
    for _ in range(500):
        if server.done():
            server.result()  # startup failed: raise why
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await asyncio.wait_for(server, 15)


async def signed_in(http: httpx.AsyncClient, provider: str | None = "openai") -> dict[str, str]:
    """Sign up on the served app (with an active `provider` unless None); the bearer headers to send."""
    signup = await http.post("/api/auth/signup", json={"email": "s@jarlpm.dev", "password": PASSWORD, "name": "S"})
    headers = {"Authorization": f"Bearer {signup.cookies['session_token']}"}
    # Only the headers authenticate: a request sent without them stays anonymous.
    http.cookies.clear()
    if provider:
        saved = await http.post(
            "/api/llm-providers", json={"provider": provider, "api_key": VALID_KEY}, headers=headers
        )
        assert saved.status_code == 200
    return headers
