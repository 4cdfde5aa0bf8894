"""Holds S epic chats open against the service (a process of its own), and times the first token.

    python -m bench.streams --url http://127.0.0.1:8101 --fake-url http://127.0.0.1:8199 \
        --control-url http://127.0.0.1:8198 --users 200 --streams 50

Before opening the streams it times the first token of the fake provider alone and of JarlPM with
nothing else running (what JarlPM adds; those samples get short replies from the fake's control port, so
nothing is left relaying afterwards), then opens the S streams at once.

Lines on stdout, each a word and a JSON object:
    STARTED {...}   once every stream has its first token, or has been refused or has failed
    MARK {...}      answer to a line `MARK` on stdin: the tokens received so far over every stream, so the
                    caller can tell tokens relayed to the client from tokens the fake sent
    FINISHED {...}  once every stream has ended: how each ended (done, refused with its code, failed)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field

import httpx

from bench.seed import token, user_epic
from tests.fakes.llm_server import VALID_KEY

# Every token the bench fake sends reads `tok<n> `; counting them in the received text counts the tokens
# relayed to this client, whatever the service coalesced them into.
TOKEN_MARK = "tok"


@dataclass
class Outcome:
    ttft: float | None = None
    status: int | None = None
    code: str | None = None  # the `code` of a refusal's JSON body
    ended: str = "incomplete"  # done, refused, error_event, http_<status>, an exception's name, incomplete
    seconds: float = 0.0


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)
    tokens_received: int = 0

    def waiting_for_first_token(self) -> bool:
        return any(o.ttft is None and o.ended == "incomplete" for o in self.outcomes)


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


def refusal_code(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed.get("code") if isinstance(parsed, dict) else None


async def one_chat(client: httpx.AsyncClient, url: str, index: int, users: int, tally: Tally) -> None:
    user, epic = index % users + 1, index // users + 1
    headers = {"Authorization": f"Bearer {token(user)}"}
    started = time.perf_counter()
    outcome = Outcome()
    tally.outcomes.append(outcome)
    try:
        async with client.stream(
            "POST", f"{url}/api/epics/{user_epic(user, epic)}/chat", json={"content": "Tell me more"}, headers=headers
        ) as response:
            outcome.status = response.status_code
            if response.status_code != 200:
                outcome.code = refusal_code(await response.aread())
                outcome.ended = "refused" if response.status_code == 503 else f"http_{response.status_code}"
                return
            async for text in response.aiter_text():
                if outcome.ttft is None and '"type":"chunk"' in text:
                    outcome.ttft = time.perf_counter() - started
                tally.tokens_received += text.count(TOKEN_MARK)
                if '"type":"error"' in text:
                    outcome.ended = "error_event"
                elif '"type":"done"' in text and outcome.ended == "incomplete":
                    outcome.ended = "done"
    except httpx.HTTPError as error:
        outcome.ended = type(error).__name__
    finally:
        outcome.seconds = time.perf_counter() - started


async def answer_marks(tally: Tally) -> None:
    """Prints `MARK {...}` for every `MARK` line on stdin, until stdin closes."""
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        if line.strip() == b"MARK":
            mark = {"tokens_received": tally.tokens_received, "at": time.monotonic()}
            print("MARK " + json.dumps(mark), flush=True)


def endings(tally: Tally) -> dict:
    ended: dict[str, int] = {}
    refused: dict[str, int] = {}
    for outcome in tally.outcomes:
        ended[outcome.ended] = ended.get(outcome.ended, 0) + 1
        if outcome.ended == "refused":
            code = outcome.code or "no code"
            refused[code] = refused.get(code, 0) + 1
    failed = sum(n for kind, n in ended.items() if kind not in ("done", "refused"))
    return {
        "ended": ended,
        "done": ended.get("done", 0),
        "refused": refused,
        "failed": failed,
        "tokens_received": tally.tokens_received,
    }


async def main(args: argparse.Namespace) -> None:
    limits = httpx.Limits(max_connections=args.streams + 20, max_keepalive_connections=args.streams + 20)
    async with httpx.AsyncClient(timeout=httpx.Timeout(120, connect=30), limits=limits) as client:
        # Both sets of idle samples get a short reply (the fake's own samples take one each, too).
        await client.post(f"{args.control_url}/short", params={"count": 2 * args.idle_samples})
        fake = await fake_first_token(client, args.fake_url, args.idle_samples)
        idle = await idle_first_token(client, args.url, args.idle_samples)
        tally = Tally()
        marks = asyncio.create_task(answer_marks(tally))
        tasks = [asyncio.create_task(one_chat(client, args.url, i, args.users, tally)) for i in range(args.streams)]
        # Polls until every stream has its first token (they keep running afterwards, held open): the
        # condition spans many tasks' results, which no single event reports.
        while len(tally.outcomes) < args.streams or tally.waiting_for_first_token():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        ttfts = [o.ttft for o in tally.outcomes if o.ttft is not None]
        summary = {
            "streams": args.streams,
            "open": len(ttfts),
            "opened_200": sum(o.status == 200 for o in tally.outcomes),
            "fake_ttft_p50_ms": percentile(fake, 0.5) * 1000,
            "idle_ttft_p50_ms": percentile(idle, 0.5) * 1000,
            "idle_ttft_p95_ms": percentile(idle, 0.95) * 1000,
            "ttft_p50_ms": percentile(ttfts, 0.5) * 1000,
            "ttft_p95_ms": percentile(ttfts, 0.95) * 1000,
            "ttft_mean_ms": statistics.mean(ttfts) * 1000 if ttfts else None,
        }
        print("STARTED " + json.dumps(summary), flush=True)
        await asyncio.gather(*tasks)
        print("FINISHED " + json.dumps({**summary, **endings(tally)}), flush=True)
        marks.cancel()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--fake-url", required=True)
    parser.add_argument("--control-url", required=True, help="the bench fake's control server (bench/fake_llm.py)")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--streams", type=int, required=True)
    parser.add_argument("--idle-samples", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
