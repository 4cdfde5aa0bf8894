"""One way to talk to every provider: `stream()` yields text deltas, `complete()` returns the text.

An `LLMCall` is built in a route's prelude (with the decrypted key and the shared HTTP client) and is
all a streaming generator needs: no database, no request context. Provider failures become a
`ProviderError` whose message is safe to show: never the key, never the provider's body.

What a provider sends is not trusted: bodies are read as plain JSON and the text is picked out of it
field by field (an HTML page, broken JSON or an odd shape is a `ProviderError`, never a traceback), a
reply with no text is a `ProviderError` too, and the text is cleaned (`text.clean`) before anyone sees it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anthropic
import httpx2
import openai

from jarlpm.db.pool import holding_connection
from jarlpm.errors import APIError
from jarlpm.llm.clients import anthropic_client, openai_client
from jarlpm.llm.text import DeltaCleaner, clean
from jarlpm.llm.urls import check_reachable_url

log = logging.getLogger(__name__)

ANTHROPIC_MAX_TOKENS = 4096  # Anthropic requires a bound; the OpenAI-style providers use their default
DEFAULT_RETRIES = 2  # the SDKs retry connection errors, 429 and 5xx before the first token only

Message = dict[str, str]  # {"role": "user" | "assistant", "content": "..."}


@dataclass(frozen=True)
class LLMCall:
    provider: str
    model: str
    base_url: str
    api_key: str | None = field(repr=False)
    http: httpx2.AsyncClient = field(repr=False, compare=False)
    allow_private_urls: bool = True
    max_retries: int = DEFAULT_RETRIES
    user_id: str | None = None  # who pays for the call (metering)
    route: str | None = None  # which route made it (metering)


@dataclass
class Usage:
    """Tokens as the provider reported them; None when it did not (never guessed)."""

    input_tokens: int | None = None
    output_tokens: int | None = None

    def read_openai(self, report: object) -> None:
        if isinstance(report, dict):
            self.input_tokens = _count(report.get("prompt_tokens"), self.input_tokens)
            self.output_tokens = _count(report.get("completion_tokens"), self.output_tokens)

    def read_anthropic(self, report: object) -> None:
        if isinstance(report, dict):
            self.input_tokens = _count(report.get("input_tokens"), self.input_tokens)
            self.output_tokens = _count(report.get("output_tokens"), self.output_tokens)


def _count(value: object, current: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else current


class ProviderError(Exception):
    """A provider call failed; `message` is what the user may read."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class MalformedReply(Exception):
    """The provider answered, but not with a reply we can read (an HTML page, broken JSON, an odd shape)."""


class EmptyReply(Exception):
    """The provider answered without any text."""


UNREADABLE = "The AI provider returned an unreadable answer"
EMPTY = "The AI provider returned an empty answer"

# What the SDKs raise on such answers, besides our own checks: the SSE decoder and response.json()
# decode bytes (UnicodeDecodeError) and parse JSON (JSONDecodeError); strict response validation,
# were it ever switched on, raises APIResponseValidationError.
UNREADABLE_ERRORS = (
    MalformedReply,
    json.JSONDecodeError,
    UnicodeDecodeError,
    openai.APIResponseValidationError,
    anthropic.APIResponseValidationError,
)
CONNECTION_ERRORS = (openai.APIConnectionError, anthropic.APIConnectionError)


def safe_error(error: BaseException, *, started: bool = False) -> ProviderError:
    """What the user may read about a failed call (`started`: some text had already arrived)."""
    if isinstance(error, UNREADABLE_ERRORS):
        return ProviderError(UNREADABLE)
    if isinstance(error, EmptyReply):
        return ProviderError(EMPTY)
    if isinstance(
        error,
        (
            openai.AuthenticationError,
            anthropic.AuthenticationError,
            openai.PermissionDeniedError,
            anthropic.PermissionDeniedError,
        ),
    ):
        return ProviderError("The AI provider rejected the API key", status=error.status_code)
    if isinstance(error, (openai.RateLimitError, anthropic.RateLimitError)):
        return ProviderError("The AI provider is rate limiting requests; please try again shortly", status=429)
    if isinstance(error, (openai.APITimeoutError, anthropic.APITimeoutError, httpx2.TimeoutException)):
        return ProviderError("The AI provider did not answer in time")
    if isinstance(error, (openai.APIStatusError, anthropic.APIStatusError)) and error.status_code >= 400:
        return ProviderError(f"The AI provider returned an error (HTTP {error.status_code})", status=error.status_code)
    if isinstance(error, CONNECTION_ERRORS) and not started:
        return ProviderError("The AI provider could not be reached")
    if isinstance(error, (openai.APIError, anthropic.APIError)) and not isinstance(error, CONNECTION_ERRORS):
        # An error event inside a stream that began with 200 (the SDKs raise it with that 200 status).
        return ProviderError("The AI provider reported an error while answering")
    return ProviderError("The AI provider closed the connection before finishing")


