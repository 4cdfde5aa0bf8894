"""Wall time of one five-persona poker estimate, each persona's reply delayed by the fake provider.

    python -m bench.poker_timing [--delay 1.0] [--rounds 3]

The personas are asked at once, so a round should last about one delay, not five. Starts a throwaway
embedded PostgreSQL (or uses BENCH_DATABASE_URL), the fake LLM server and the app under Hypercorn.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="jarlpm-xdg-"))

from cryptography.fernet import Fernet

from jarlpm.app import create_app
from jarlpm.config import Settings
from jarlpm.db import embedded, migrate
from tests.builders import SMALL_STORY, persona_answer
from tests.fakes.llm_server import VALID_KEY, FakeLLMServer, Reply
from tests.serving import served


async def signed_in_story(http: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    signup = await http.post(
        "/api/auth/signup", json={"email": "p@jarlpm.dev", "password": "bench password", "name": "P"}
    )
    headers = {"Authorization": f"Bearer {signup.cookies['session_token']}"}
    http.cookies.clear()
    await http.post("/api/llm-providers", json={"provider": "openai", "api_key": VALID_KEY}, headers=headers)
    story = await http.post("/api/stories/standalone", json=SMALL_STORY, headers=headers)
    return headers, story.json()["story_id"]


async def one_round(http: httpx.AsyncClient, headers: dict[str, str], story_id: str) -> float:
    started = time.perf_counter()
    response = await http.post("/api/poker/estimate", json={"story_id": story_id}, headers=headers)
    elapsed = time.perf_counter() - started
    if '"type":"summary"' not in response.text:
        raise RuntimeError(f"the round did not end with a summary: {response.text[-300:]}")
    return elapsed


async def main(delay: float, rounds: int) -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or embedded.start(Path(tempfile.mkdtemp(prefix="jarlpm-bench-")))
    await asyncio.to_thread(migrate.upgrade, url)
    fake = FakeLLMServer(record=False).start()
    settings = Settings(
        env="test",
        database_url=url,
        encryption_key=Fernet.generate_key().decode(),
        rate_limits_enabled=False,
        llm_openai_base_url=fake.openai_url,
    )
    timings = []
    try:
        async with served(create_app(settings)) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
            headers, story_id = await signed_in_story(http)
            for _ in range(rounds):
                fake.script(*(Reply(text=persona_answer(5), first_delay=delay) for _ in range(5)))
                timings.append(await one_round(http, headers, story_id))
    finally:
        fake.stop()
        embedded.stop_all()
    shown = ", ".join(f"{value:.2f}" for value in timings)
    print(
        f"one five-persona estimate, {delay:.1f} s per persona reply: {shown} s (sequential would be {5 * delay:.1f} s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.delay, arguments.rounds))
