"""Persona steps: the count rule, ownership, storing a generation, and making a portrait."""

from __future__ import annotations

import base64

from asyncpg import Connection

from jarlpm.ai.failures import AIFailure
from jarlpm.ai.usage import Outcome, Stopwatch, record, usage_record
from jarlpm.epics.repo import epic_outline
from jarlpm.errors import APIError
from jarlpm.llm.calls import LLMCall, ProviderError, Usage
from jarlpm.llm.images import generate_image
from jarlpm.personas import repo
from jarlpm.personas.models import MAX_COUNT, MIN_COUNT, GeneratedPersona

NOT_FOUND = ("PERSONA_NOT_FOUND", "Persona not found")
EPIC_NOT_READY = ("EPIC_NOT_FOUND", "Epic not found or not completed")
DEFAULT_IMAGE_MODEL = "gpt-image-1"


def clamp_count(count: int) -> int:
    return max(MIN_COUNT, min(MAX_COUNT, count))


async def owned_persona(conn: Connection, *, user_id: str, persona_id: str) -> dict:
    persona = await repo.get_persona(conn, user_id=user_id, persona_id=persona_id)
    if persona is None:
        raise APIError(404, *NOT_FOUND)
    return persona


async def locked_outline(conn: Connection, *, user_id: str, epic_id: str) -> dict:
    """The epic with its features and stories if it is the user's and locked; the contract's 400 otherwise."""
    outline = await epic_outline(conn, user_id=user_id, epic_id=epic_id)
    if outline is None or outline["current_stage"] != "epic_locked":
        raise APIError(400, *EPIC_NOT_READY)
    return outline


async def save_generated(
    conn: Connection, *, user_id: str, epic_id: str, personas: list[GeneratedPersona]
) -> list[dict]:
    """Store the generated personas; none (the contract's 400) when the epic was deleted meanwhile."""
    saved = [await repo.create_persona(conn, user_id=user_id, epic_id=epic_id, persona=p) for p in personas]
    stored = [row for row in saved if row is not None]
    if not stored:
        raise APIError(400, *EPIC_NOT_READY)
    return stored


def require_openai(call: LLMCall) -> None:
    if call.provider != "openai":
        raise APIError(
            400,
            "IMAGE_PROVIDER_UNSUPPORTED",
            f"Portraits need an active OpenAI provider; your active provider is {call.provider}.",
        )


async def persona_for_portrait(conn: Connection, *, user_id: str, persona_id: str) -> tuple[dict, str]:
    """One of the user's personas and the image model to draw it with, in one statement; 404 otherwise."""
    persona = await repo.get_persona_for_portrait(conn, user_id=user_id, persona_id=persona_id)
    if persona is None:
        raise APIError(404, *NOT_FOUND)
    return persona, persona.pop("image_model") or DEFAULT_IMAGE_MODEL


async def portrait(call: LLMCall, prompt: str, *, model: str) -> str:
    """A validated portrait as base64 (one metered call, no tokens); AIFailure (502) otherwise."""
    watch = Stopwatch()
    outcome: Outcome = "failed"
    try:
        image = await generate_image(call, prompt, model=model)
        outcome = "ok"
    except ProviderError as error:
        raise AIFailure(error.message) from None
    finally:
        await record(usage_record(call, Usage(), watch, outcome))
    return base64.b64encode(image).decode("ascii")
