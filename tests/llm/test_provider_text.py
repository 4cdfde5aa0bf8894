"""What a provider sends, however odd, becomes clean text or a safe ProviderError: never a traceback,
never an empty reply, never a NUL or a lone surrogate (PostgreSQL and UTF-8 refuse them further down)."""

from __future__ import annotations

import pytest

from jarlpm.llm.calls import ProviderError, complete, stream
from jarlpm.llm.text import DeltaCleaner, clean
from tests.fakes.llm_server import Reply, anthropic_text_frame, openai_text_frame
from tests.llm.helpers import MESSAGES, PROVIDERS, SYSTEM, make_call

UNREADABLE = "The AI provider returned an unreadable answer"
EMPTY = "The AI provider returned an empty answer"
OVERLOADED = b'{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}'
HTML = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
TEXT_FRAMES = {"openai": openai_text_frame, "anthropic": anthropic_text_frame}
# The Anthropic SDK skips SSE events that have no name, so a broken chunk there comes with one.
EVENT_LINE = {"openai": b"", "anthropic": b"event: content_block_delta\n"}


async def streamed(call) -> list[str]:  # type: ignore[no-untyped-def]
    return [delta async for delta in stream(call, SYSTEM, MESSAGES)]


async def stream_failure(call) -> tuple[list[str], str]:  # type: ignore[no-untyped-def]
    """The deltas received before the ProviderError, and its message."""
    received: list[str] = []
    with pytest.raises(ProviderError) as error:
        async for delta in stream(call, SYSTEM, MESSAGES):
            received.append(delta)
    return received, error.value.message


async def complete_failure(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ProviderError) as error:
        await complete(call, SYSTEM, MESSAGES)
    return error.value.message


def test_clean_removes_nul_and_replaces_lone_surrogates() -> None:
    assert clean("a\x00b") == "ab"
    assert clean("x\ud800y\udc00") == "x\ufffdy\ufffd"
    assert clean("\ud83d\ude00 and \ud800\ud800") == "\U0001f600 and \ufffd\ufffd"
    assert clean("plain text, ünïcödé, \U0001f600") == "plain text, ünïcödé, \U0001f600"
    for text in ("a\x00\ud800", "\udfff\ud83d\ude00"):
        clean(text).encode("utf-8")  # always encodable


def test_a_surrogate_pair_cut_between_deltas_is_joined() -> None:
    cleaner = DeltaCleaner()
    assert [cleaner.feed(delta) for delta in ("smile \ud83d", "\ude00!", "cut \ud83d", "x")] == [
        "smile ",
        "\U0001f600!",
        "cut ",
        "\ufffdx",
    ]
    assert (cleaner.feed("end \ud83d"), cleaner.flush(), cleaner.flush()) == ("end ", "\ufffd", "")


# --- text with NUL and lone surrogates --------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_stream_cleans_nul_and_lone_surrogates(fake_llm, http, provider) -> None:
    fake_llm.script(Reply(chunks=["Hel\x00lo ", "wor\ud800ld ", "\x00", "smile \ud83d", "\ude00", " bye\udc00"]))
    deltas = await streamed(make_call(fake_llm, http, provider))
    assert deltas == ["Hello ", "wor\ufffdld ", "smile ", "\U0001f600", " bye\ufffd"]
    "".join(deltas).encode("utf-8")


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_stream_ending_on_half_a_pair_ends_with_a_replacement(fake_llm, http, provider) -> None:
    fake_llm.script(Reply(chunks=["almost ", "\ud83d"]))
    assert await streamed(make_call(fake_llm, http, provider)) == ["almost ", "\ufffd"]


@pytest.mark.parametrize("provider", [*PROVIDERS, "local"])
async def test_complete_cleans_nul_and_lone_surrogates(fake_llm, http, provider) -> None:
    fake_llm.script("a\x00b \ud800c \ud83d\ude00")
    assert await complete(make_call(fake_llm, http, provider), SYSTEM, MESSAGES) == "ab \ufffdc \U0001f600"


# --- answers that are not the reply -----------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/json", "text/event-stream"])
async def test_an_html_page_answering_200_is_unreadable(fake_llm, http, provider, content_type) -> None:
    fake_llm.script(Reply(raw_body=HTML, content_type=content_type, times=2))
    call = make_call(fake_llm, http, provider)
    assert await complete_failure(call) == UNREADABLE
    assert await stream_failure(call) == ([], UNREADABLE)


