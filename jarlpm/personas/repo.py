"""Persona rows and generation settings: a connection in, plain dicts out."""

from __future__ import annotations

from asyncpg import Connection

from jarlpm.db.ids import new_id
from jarlpm.db.queries import queries
from jarlpm.db.rows import optional_row
from jarlpm.personas.models import GeneratedPersona, PersonaUpdateIn


async def ensure_settings(conn: Connection, *, user_id: str) -> dict:
    return dict(await queries.personas.ensure_settings(conn, settings_id=new_id("pgs"), user_id=user_id))


async def update_settings(conn: Connection, *, user_id: str, **fields: object) -> dict:
    await ensure_settings(conn, user_id=user_id)
    return dict(await queries.personas.update_settings(conn, user_id=user_id, **fields))


async def create_persona(conn: Connection, *, user_id: str, epic_id: str, persona: GeneratedPersona) -> dict | None:
    row = await queries.personas.create_persona(
        conn, persona_id=new_id("persona"), user_id=user_id, epic_id=epic_id, **persona.model_dump()
    )
    return optional_row(row)


async def list_personas(conn: Connection, *, user_id: str, epic_id: str | None, search: str | None) -> list[dict]:
    rows = queries.personas.list_personas(conn, user_id=user_id, epic_id=epic_id, search=search)
    return [dict(row) async for row in rows]


async def get_persona(conn: Connection, *, user_id: str, persona_id: str) -> dict | None:
    return optional_row(await queries.personas.get_persona(conn, user_id=user_id, persona_id=persona_id))


async def get_persona_for_portrait(conn: Connection, *, user_id: str, persona_id: str) -> dict | None:
    row = await queries.personas.get_persona_for_portrait(conn, user_id=user_id, persona_id=persona_id)
    return optional_row(row)


async def update_persona(conn: Connection, *, user_id: str, persona_id: str, changes: PersonaUpdateIn) -> dict | None:
    fields = changes.model_dump()
    row = await queries.personas.update_persona(conn, user_id=user_id, persona_id=persona_id, **fields)
    return optional_row(row)


async def set_portrait(conn: Connection, *, user_id: str, persona_id: str, image: str, prompt: str) -> dict | None:
    row = await queries.personas.set_portrait(
        conn, user_id=user_id, persona_id=persona_id, portrait_image_base64=image, portrait_prompt=prompt
    )
    return optional_row(row)


async def deactivate_persona(conn: Connection, *, user_id: str, persona_id: str) -> bool:
    return await queries.personas.deactivate_persona(conn, user_id=user_id, persona_id=persona_id) is not None