PROVIDER_ERRORS = (openai.OpenAIError, anthropic.AnthropicError, httpx2.HTTPError, *UNREADABLE_ERRORS, EmptyReply)


async def _check_url(call: LLMCall) -> None:
    if call.provider == "local":
        try:
            await check_reachable_url(call.base_url, allow_private=call.allow_private_urls)
        except APIError as error:
            raise ProviderError(error.detail) from None


def _openai_messages(system: str, messages: Sequence[Message]) -> list[dict[str, Any]]:
    return [{"role": "system", "content": system}, *messages]


def refuse_while_holding_a_connection() -> None:
    # DESIGN.md section 2: a pooled connection held across a provider call starves the pool.
    if holding_connection():
        raise RuntimeError("an LLM call was made while holding a pooled database connection")


async def stream(
    call: LLMCall, system: str, messages: Sequence[Message], usage: Usage | None = None
) -> AsyncIterator[str]:
    """The reply's text deltas, cleaned, in order, as the provider sends them (never an empty one);
    `usage` receives the tokens the provider reports at the end."""
    refuse_while_holding_a_connection()
    await _check_url(call)
    cleaner = DeltaCleaner()
    started = False
    usage = usage if usage is not None else Usage()
    try:
        # aclosing: a consumer that stops early closes the provider's response now, not at garbage collection.
        async with aclosing(_provider_deltas(call, system, messages, usage)) as deltas:
            async for delta in deltas:
                if text := cleaner.feed(delta):
                    started = True
                    yield text
        if text := cleaner.flush():
            started = True
            yield text
        if not started:
            raise EmptyReply
    except PROVIDER_ERRORS as error:
        log.warning("provider %s stream failed: %s", call.provider, type(error).__name__)
        raise safe_error(error, started=started) from None


# The SDKs' typed create() methods first walk every request parameter through a generic transform that
# costs ~9 ms of CPU per chat call (profiled: bench.first_token, cProfile). Our bodies are plain JSON
# already, so they go through the same clients' generic post(): same retries, timeouts and errors.


def _openai_body(
    call: LLMCall, system: str, messages: Sequence[Message], *, streamed: bool, report_usage: bool = True
) -> dict[str, Any]:
    body: dict[str, Any] = {"model": call.model, "messages": _openai_messages(system, messages), "stream": streamed}
    if streamed and report_usage:
        body["stream_options"] = {"include_usage": True}  # a last chunk then carries the token counts
    return body


def _anthropic_body(call: LLMCall, system: str, messages: Sequence[Message], *, streamed: bool) -> dict[str, Any]:
    return {
        "model": call.model,
        "system": system,
        "messages": list(messages),
        "max_tokens": ANTHROPIC_MAX_TOKENS,
        "stream": streamed,
    }


def openai_sdk(call: LLMCall) -> openai.AsyncOpenAI:
    return openai_client(call.http, base_url=call.base_url, api_key=call.api_key, max_retries=call.max_retries)


def _anthropic(call: LLMCall) -> anthropic.AsyncAnthropic:
    return anthropic_client(call.http, base_url=call.base_url, api_key=call.api_key or "", max_retries=call.max_retries)


# --- reading what the provider sent ----------------------------------------------------------------------
# Bodies and stream events come back as plain decoded JSON (no SDK models): a provider's odd shape then
# meets one explicit check below instead of surfacing as an AttributeError deep in our code.

T = TypeVar("T")


def json_field(value: object, key: str, kind: type[T]) -> T | None:
    """value[key] when value is a JSON object and the field, if present and not null, has the JSON type `kind`."""
    if not isinstance(value, dict):
        raise MalformedReply(f"expected an object holding {key!r}")
    found = value.get(key)
    if found is not None and not isinstance(found, kind):
        raise MalformedReply(f"{key!r} is not a {kind.__name__}")
    return found


def _openai_chunk_text(chunk: object, usage: Usage) -> str:
    """The text of one streamed chunk; chunks without any (the role, the finish reason, usage) give ''."""
    usage.read_openai(json_field(chunk, "usage", dict))
    choices = json_field(chunk, "choices", list) or []
    if not choices:
        return ""
    delta = json_field(choices[0], "delta", dict) or {}
    return json_field(delta, "content", str) or ""


