"""Streamed deltas that wait side by side go out as one `chunk` event: never split, never reordered,
never held back, never past the bound. End to end: real Hypercorn, httpx, the fake provider."""

from __future__ import annotations

import time

import httpx

from jarlpm.http.sse import MAX_JOINED_CHUNK
from tests.fakes.llm_server import Reply
from tests.http.helpers import messages, start
from tests.serving import served, signed_in
from tests.sse import parse_frames


async def _chat(make_settings, database_url, fake_llm, reply: Reply) -> list[dict]:  # type: ignore[no-untyped-def]
    fake_llm.script(reply)
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        response = await http.post("/api/_test/chat", json={"content": "Hi"}, headers=headers)
    assert response.status_code == 200
    return parse_frames(response.text)


def _texts(events: list[dict]) -> list[str]:
    texts = [event["content"] for event in events if event["type"] == "chunk"]
    assert events[len(texts) :] == [{"type": "saved", "length": sum(map(len, texts))}, {"type": "done"}]
    return texts


def _assert_whole_deltas_in_order(texts: list[str], deltas: list[str]) -> None:
    """Each event is a run of consecutive deltas, joined: none split, none reordered, none lost."""
    index = 0
    for text in texts:
        joined = ""
        while len(joined) < len(text):
            joined += deltas[index]
            index += 1
        assert joined == text
    assert index == len(deltas)


async def test_tiny_deltas_without_delay_go_out_as_fewer_events(make_settings, database_url, fake_llm) -> None:
    deltas = [f"t{n} " for n in range(300)]
    texts = _texts(await _chat(make_settings, database_url, fake_llm, Reply(chunks=deltas)))
    assert len(texts) < len(deltas)
    _assert_whole_deltas_in_order(texts, deltas)
    assert await messages(database_url) == [("user", "Hi", None), ("assistant", "".join(deltas), "completed")]


async def test_unicode_split_across_deltas_and_the_bound(make_settings, database_url, fake_llm) -> None:
    # A skin-toned thumb, a combining accent and a family (ZWJ sequence), each split between deltas.
    graphemes = ["👍", "🏽 ", "e", "\u0301 ", "👨", "\u200d", "👩", "\u200d👧", " done"]
    long = [("x" * 999 + "\n") for _ in range(60)] + ["y" * (MAX_JOINED_CHUNK + 100)]  # one delta past the bound
    deltas = graphemes + long
    texts = _texts(await _chat(make_settings, database_url, fake_llm, Reply(chunks=deltas)))
    _assert_whole_deltas_in_order(texts, deltas)
    assert "".join(texts).startswith("👍🏽 e\u0301 👨\u200d👩\u200d👧 done")
    # Joined events stay within the bound; the one delta larger than it goes out whole, on its own.
    assert [len(text) for text in texts if len(text) > MAX_JOINED_CHUNK] == [MAX_JOINED_CHUNK + 100]
    assert await messages(database_url) == [("user", "Hi", None), ("assistant", "".join(deltas), "completed")]


async def test_spaced_deltas_stay_apart_and_the_first_is_not_held(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(Reply(chunks=["First ", "second ", "third"], chunk_delay=0.6))
    app = await start(make_settings, database_url)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await signed_in(http)
        async with http.stream("POST", "/api/_test/chat", json={"content": "Hi"}, headers=headers) as response:
            raw, first_seen = "", None
            async for read in response.aiter_text():
                raw += read
                if first_seen is None and '"type":"chunk"' in raw:
                    first_seen = time.monotonic()
            ended = time.monotonic()
    assert first_seen is not None
    assert ended - first_seen > 0.9  # the first went out as it came, not with the two after it
    assert _texts(parse_frames(raw)) == ["First ", "second ", "third"]
