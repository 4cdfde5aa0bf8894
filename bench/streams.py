"""Holds S epic chats open against the service (a process of its own), and times the first token.

    python -m bench.streams --url http://127.0.0.1:8101 --fake-url http://127.0.0.1:8199 --users 200 --streams 50

Prints `STARTED {...}` once every stream has its first token (or has failed), then `FINISHED {...}`.
Before opening the streams it times the first token of the fake provider alone and of JarlPM with
nothing else running (what JarlPM adds), then the first tokens of the S streams opened at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx

from bench.seed import token, user_epic
from tests.fakes.llm_server import VALID_KEY


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


async def fake_first_token(client: httpx.AsyncClient, fake_url: str, samples: int) -> list[float]:
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    headers = {"Authorization": f"Bearer {VALID_KEY}"}
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        async with client.stream("POST", f"{fake_url}/v1/chat/completions", json=body, headers=headers) as response:
            async for _ in response.aiter_raw():
                timings.append(time.perf_counter() - started)
                break
    return timings


async def idle_first_token(client: httpx.AsyncClient, url: str, samples: int) -> list[float]:
    """JarlPM's first token with nothing else running: one chat at a time, closed after its first chunk."""
    timings = []
    for sample in range(samples):
        headers = {"Authorization": f"Bearer {token(1)}"}
        started = time.perf_counter()
        path = f"{url}/api/epics/{user_epic(1, 3 + sample % 10)}/chat"
        async with client.stream("POST", path, json={"content": "Quick question"}, headers=headers) as response:
            async for text in response.aiter_text():
                if '"type":"chunk"' in text:
                    timings.append(time.perf_counter() - started)
                    break
    return timings


async def one_chat(client: httpx.AsyncClient, url: str, index: int, users: int, results: list) -> None:
    user, epic = index % users + 1, index // users + 1
    headers = {"Authorization": f"Bearer {token(user)}"}
    started = time.perf_counter()
    outcome: dict = {"ttft": None, "status": None, "ended": "incomplete"}
    results.append(outcome)
    try:
        async with client.stream(
            "POST", f"{url}/api/epics/{user_epic(user, epic)}/chat", json={"content": "Tell me more"}, headers=headers
        ) as response:
            outcome["status"] = response.status_code
            if response.status_code != 200:
                outcome["ended"] = f"http_{response.status_code}"
                return
            async for text in response.aiter_text():
                if outcome["ttft"] is None and '"type":"chunk"' in text:
                    outcome["ttft"] = time.perf_counter() - started
                if '"type":"error"' in text:
                    outcome["ended"] = "error_event"
                elif '"type":"done"' in text:
                    outcome["ended"] = "done"
    except httpx.HTTPError as error:
        outcome["ended"] = type(error).__name__
    finally:
        outcome["seconds"] = time.perf_counter() - started


async def main(args: argparse.Namespace) -> None:
    limits = httpx.Limits(max_connections=args.streams + 20, max_keepalive_connections=args.streams + 20)
    async with httpx.AsyncClient(timeout=httpx.Timeout(120, connect=30), limits=limits) as client:
        fake = await fake_first_token(client, args.fake_url, args.fake_samples)
        idle = await idle_first_token(client, args.url, args.fake_samples)
        results: list[dict] = []
        tasks = [asyncio.create_task(one_chat(client, args.url, i, args.users, results)) for i in range(args.streams)]
        # Polls until every stream has its first token (they keep running afterwards, held open): the
        # condition spans many tasks' results, which no single event reports.
        while len(results) < args.streams or any(r["ttft"] is None and r["ended"] == "incomplete" for r in results):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        ttfts = [r["ttft"] for r in results if r["ttft"] is not None]
        summary = {
            "streams": args.streams,
            "open": len(ttfts),
            "fake_ttft_p50_ms": percentile(fake, 0.5) * 1000,
            "idle_ttft_p50_ms": percentile(idle, 0.5) * 1000,
            "ttft_p50_ms": percentile(ttfts, 0.5) * 1000,
            "ttft_p95_ms": percentile(ttfts, 0.95) * 1000,
            "ttft_mean_ms": statistics.mean(ttfts) * 1000 if ttfts else None,
        }
        print("STARTED " + json.dumps(summary), flush=True)
        await asyncio.gather(*tasks)
        ended: dict[str, int] = {}
        for result in results:
            ended[result["ended"]] = ended.get(result["ended"], 0) + 1
        print("FINISHED " + json.dumps({**summary, "ended": ended}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--fake-url", required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--streams", type=int, required=True)
    parser.add_argument("--fake-samples", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
