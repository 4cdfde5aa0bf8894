"""A real HTTP fake of the LLM providers on a loopback port, so the real SDK code paths run in tests.

It speaks OpenAI (`GET /v1/models`, `POST /v1/chat/completions`, streamed and not, and
`POST /v1/images/generations`: `image_bytes` base64-encoded, or an `image_status` error) and Anthropic
(`GET /v1/models` with `x-api-key`, `POST /v1/messages`, streamed and not). Replies are scripted with
`Reply` objects: text and chunking, per-chunk delays, a silent stretch before the first chunk, a
stream held open until `release()`, and injected failures (an HTTP status, or a dropped connection).
What a broken provider sends can be scripted too: a raw body (an HTML page answering 200), raw bytes
in place of the streamed text frames (a malformed chunk; `openai_text_frame` / `anthropic_text_frame`
build good ones to go around it), or another Content-Type. Text goes out through json.dumps, so U+0000
and lone surrogates travel as the escapes `\\u0000` and `\\ud800`, exactly as a real provider sends them.

It runs Quart under Hypercorn on its own event loop in a thread, so it serves the app under test
whichever loop that runs on.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart, Response, request

VALID_KEY = "sk-fake-valid-key-0123456789"
# The smallest valid PNG: one transparent pixel (what the images endpoint answers by default).
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@dataclass
class Reply:
    """What the fake answers to the next chat/messages request(s)."""

    text: str = "Hello from the fake provider."
    chunks: list[str] | None = None  # default: the text split after each space
    chunk_delay: float = 0.0  # seconds between chunks
    first_delay: float = 0.0  # silence before the first chunk
    status: int = 200  # anything else: an error response in the provider's shape
    drop_after: int | None = None  # close the connection abruptly after this many chunks
    hold: bool = False  # after the chunks, keep the stream open until FakeLLMServer.release()
    times: int = 1  # how many requests this reply serves (an SDK retries failures)
    raw_body: bytes | None = None  # the whole answer, at once, with `status` (streamed or not); text/html unless told
    raw_chunks: list[bytes] | None = None  # streamed: sent as is in place of the text frames, paced like them
    content_type: str | None = None  # overrides the Content-Type of whatever is answered
    input_tokens: int = 11  # the usage the fake reports (OpenAI: only when the request asks for it)
    output_tokens: int = 7

    def pieces(self) -> list[str]:
        return self.chunks if self.chunks is not None else re.findall(r"\S+\s*|\s+", self.text) or [""]

    def frames(self, text_frame: Callable[[int, str], bytes]) -> list[bytes]:
        """The streamed body between the dialect's opening and closing frames."""
        if self.raw_chunks is not None:
            return self.raw_chunks
        return [text_frame(index, piece) for index, piece in enumerate(self.pieces())]


class DroppedConnection(Exception):
    """Raised inside a streamed body: Hypercorn then closes the connection without finishing it."""


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeLLMServer:
    valid_keys: set[str] = field(default_factory=lambda: {VALID_KEY})
    models_status: int = 200  # inject a failure into GET /v1/models
    refuse_stream_options: bool = False  # answer 400 to `stream_options`, as some local servers do
    models_raw_body: bytes | None = None  # answer GET /v1/models with these bytes (text/html) instead
    requests: list[RecordedRequest] = field(default_factory=list)
    default: Reply = field(default_factory=Reply)  # what answers when no reply is scripted
    record: bool = True  # benchmarks switch recording off
    image_bytes: bytes = TINY_PNG  # what POST /v1/images/generations answers, base64-encoded
    image_status: int = 200  # anything else: an OpenAI-shaped error from the images endpoint

    def __post_init__(self) -> None:
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread: threading.Thread | None = None
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.open_streams = 0

    # --- scripting -----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_url(self) -> str:
        return self.url

    def script(self, *replies: Reply | str) -> None:
        """Queue replies, served in order; when the queue is empty the default Reply() answers."""
        with self._lock:
            for reply in replies:
                # A copy: the count of requests served is kept on it, and a test may script one Reply twice.
                self._replies.append(Reply(text=reply) if isinstance(reply, str) else dataclasses.replace(reply))

    def reset(self) -> None:
        """Forget scripted replies, recorded requests and injected failures (between tests)."""
        with self._lock:
            self._replies.clear()
        self.requests.clear()
        self.valid_keys = {VALID_KEY}
        self.models_status = 200
        self.models_raw_body = None
        self.refuse_stream_options = False
        self.default = Reply()
        self.image_bytes = TINY_PNG
        self.image_status = 200
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._new_release_event)

    def _new_release_event(self) -> None:
        assert self._release is not None
        self._release.set()  # whatever was held from an earlier test may finish
        self._release = asyncio.Event()

    def release(self) -> None:
        """Let every held stream finish."""
        if self._loop is not None and self._release is not None:
            self._loop.call_soon_threadsafe(self._release.set)

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path in ("/v1/chat/completions", "/v1/messages")]

    def image_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v1/images/generations"]

    def _next_reply(self) -> Reply:
        with self._lock:
            if not self._replies:
                return dataclasses.replace(self.default)
            reply = self._replies[0]
            reply.times -= 1
            if reply.times <= 0:
                self._replies.popleft()
            return reply

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> FakeLLMServer:
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the fake LLM server did not start")
        self._wait_until_listening()
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self.release()
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("the fake LLM server is not listening")

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._release = asyncio.Event()
        self._stop = asyncio.Event()
        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.accesslog = None
        config.errorlog = None
        config.graceful_timeout = 0.5
        self._started.set()
        await serve(_build_app(self), config, shutdown_trigger=self._stop.wait)

    async def _held(self) -> None:
        assert self._release is not None
        await self._release.wait()


