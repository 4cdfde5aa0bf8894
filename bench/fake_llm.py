"""The fake LLM provider as a process of its own, streaming every reply at a fixed token rate.

    python -m bench.fake_llm --port 8199 --control-port 8198 --tokens-per-second 10 --reply-tokens 300

Besides the provider's API on `--port`, a small control server on `--control-port` (loopback, plain
stdlib HTTP, so it costs the measured provider nothing) answers

    GET  /stats            {"chunks_sent": n, "open_streams": m}: the relayed-token count bench divides by
    POST /short?count=N    the next N chat requests get a three-token reply (the idle first-token samples,
                           which close after their first chunk: the service then reads the rest of the reply
                           in the background, and a full-length one would still be relaying into the next
                           measurement)
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fakes.llm_server import FakeLLMServer, Reply

SHORT_REPLY = ["tok0 ", "tok1 ", "tok2 "]


class Counter:
    """Chunks the fake has handed to its HTTP server, across every stream (one event loop updates it)."""

    chunks_sent = 0


class CountingReply(Reply):
    """A reply whose streamed frames are counted as they go out, not when they are scripted: a stream
    cut short counts only what it sent."""

    def frames(self, text_frame: Callable[[int, str], bytes]) -> Iterator[bytes]:  # type: ignore[override]
        for frame in super().frames(text_frame):
            yield frame
            # Reached when the server asks for the next frame, so the one above has been written.
            Counter.chunks_sent += 1


def control_handler(fake: FakeLLMServer, chunk_delay: float) -> type[BaseHTTPRequestHandler]:
    class Control(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if urlsplit(self.path).path != "/stats":
                self.send_error(404)
                return
            self._json({"chunks_sent": Counter.chunks_sent, "open_streams": fake.open_streams})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/short":
                self.send_error(404)
                return
            count = int(parse_qs(url.query).get("count", ["1"])[0])
            fake.script(CountingReply(chunks=SHORT_REPLY, chunk_delay=chunk_delay, times=count))
            self._json({"scripted": count})

        def _json(self, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # one line per control request would drown the fake's log

    return Control


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--tokens-per-second", type=float, default=10.0)
    parser.add_argument("--reply-tokens", type=int, default=300)
    args = parser.parse_args()
    delay = 1 / args.tokens_per_second
    tokens = [f"tok{index} " for index in range(args.reply_tokens)]
    server = FakeLLMServer(record=False, default=CountingReply(chunks=tokens, chunk_delay=delay))
    server.port = args.port
    server.start()
    control = ThreadingHTTPServer(("127.0.0.1", args.control_port), control_handler(server, delay))
    threading.Thread(target=control.serve_forever, daemon=True).start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    control.shutdown()
    server.stop()


if __name__ == "__main__":
    main()
