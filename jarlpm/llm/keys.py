"""Checking a provider key with a live, free call (listing the models), with no retries."""

from __future__ import annotations

import logging
from enum import Enum

import anthropic
import httpx2
import openai

from jarlpm.llm.clients import anthropic_client, openai_client

log = logging.getLogger(__name__)


class KeyCheck(Enum):
    VALID = "valid"
    REJECTED = "rejected"  # the provider said the key is wrong (401/403)
    UNREACHABLE = "unreachable"  # no answer: refused connection, DNS, timeout
    FAILED = "failed"  # the provider answered with another error


REJECTED_ERRORS = (
    openai.AuthenticationError,
    openai.PermissionDeniedError,
    anthropic.AuthenticationError,
    anthropic.PermissionDeniedError,
)
UNREACHABLE_ERRORS = (openai.APIConnectionError, anthropic.APIConnectionError)
STATUS_ERRORS = (openai.APIStatusError, anthropic.APIStatusError)
# A 200 that is not the models list (a web UI's HTML page at a local URL, mislabelled JSON): the
# SDKs fail reading it in these ways.
UNREADABLE_ERRORS = (ValueError, AttributeError, TypeError, KeyError, openai.OpenAIError, anthropic.AnthropicError)


async def check_key(http: httpx2.AsyncClient, *, provider: str, base_url: str, api_key: str | None) -> KeyCheck:
    try:
        if provider == "anthropic":
            await anthropic_client(http, base_url=base_url, api_key=api_key or "", max_retries=0).models.list()
        else:
            await openai_client(http, base_url=base_url, api_key=api_key, max_retries=0).models.list()
    except REJECTED_ERRORS:
        return KeyCheck.REJECTED
    except UNREACHABLE_ERRORS as error:
        log.info("key check: %s unreachable (%s)", provider, type(error).__name__)
        return KeyCheck.UNREACHABLE
    except STATUS_ERRORS as error:
        log.info("key check: %s answered HTTP %s", provider, error.status_code)
        return KeyCheck.FAILED
    except UNREADABLE_ERRORS as error:
        log.info("key check: %s answered something unreadable (%s)", provider, type(error).__name__)
        return KeyCheck.FAILED
    return KeyCheck.VALID