# --- the HTTP app ----------------------------------------------------------------------------------------


def _openai_error(status: int, message: str) -> Response:
    codes = {401: "invalid_api_key", 429: "rate_limit_exceeded"}
    body = {"error": {"message": message, "type": "invalid_request_error", "code": codes.get(status)}}
    return Response(json.dumps(body), status=status, content_type="application/json", headers=_retry_fast(status))


def _anthropic_error(status: int, message: str) -> Response:
    kinds = {401: "authentication_error", 429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}
    body = {"type": "error", "error": {"type": kinds.get(status, "api_error"), "message": message}}
    return Response(json.dumps(body), status=status, content_type="application/json", headers=_retry_fast(status))


def _retry_fast(status: int) -> dict[str, str]:
    # The SDKs honour retry-after-ms: their retries of injected failures then cost no test time.
    return {"retry-after-ms": "1", "retry-after": "0"} if status in (429, 500, 502, 503, 529) else {}


def _sse(data: dict[str, Any], event: str | None = None) -> bytes:
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {json.dumps(data)}\n\n".encode()


def _build_app(server: FakeLLMServer) -> Quart:
    app = Quart("fake_llm")

    async def record() -> dict[str, Any] | None:
        body = await request.get_json(silent=True)
        if server.record:
            headers = {k.lower(): v for k, v in request.headers.items()}
            server.requests.append(RecordedRequest(request.method, request.path, headers, body))
        return body

    def openai_key() -> str | None:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        return key if scheme.lower() == "bearer" else None

    def anthropic_key() -> str | None:
        # The Anthropic SDK sends x-api-key, or (newer releases) a bearer token, always with anthropic-version.
        return request.headers.get("x-api-key") or openai_key()

    async def pace(reply: Reply, index: int) -> None:
        delay = reply.first_delay if index == 0 else reply.chunk_delay
        if delay:
            await asyncio.sleep(delay)
        if reply.drop_after is not None and index >= reply.drop_after:
            raise DroppedConnection

    async def finish(reply: Reply) -> None:
        if reply.hold:
            await server._held()

    @app.get("/v1/models")
    async def models() -> Response:
        await record()
        anthropic = "anthropic-version" in request.headers
        error = _anthropic_error if anthropic else _openai_error
        key = anthropic_key() if anthropic else openai_key()
        if key not in server.valid_keys:
            return error(401, "invalid api key")
        if server.models_status != 200:
            return error(server.models_status, "injected failure")
        if server.models_raw_body is not None:
            return Response(server.models_raw_body, content_type="text/html")
        if anthropic:
            model = {
                "id": "claude-fake",
                "type": "model",
                "display_name": "Claude Fake",
                "created_at": "2025-01-01T00:00:00Z",
            }
            body = {"data": [model], "has_more": False, "first_id": "claude-fake", "last_id": "claude-fake"}
        else:
            body = {"object": "list", "data": [{"id": "gpt-fake", "object": "model", "created": 0, "owned_by": "fake"}]}
        return Response(json.dumps(body), content_type="application/json")

    @app.post("/v1/chat/completions")
    async def chat_completions() -> Response:
        body = await record() or {}
        if openai_key() not in server.valid_keys:
            return _openai_error(401, "Incorrect API key provided")
        if body.get("stream_options") is not None and server.refuse_stream_options:
            return _openai_error(400, "Unrecognized request argument supplied: stream_options")
        reply = server._next_reply()
        if reply.raw_body is not None:
            return _raw(reply)
        if reply.status != 200:
            return _openai_error(reply.status, f"injected HTTP {reply.status}")
        model = body.get("model", "gpt-fake")
        text = reply.text if reply.chunks is None else "".join(reply.chunks)
        if not body.get("stream"):
            await pace(reply, 0)
            await finish(reply)
            message = {"role": "assistant", "content": text}
            completion = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": _openai_usage(reply),
            }
            return Response(json.dumps(completion), content_type=reply.content_type or "application/json")

        def text_frame(index: int, piece: str) -> bytes:
            return openai_text_frame(piece, model=model, first=index == 0)

        async def stream() -> AsyncIterator[bytes]:
            server.open_streams += 1
            try:
                for index, frame in enumerate(reply.frames(text_frame)):
                    await pace(reply, index)
                    yield frame
                await finish(reply)
                yield _sse(_openai_chunk(model, {}, "stop"))
                if (body.get("stream_options") or {}).get("include_usage"):
                    yield _sse({**_openai_chunk(model, {}, None), "choices": [], "usage": _openai_usage(reply)})
                yield b"data: [DONE]\n\n"
            finally:
                server.open_streams -= 1

        return _streaming(stream(), reply.content_type)

    @app.post("/v1/images/generations")
    async def images() -> Response:
        await record()
        if openai_key() not in server.valid_keys:
            return _openai_error(401, "Incorrect API key provided")
        if server.image_status != 200:
            return _openai_error(server.image_status, f"injected HTTP {server.image_status}")
        image = base64.b64encode(server.image_bytes).decode("ascii")
        body = {"created": int(time.time()), "data": [{"b64_json": image}]}
        return Response(json.dumps(body), content_type="application/json")

    @app.post("/v1/messages")
    async def messages() -> Response:
        body = await record() or {}
        if anthropic_key() not in server.valid_keys:
            return _anthropic_error(401, "invalid x-api-key")
        reply = server._next_reply()
        if reply.raw_body is not None:
            return _raw(reply)
        if reply.status != 200:
            return _anthropic_error(reply.status, f"injected HTTP {reply.status}")
        model = body.get("model", "claude-fake")
        text = reply.text if reply.chunks is None else "".join(reply.chunks)
        if not body.get("stream"):
            await pace(reply, 0)
            await finish(reply)
            message = _anthropic_message(model, [{"type": "text", "text": text}], "end_turn", reply)
            return Response(json.dumps(message), content_type=reply.content_type or "application/json")

        async def stream() -> AsyncIterator[bytes]:
            server.open_streams += 1
            try:
                started = _anthropic_message(model, [], None, reply)
                started["usage"] = {"input_tokens": reply.input_tokens, "output_tokens": 1}
                yield _sse({"type": "message_start", "message": started}, "message_start")
                start = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
                yield _sse(start, "content_block_start")
                for index, frame in enumerate(reply.frames(lambda _, piece: anthropic_text_frame(piece))):
                    await pace(reply, index)
                    yield frame
                await finish(reply)
                yield _sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
                end = {"stop_reason": "end_turn", "stop_sequence": None}
                usage = {"output_tokens": reply.output_tokens}
                yield _sse({"type": "message_delta", "delta": end, "usage": usage}, "message_delta")
                yield _sse({"type": "message_stop"}, "message_stop")
            finally:
                server.open_streams -= 1

        return _streaming(stream(), reply.content_type)

    return app


