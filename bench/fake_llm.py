"""The fake LLM provider as a process of its own, streaming every reply at a fixed token rate.

python -m bench.fake_llm --port 8199 --tokens-per-second 10 --reply-tokens 300
"""

from __future__ import annotations

import argparse
import signal
import threading

from tests.fakes.llm_server import FakeLLMServer, Reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens-per-second", type=float, default=10.0)
    parser.add_argument("--reply-tokens", type=int, default=300)
    args = parser.parse_args()
    tokens = [f"tok{index} " for index in range(args.reply_tokens)]
    server = FakeLLMServer(record=False, default=Reply(chunks=tokens, chunk_delay=1 / args.tokens_per_second))
    server.port = args.port
    server.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
