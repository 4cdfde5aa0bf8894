"""One way to talk to every provider: `stream()` yields text deltas, `complete()` returns the text.

An `LLMCall` is built in a route's prelude (with the decrypted key and the shared HTTP client) and is
all a streaming generator needs: no database, no request context. Provider failures become a
`ProviderError` whose message is safe to show: never the key, never the provider's body.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import anthropic
import httpx2
import openai
from anthropic.types import Message as AnthropicMessage
from anthropic.types import RawMessageStreamEvent
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from jarlpm.errors import APIError
from jarlpm.llm.clients import anthropic_client, openai_client
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


class ProviderError(Exception):
    """A provider call failed; `message` is what the user may read."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _safe_error(error: BaseException, *, started: bool = False) -> ProviderError:
    """What the user may read about a failed call (`started`: some text had already arrived)."""
    if isinstance(error, (openai.AuthenticationError, anthropic.AuthenticationError,
                          openai.PermissionDeniedError, anthropic.PermissionDeniedError)):
        return ProviderError("The AI provider rejected the API key", status=error.status_code)
    if isinstance(error, (openai.RateLimitError, anthropic.RateLimitError)):
        return ProviderError("The AI provider is rate limiting requests; please try again shortly", status=429)
    if isinstance(error, (openai.APITimeoutError, anthropic.APITimeoutError, httpx2.TimeoutException)):
        return ProviderError("The AI provider did not answer in time")
    if isinstance(error, (openai.APIStatusError, anthropic.APIStatusError)):
        return ProviderError(f"The AI provider returned an error (HTTP {error.status_code})", status=error.status_code)
    if isinstance(error, (openai.APIConnectionError, anthropic.APIConnectionError)) and not started:
        return ProviderError("The AI provider could not be reached")
    return ProviderError("The AI provider closed the connection before finishing")


PROVIDER_ERRORS = (openai.OpenAIError, anthropic.AnthropicError, httpx2.HTTPError)


async def _check_url(call: LLMCall) -> None:
    if call.provider == "local":
        try:
            await check_reachable_url(call.base_url, allow_private=call.allow_private_urls)
        except APIError as error:
            raise ProviderError(error.detail) from None


def _openai_messages(system: str, messages: Sequence[Message]) -> list[dict[str, Any]]:
    return [{"role": "system", "content": system}, *messages]


async def stream(call: LLMCall, system: str, messages: Sequence[Message]) -> AsyncIterator[str]:
    """The reply's text deltas, in order, as the provider sends them."""
    await _check_url(call)
    started = False
    try:
        async for text in _provider_deltas(call, system, messages):
            started = True
            yield text
    except PROVIDER_ERRORS as error:
        log.warning("provider %s stream failed: %s", call.provider, type(error).__name__)
        raise _safe_error(error, started=started) from None


# The SDKs' typed create() methods first walk every request parameter through a generic transform that
# costs ~9 ms of CPU per chat call (profiled: bench.first_token, cProfile). Our bodies are plain JSON
# already, so they go through the same clients' generic post(): same retries, timeouts and errors.


def _openai_body(call: LLMCall, system: str, messages: Sequence[Message], *, streamed: bool) -> dict[str, Any]:
    return {"model": call.model, "messages": _openai_messages(system, messages), "stream": streamed}


def _anthropic_body(call: LLMCall, system: str, messages: Sequence[Message], *, streamed: bool) -> dict[str, Any]:
    return {
        "model": call.model,
        "system": system,
        "messages": list(messages),
        "max_tokens": ANTHROPIC_MAX_TOKENS,
        "stream": streamed,
    }


def _openai(call: LLMCall) -> openai.AsyncOpenAI:
    return openai_client(call.http, base_url=call.base_url, api_key=call.api_key, max_retries=call.max_retries)


def _anthropic(call: LLMCall) -> anthropic.AsyncAnthropic:
    return anthropic_client(call.http, base_url=call.base_url, api_key=call.api_key or "", max_retries=call.max_retries)


async def _provider_deltas(call: LLMCall, system: str, messages: Sequence[Message]) -> AsyncIterator[str]:
    if call.provider == "anthropic":
        events = await _anthropic(call).post(
            "/v1/messages",
            body=_anthropic_body(call, system, messages, streamed=True),
            cast_to=AnthropicMessage,
            stream=True,
            stream_cls=anthropic.AsyncStream[RawMessageStreamEvent],
        )
        async with events:
            async for event in events:
                if event.type == "content_block_delta" and event.delta.type == "text_delta" and event.delta.text:
                    yield event.delta.text
        return
    chunks = await _openai(call).post(
        "/chat/completions",
        body=_openai_body(call, system, messages, streamed=True),
        cast_to=ChatCompletion,
        stream=True,
        stream_cls=openai.AsyncStream[ChatCompletionChunk],
    )
    async with chunks:
        async for chunk in chunks:
            text = chunk.choices[0].delta.content if chunk.choices else None
            if text:
                yield text


async def complete(call: LLMCall, system: str, messages: Sequence[Message]) -> str:
    """The whole reply text, in one request."""
    await _check_url(call)
    try:
        if call.provider == "anthropic":
            reply = await _anthropic(call).post(
                "/v1/messages", body=_anthropic_body(call, system, messages, streamed=False), cast_to=AnthropicMessage
            )
            return "".join(block.text for block in reply.content if block.type == "text")
        completion = await _openai(call).post(
            "/chat/completions", body=_openai_body(call, system, messages, streamed=False), cast_to=ChatCompletion
        )
        return completion.choices[0].message.content or ""
    except PROVIDER_ERRORS as error:
        log.warning("provider %s call failed: %s", call.provider, type(error).__name__)
        raise _safe_error(error) from None
