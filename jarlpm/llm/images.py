"""One image from the OpenAI Images API, on the shared HTTP client, with the user's OpenAI call.

The answer is not trusted: the base64 is decoded, the bytes must start like a PNG, JPEG or WebP file
and stay under `MAX_IMAGE_BYTES`; anything else is a `ProviderError` with a safe message, as calls.py
does for text. The request goes through the SDK client's generic `post()` like the text calls.
"""

from __future__ import annotations

import base64
import binascii
import logging

import httpx2

from jarlpm.llm.calls import (
    PROVIDER_ERRORS,
    LLMCall,
    MalformedReply,
    ProviderError,
    json_field,
    openai_sdk,
    refuse_while_holding_a_connection,
    safe_error,
)

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 4 * 1024 * 1024
IMAGE_SIZE = "1024x1024"
IMAGE_QUALITY = "high"
NOT_AN_IMAGE = "The AI provider did not return a usable image"
MAGIC_NUMBERS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


class NotAnImage(Exception):
    """The answer decoded, but to something that is not a PNG, JPEG or WebP image of a sane size."""


def is_image(data: bytes) -> bool:
    """PNG, JPEG or WebP, judged by the first bytes."""
    webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return webp or data.startswith(MAGIC_NUMBERS)


def _decoded(body: object) -> bytes:
    items = json_field(body, "data", list)
    if not items:
        raise MalformedReply("an images answer without data")
    encoded = json_field(items[0], "b64_json", str)
    if not encoded or len(encoded) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise NotAnImage
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise NotAnImage from None


def checked_image(body: object) -> bytes:
    """The image bytes of an Images API answer (`{"data": [{"b64_json": ...}]}`), validated."""
    data = _decoded(body)
    if len(data) > MAX_IMAGE_BYTES or not is_image(data):
        raise NotAnImage
    return data


async def generate_image(call: LLMCall, prompt: str, *, model: str) -> bytes:
    """One square image for `prompt`, as validated bytes; ProviderError with a safe message otherwise."""
    refuse_while_holding_a_connection()
    body = {"model": model, "prompt": prompt, "n": 1, "size": IMAGE_SIZE, "quality": IMAGE_QUALITY}
    try:
        response = await openai_sdk(call).post("/images/generations", body=body, cast_to=httpx2.Response)
        return checked_image(response.json())
    except NotAnImage:
        log.warning("provider %s returned something that is not an image", call.provider)
        raise ProviderError(NOT_AN_IMAGE) from None
    except PROVIDER_ERRORS as error:
        log.warning("provider %s image call failed: %s", call.provider, type(error).__name__)
        raise safe_error(error) from None
