"""Reading Server-Sent Events in tests: whole bodies from the test client, partial ones from httpx streams."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx

from tests.helpers import User

CHUNK_FRAME = '"type":"chunk"'


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


def joined(events: list[dict]) -> list[dict]:
    """The events with neighbouring plain `chunk` events joined into one: the relay may join deltas that
    arrive together (how many depends on load), so tests compare text and order, not provider splits."""
    out: list[dict] = []
    for event in events:
        if event.get("type") == "chunk" and len(event) == 2 and out and out[-1].get("type") == "chunk":
            out[-1] = {"type": "chunk", "content": out[-1]["content"] + event["content"]}
        else:
            out.append(dict(event))
    return out


async def stream_events(user: User, path: str, body: dict) -> list[dict]:
    """POST `body` to a streaming route as `user`; the events it sent, once the stream has ended."""
    response = await user.post(path, json=body)
    assert response.status_code == 200, await response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/event-stream")
    return parse_frames(await response.get_data(as_text=True))


async def read_until_text(response: httpx.Response, text: str) -> tuple[str, AsyncIterator[str]]:
    """Read an httpx stream until its `chunk` events spell `text` (however the relay joined them)."""
    reader = response.aiter_text()
    seen = ""
    while "".join(e["content"] for e in parse_frames(seen) if e["type"] == "chunk") != text:
        seen += await anext(reader)
    return seen, reader


async def read_until_chunks(response: httpx.Response, count: int) -> tuple[str, AsyncIterator[str]]:
    """Read an httpx stream until `count` chunk events arrived; the text so far and the rest, unread.

    Leaving the `http.stream(...)` block right after is how a test disconnects mid-reply.
    """
    reader = response.aiter_text()
    seen = ""
    while seen.count(CHUNK_FRAME) < count:
        seen += await anext(reader)
    return seen, reader
