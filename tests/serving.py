"""The app under real Hypercorn on a loopback port, for streaming, disconnect and pool tests."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart


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


def parse_frames(raw: str) -> list[dict]:
    """Every `data:` frame of an SSE body, each asserted to be one JSON object with a `type`."""
    events = []
    for block in raw.split("\n\n"):
        if not block or block.startswith(":"):
            continue
        assert block.startswith("data: ") and "\n" not in block, f"not one data line: {block!r}"
        event = json.loads(block[len("data: ") :])
        assert isinstance(event, dict) and "type" in event, event
        events.append(event)
    return events
