"""A malformed local base URL is a clear 400 INVALID_BASE_URL when saved or validated (never a 500 from a
URL parser or the HTTP client), whether private addresses are allowed or not, and nothing is stored.

(A U+0000 never gets this far: every JSON body holding one is refused with 422 by jarlpm.http.inputs;
tests/llm/test_urls.py shows the URL rules refuse it too.)"""

from __future__ import annotations

import pytest

from jarlpm.app import create_app
from tests.builders import new_user, with_provider
from tests.fakes.llm_server import VALID_KEY
from tests.helpers import User

MALFORMED = [
    ("http://[::1/v1", "not a valid URL"),  # urlsplit raises ValueError
    ("http://127.0.0.1:99999", "port"),  # SplitResult.port raises ValueError
    ("http://127.0.0.1:0/v1", "port"),
    ("http://127.0.0.1:-1", "host or port"),
    ("http://127.0.0.1:abc/v1", "host or port"),
    ("http://127.0.0.1:80:90", "host or port"),
    ("http://[::1]junk:8080", "host or port"),
    ("http://exa\x07mple.com", "control characters"),
    ("http://exa\tmple.com", "control characters"),  # urlsplit drops the tab silently; the HTTP client does not
    ("http://exa mple.com", "spaces"),
    ("http://models.internal/v1\x7f", "control characters"),
    ("http://", "must name a host"),
    ("http:///v1", "must name a host"),
    ("http://:8080/v1", "must name a host"),
    ("http://models..internal", "host name"),
    ("http://[::g]:8080", "not a valid URL"),
]


@pytest.fixture(params=[True, False], ids=["private-allowed", "production"])
async def ana(request, make_settings, database_url, fake_llm):  # type: ignore[no-untyped-def]
    """A user with a saved OpenAI configuration, on an app that allows private URLs or does not."""
    env = "test" if request.param else "production"
    settings = make_settings(database_url, env=env, llm_allow_private_urls=request.param)
    async with create_app(settings).test_app() as app:
        yield await with_provider(await new_user(app, "ana@jarlpm.dev"))


async def configs(user: User) -> list[dict]:
    response = await user.get("/api/llm-providers")
    assert response.status_code == 200
    return await response.get_json()


async def test_a_malformed_local_url_is_400_and_stores_nothing(ana, fake_llm) -> None:
    before = await configs(ana)
    provider_requests = len(fake_llm.requests)
    for base_url, reason in MALFORMED:  # one app for them all: starting one per URL costs more than the checks
        for path in ("/api/llm-providers", "/api/llm-providers/validate"):
            response = await ana.post(path, json={"provider": "local", "base_url": base_url, "api_key": VALID_KEY})
            body = await response.get_json()
            assert (response.status_code, body["code"]) == (400, "INVALID_BASE_URL"), (path, base_url, body)
            assert reason in body["detail"], (base_url, body)
    assert await configs(ana) == before
    assert len(fake_llm.requests) == provider_requests  # no key check went out


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
async def test_a_models_page_that_is_not_json_is_a_provider_error_not_a_500(app, fake_llm, provider) -> None:  # type: ignore[no-untyped-def]
    user = await new_user(app, "html@jarlpm.dev")
    fake_llm.models_raw_body = b"<html><body>Open WebUI</body></html>"
    response = await user.post("/api/llm-providers", json={"provider": provider, "api_key": VALID_KEY})
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "PROVIDER_ERROR"
    assert await (await user.get("/api/llm-providers")).get_json() == []
