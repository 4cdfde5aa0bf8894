"""Time to first token: the fake provider on its own, and through JarlPM's prelude + SSE stream.

    python -m bench.first_token [--requests 200]

Starts a throwaway embedded PostgreSQL (or uses BENCH_DATABASE_URL), the fake LLM server and the app
under Hypercorn on loopback; prints p50/p95 of both and the difference JarlPM adds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import httpx2

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="jarlpm-xdg-"))

from cryptography.fernet import Fernet

from jarlpm.app import create_app
from jarlpm.config import Settings
from jarlpm.db import embedded, migrate
from jarlpm.llm.calls import LLMCall, stream
from tests.db.helpers import fetch
from tests.fakes.llm_server import VALID_KEY, FakeLLMServer, Reply
from tests.http.sse_routes import CREATE_TABLE
from tests.http.sse_routes import blueprint as sse_routes
from tests.serving import served

REPLY = Reply(chunks=["first", " second", " third"])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def fake_alone(fake: FakeLLMServer, count: int) -> list[float]:
    timings = []
    async with httpx2.AsyncClient() as http:
        call = LLMCall("openai", "m", fake.openai_url, VALID_KEY, http)
        for _ in range(count):
            fake.script(REPLY)
            started = time.perf_counter()
            async for _ in stream(call, "system", [{"role": "user", "content": "hi"}]):
                timings.append(time.perf_counter() - started)
                break
    return timings


async def through_jarlpm(url: str, count: int) -> list[float]:
    timings = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        signup = await http.post(
            "/api/auth/signup", json={"email": "b@jarlpm.dev", "password": "bench password", "name": "B"}
        )
        headers = {"Authorization": f"Bearer {signup.cookies['session_token']}"}
        http.cookies.clear()
        await http.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY}, headers=headers)
        for _ in range(count):
            started = time.perf_counter()
            async with http.stream("POST", "/api/_test/chat", json={"content": "hi"}, headers=headers) as response:
                async for text in response.aiter_text():
                    if '"type":"chunk"' in text:
                        timings.append(time.perf_counter() - started)
                        break
    return timings


async def main(count: int) -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or embedded.start(Path(tempfile.mkdtemp(prefix="jarlpm-bench-")))
    await asyncio.to_thread(migrate.upgrade, url)
    await fetch(url, "DROP TABLE IF EXISTS test_messages")
    await fetch(url, CREATE_TABLE)
    fake = FakeLLMServer().start()
    fake.script(*[REPLY] * count)
    settings = Settings(
        env="test",
        database_url=url,
        encryption_key=Fernet.generate_key().decode(),
        rate_limits_enabled=False,
        llm_openai_base_url=fake.openai_url,
    )
    app = create_app(settings)
    app.register_blueprint(sse_routes)
    try:
        alone = await fake_alone(fake, count)
        async with served(app) as base:
            jarlpm = await through_jarlpm(base, count)
    finally:
        fake.stop()
        embedded.stop_all()
    print(f"time to first token over {count} requests (ms)")
    print(f"{'':24}{'p50':>8}{'p95':>8}{'mean':>8}")
    for name, values in (("fake provider alone", alone), ("through JarlPM (SSE)", jarlpm)):
        print(
            f"{name:24}{percentile(values, 0.5) * 1000:8.2f}{percentile(values, 0.95) * 1000:8.2f}"
            f"{statistics.mean(values) * 1000:8.2f}"
        )
    added = (percentile(jarlpm, 0.5) - percentile(alone, 0.5)) * 1000
    print(f"JarlPM adds {added:.2f} ms at p50 (auth, prelude transaction, key decryption, SSE framing)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    asyncio.run(main(parser.parse_args().requests))