def openai_text_frame(text: str, *, model: str = "gpt-fake", first: bool = False) -> bytes:
    """One well-formed OpenAI chunk carrying `text` (the first of a reply also names the role)."""
    delta = {"role": "assistant", "content": text} if first else {"content": text}
    return _sse(_openai_chunk(model, delta, None))


def anthropic_text_frame(text: str) -> bytes:
    """One well-formed Anthropic text delta event carrying `text`."""
    delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}
    return _sse(delta, "content_block_delta")


def _raw(reply: Reply) -> Response:
    # A gateway or a misconfigured server answers in its own shape; only the status keeps its meaning.
    content_type = reply.content_type or "text/html; charset=utf-8"
    return Response(reply.raw_body, status=reply.status, content_type=content_type, headers=_retry_fast(reply.status))


def _streaming(body: AsyncIterator[bytes], content_type: str | None = None) -> Response:
    response = Response(body, content_type=content_type or "text/event-stream", headers={"Cache-Control": "no-cache"})
    response.timeout = None
    return response


def _openai_chunk(model: str, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _openai_usage(reply: Reply) -> dict[str, int]:
    total = reply.input_tokens + reply.output_tokens
    return {"prompt_tokens": reply.input_tokens, "completion_tokens": reply.output_tokens, "total_tokens": total}


def _anthropic_message(
    model: str, content: list[dict[str, Any]], stop_reason: str | None, reply: Reply
) -> dict[str, Any]:
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "content": content,
        "model": model,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens},
    }
