"""The LLM call layer against the fake provider: deltas, completions, structured output, safe errors."""

from __future__ import annotations

import httpx2
import pytest
from pydantic import BaseModel

from jarlpm.ai.blocks import extract_json
from jarlpm.ai.structured import StructuredOutputError, structured
from jarlpm.llm.calls import LLMCall, ProviderError, complete, stream
from tests.fakes.llm_server import VALID_KEY, Reply
from tests.llm.helpers import MESSAGES, PROVIDERS, SYSTEM, make_call


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_stream_yields_the_deltas_in_order(fake_llm, http, provider) -> None:
    fake_llm.script(Reply(chunks=["Hel", "lo, ", "wor", "ld!"]))
    deltas = [delta async for delta in stream(make_call(fake_llm, http, provider), SYSTEM, MESSAGES)]
    assert deltas == ["Hel", "lo, ", "wor", "ld!"]
    [sent] = fake_llm.chat_requests()
    assert sent.body["stream"] is True and sent.body["model"] == f"{provider}-model"
    if provider == "anthropic":
        assert sent.body["system"] == SYSTEM and sent.body["messages"] == MESSAGES
    else:
        assert sent.body["messages"] == [{"role": "system", "content": SYSTEM}, *MESSAGES]


@pytest.mark.parametrize("provider", [*PROVIDERS, "google", "local"])
async def test_complete_returns_the_text(fake_llm, http, provider) -> None:
    fake_llm.script("All done.")
    assert await complete(make_call(fake_llm, http, provider), SYSTEM, MESSAGES) == "All done."


def test_the_key_stays_out_of_repr(fake_llm) -> None:
    assert VALID_KEY not in repr(make_call(fake_llm, httpx2.AsyncClient()))


class Feature(BaseModel):
    title: str
    criteria: list[str]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_structured_repairs_a_broken_reply(fake_llm, http, provider) -> None:
    fake_llm.script("Sure! {title: oops", '```json\n{"title": "Login", "criteria": ["works"]}\n```')
    feature = await structured(make_call(fake_llm, http, provider), SYSTEM, MESSAGES, Feature)
    assert feature == Feature(title="Login", criteria=["works"])
    _, repair = fake_llm.chat_requests()
    last_message = repair.body["messages"][-1]["content"]
    assert "could not be used" in last_message and '"criteria"' in last_message
    assert repair.body["messages"][-2] == {"role": "assistant", "content": "Sure! {title: oops"}


async def test_structured_gives_up_after_two_repairs(fake_llm, http) -> None:
    fake_llm.script('{"title": 1}', '{"title": "x"}', "no json at all", '{"title": "never asked", "criteria": []}')
    with pytest.raises(StructuredOutputError) as error:
        await structured(make_call(fake_llm, http), SYSTEM, MESSAGES, Feature)
    assert len(fake_llm.chat_requests()) == 3
    assert error.value.message == "The AI reply could not be turned into valid data; please try again"
    assert error.value.errors


async def test_structured_accepts_lists(fake_llm, http) -> None:
    fake_llm.script('Here you go: [{"title": "A", "criteria": ["a"]}, {"title": "B", "criteria": []}] hope it helps')
    features = await structured(make_call(fake_llm, http), SYSTEM, MESSAGES, list[Feature])
    assert [feature.title for feature in features] == ["A", "B"]


def test_extract_json_finds_the_value_in_prose() -> None:
    assert extract_json('{"a": 1}') == {"a": 1}
    assert extract_json("text ```json\n[1, 2]\n``` more") == [1, 2]
    assert extract_json('prefix {"a": "brace } and \\" quote", "b": [1, {"c": 2}]} suffix') == {
        "a": 'brace } and " quote',
        "b": [1, {"c": 2}],
    }
    with pytest.raises(ValueError):
        extract_json("no json here")


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    "reply,message",
    [
        (Reply(status=429, times=3), "The AI provider is rate limiting requests; please try again shortly"),
        (Reply(status=500, times=3), "The AI provider returned an error (HTTP 500)"),
        (Reply(status=503, times=3), "The AI provider returned an error (HTTP 503)"),
        (Reply(chunks=["a ", "b ", "c"], drop_after=1), "The AI provider closed the connection before finishing"),
    ],
)
async def test_failures_become_safe_messages(fake_llm, http, provider, reply, message) -> None:
    fake_llm.script(reply)
    with pytest.raises(ProviderError) as error:
        async for _ in stream(make_call(fake_llm, http, provider), SYSTEM, MESSAGES):
            pass
    assert error.value.message == message
    assert "injected" not in error.value.message and VALID_KEY not in error.value.message


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_rejected_key_is_a_safe_message(fake_llm, http, provider) -> None:
    call = make_call(fake_llm, http, provider, api_key="sk-revoked-key-999")
    with pytest.raises(ProviderError) as error:
        await complete(call, SYSTEM, MESSAGES)
    assert error.value.message == "The AI provider rejected the API key"
    assert "sk-revoked" not in str(error.value)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_silent_provider_times_out(fake_llm, provider) -> None:
    fake_llm.script(Reply(first_delay=3))
    async with httpx2.AsyncClient(timeout=httpx2.Timeout(0.5, connect=5)) as slow:
        with pytest.raises(ProviderError) as error:
            async for _ in stream(make_call(fake_llm, slow, provider, max_retries=0), SYSTEM, MESSAGES):
                pass
    assert error.value.message == "The AI provider did not answer in time"


async def test_sdk_retries_happen_before_the_first_token(fake_llm, http) -> None:
    fake_llm.script(Reply(status=500, times=2), Reply(chunks=["ok"]))
    deltas = [delta async for delta in stream(make_call(fake_llm, http), SYSTEM, MESSAGES)]
    assert deltas == ["ok"]
    assert len(fake_llm.chat_requests()) == 3


async def test_an_unreachable_provider_is_a_safe_message(http) -> None:
    call = LLMCall("openai", "m", "http://127.0.0.1:1/v1", VALID_KEY, http, max_retries=0)
    with pytest.raises(ProviderError) as error:
        await complete(call, SYSTEM, MESSAGES)
    assert error.value.message == "The AI provider could not be reached"


async def test_a_local_url_is_checked_again_on_every_call(fake_llm, http) -> None:
    call = make_call(fake_llm, http, "local", allow_private_urls=False)
    with pytest.raises(ProviderError) as error:
        await complete(call, SYSTEM, MESSAGES)
    assert "private" in error.value.message
    assert fake_llm.requests == []


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:99999/v1", "http://[::1/v1", "http://exa mple.com/v1"])
async def test_a_malformed_stored_local_url_is_a_safe_message_on_every_call(fake_llm, http, base_url) -> None:
    call = make_call(fake_llm, http, "local", base_url=base_url)
    with pytest.raises(ProviderError) as completing:
        await complete(call, SYSTEM, MESSAGES)
    with pytest.raises(ProviderError) as streaming:
        async for _ in stream(call, SYSTEM, MESSAGES):
            pass
    assert completing.value.message == streaming.value.message
    assert completing.value.message.startswith("base_url ")
    assert fake_llm.requests == []