@pytest.mark.parametrize(
    "provider,body",
    [
        ("openai", b"{}"),
        ("openai", b'{"choices": []}'),
        ("openai", b'{"choices": "all of them"}'),
        ("openai", b'{"choices": [null]}'),
        ("openai", b'{"choices": [{"message": {"content": 42}}]}'),
        ("openai", b"[1, 2, 3]"),
        ("openai", b'"just a string"'),
        ("anthropic", b"{}"),
        ("anthropic", b'{"content": "not a list"}'),
        ("anthropic", b'{"content": [{"type": "text", "text": ["a"]}]}'),
        ("anthropic", b'{"content": ["text"]}'),
        ("anthropic", OVERLOADED),
        ("openai", b'{"choices": [{"message": {"content": "\xff"}}]}'),  # not UTF-8
    ],
)
async def test_a_json_answer_of_the_wrong_shape_is_unreadable(fake_llm, http, provider, body) -> None:
    fake_llm.script(Reply(raw_body=body, content_type="application/json"))
    assert await complete_failure(make_call(fake_llm, http, provider)) == UNREADABLE


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_json_reply_with_another_content_type_is_still_read(fake_llm, http, provider) -> None:
    fake_llm.script(Reply(text="Fine.", content_type="text/plain"))
    assert await complete(make_call(fake_llm, http, provider), SYSTEM, MESSAGES) == "Fine."


# --- replies without text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("reply", [Reply(chunks=[]), Reply(chunks=["", ""]), Reply(chunks=["\x00"])])
async def test_a_stream_without_text_is_an_error(fake_llm, http, provider, reply) -> None:
    fake_llm.script(reply)
    assert await stream_failure(make_call(fake_llm, http, provider)) == ([], EMPTY)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("text", ["", "\x00\x00"])
async def test_a_completion_without_text_is_an_error(fake_llm, http, provider, text) -> None:
    fake_llm.script(Reply(text=text))
    assert await complete_failure(make_call(fake_llm, http, provider)) == EMPTY


@pytest.mark.parametrize(
    "provider,body",
    [
        ("openai", b'{"choices": [{"message": {"content": null}, "finish_reason": "stop"}]}'),
        ("anthropic", b'{"content": [], "stop_reason": "end_turn"}'),
        ("anthropic", b'{"content": [{"type": "tool_use", "id": "t", "name": "x", "input": {}}]}'),
    ],
)
async def test_a_completion_without_content_is_an_error(fake_llm, http, provider, body) -> None:
    fake_llm.script(Reply(raw_body=body, content_type="application/json"))
    assert await complete_failure(make_call(fake_llm, http, provider)) == EMPTY


# --- malformed chunks -------------------------------------------------------------------------------------


# Each chunk is wrong for both dialects: the wrong-shape ones carry the OpenAI and the Anthropic fields.
WRONG_TYPES = (
    b'{"choices": [{"delta": {"content": 7}}], "type": "content_block_delta", '
    b'"delta": {"type": "text_delta", "text": 7}}'
)
MALFORMED_CHUNKS = [
    b"{not json",
    b'{"choices": "x", "type": "content_block_delta", "delta": "x"}',
    WRONG_TYPES,
    b"[1, 2]",
    b'"\xff\xfe"',  # not UTF-8
]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("data", MALFORMED_CHUNKS)
async def test_a_malformed_chunk_is_unreadable(fake_llm, http, provider, data) -> None:
    malformed = EVENT_LINE[provider] + b"data: " + data + b"\n\n"
    fake_llm.script(Reply(raw_chunks=[TEXT_FRAMES[provider]("Hel"), malformed, TEXT_FRAMES[provider]("lo")]))
    assert await stream_failure(make_call(fake_llm, http, provider)) == (["Hel"], UNREADABLE)


@pytest.mark.parametrize(
    "provider,error_event",
    [
        ("openai", b'data: {"error": {"message": "The server had an error", "type": "server_error"}}\n\n'),
        ("anthropic", b"event: error\ndata: " + OVERLOADED + b"\n\n"),
    ],
)
async def test_an_error_event_inside_a_stream_is_a_safe_message(fake_llm, http, provider, error_event) -> None:
    fake_llm.script(Reply(raw_chunks=[TEXT_FRAMES[provider]("Half "), error_event]))
    received, message = await stream_failure(make_call(fake_llm, http, provider))
    assert (received, message) == (["Half "], "The AI provider reported an error while answering")