def _anthropic_event_text(event: object, usage: Usage) -> str:
    """The text of one stream event; every other event (message_start, ping, thinking...) gives ''."""
    kind = json_field(event, "type", str)
    if kind == "message_start":
        usage.read_anthropic(json_field(json_field(event, "message", dict), "usage", dict))
    elif kind == "message_delta":
        usage.read_anthropic(json_field(event, "usage", dict))
    if kind != "content_block_delta":
        return ""
    delta = json_field(event, "delta", dict) or {}
    if json_field(delta, "type", str) != "text_delta":
        return ""
    return json_field(delta, "text", str) or ""


def _openai_completion_text(body: object, usage: Usage) -> str:
    usage.read_openai(json_field(body, "usage", dict))
    choices = json_field(body, "choices", list)
    if not choices:
        raise MalformedReply("a completion without choices")
    message = json_field(choices[0], "message", dict) or {}
    return json_field(message, "content", str) or ""


def _anthropic_message_text(body: object, usage: Usage) -> str:
    usage.read_anthropic(json_field(body, "usage", dict))
    blocks = json_field(body, "content", list)
    if blocks is None:
        raise MalformedReply("a message without content")
    texts = (json_field(block, "text", str) or "" for block in blocks if json_field(block, "type", str) == "text")
    return "".join(texts)


ProviderStream = openai.AsyncStream[object] | anthropic.AsyncStream[object]


async def _open_stream(
    call: LLMCall, system: str, messages: Sequence[Message]
) -> tuple[ProviderStream, Callable[[object, Usage], str]]:
    """The provider's stream of decoded events, and how to read the text out of one."""
    if call.provider == "anthropic":
        events = await _anthropic(call).post(
            "/v1/messages",
            body=_anthropic_body(call, system, messages, streamed=True),
            cast_to=object,
            stream=True,
            stream_cls=anthropic.AsyncStream[object],
        )
        return events, _anthropic_event_text
    try:
        chunks = await _post_openai_stream(call, _openai_body(call, system, messages, streamed=True))
    except openai.BadRequestError:
        if call.provider != "local":
            raise
        # Some OpenAI-compatible servers refuse stream_options: ask again without (tokens then unknown).
        chunks = await _post_openai_stream(
            call, _openai_body(call, system, messages, streamed=True, report_usage=False)
        )
    return chunks, _openai_chunk_text


async def _post_openai_stream(call: LLMCall, body: dict[str, Any]) -> openai.AsyncStream[object]:
    return await openai_sdk(call).post(
        "/chat/completions", body=body, cast_to=object, stream=True, stream_cls=openai.AsyncStream[object]
    )


async def _provider_deltas(
    call: LLMCall, system: str, messages: Sequence[Message], usage: Usage
) -> AsyncGenerator[str, None]:
    events, text_of = await _open_stream(call, system, messages)
    seen = False
    async with events:
        async for event in events:
            seen = True
            if text := text_of(event, usage):
                yield text
    if not seen:
        # The SSE decoders skip whatever is not an event: an HTML page or a JSON body reads as no events.
        raise MalformedReply("a stream without a single event")


async def _provider_text(call: LLMCall, system: str, messages: Sequence[Message], usage: Usage) -> str:
    # The raw response, parsed whatever its Content-Type says: a gateway's HTML page fails in json(),
    # a JSON reply a local server labels text/plain still passes.
    if call.provider == "anthropic":
        body = _anthropic_body(call, system, messages, streamed=False)
        response = await _anthropic(call).post("/v1/messages", body=body, cast_to=httpx2.Response)
        return _anthropic_message_text(response.json(), usage)
    body = _openai_body(call, system, messages, streamed=False)
    response = await openai_sdk(call).post("/chat/completions", body=body, cast_to=httpx2.Response)
    return _openai_completion_text(response.json(), usage)


async def complete(call: LLMCall, system: str, messages: Sequence[Message], usage: Usage | None = None) -> str:
    """The whole reply text, cleaned, in one request (never empty); `usage` receives the tokens reported."""
    refuse_while_holding_a_connection()
    await _check_url(call)
    try:
        text = clean(await _provider_text(call, system, messages, usage if usage is not None else Usage()))
        if not text:
            raise EmptyReply
        return text
    except PROVIDER_ERRORS as error:
        log.warning("provider %s call failed: %s", call.provider, type(error).__name__)
        raise safe_error(error) from None
