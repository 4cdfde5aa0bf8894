"""/api/personas: generation settings, personas generated from a locked epic, edits, soft delete, portraits."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_querystring, validate_request, validate_response

from jarlpm import ai, db
from jarlpm.db.search import contains_pattern
from jarlpm.errors import APIError
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.rate_limits import ai_route
from jarlpm.personas import prompts, repo, service
from jarlpm.personas.models import (
    GeneratedOut,
    GeneratedPersonas,
    GenerateIn,
    MessageOut,
    PersonaOut,
    PersonaQuery,
    PersonaUpdateIn,
    PortraitIn,
    SettingsIn,
    SettingsOut,
)

blueprint = Blueprint("personas", __name__, url_prefix="/personas")

PERSONA_ID = '<except("settings", "epic"):persona_id>'


@blueprint.get("/settings")
@login_required
@validate_response(SettingsOut)
async def get_settings() -> SettingsOut:
    """The user's persona generation settings (created with the defaults on first use)."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        settings = await repo.ensure_settings(conn, user_id=caller.id)
    return SettingsOut(**settings)


@blueprint.put("/settings")
@login_required
@validate_request(SettingsIn)
@validate_response(SettingsOut)
async def update_settings(data: SettingsIn) -> SettingsOut:
    """Change any of the settings; the persona count is clamped to 1-5."""
    count = data.default_persona_count
    caller = current_caller()
    async with db.transaction(caller) as conn:
        settings = await repo.update_settings(
            conn,
            user_id=caller.id,
            image_provider=data.image_provider,
            image_model=data.image_model,
            default_persona_count=None if count is None else service.clamp_count(count),
        )
    return SettingsOut(**settings)


@blueprint.post("/epic/<epic_id>/generate")
@login_required
@ai_route
@validate_request(GenerateIn)
@validate_response(GeneratedOut)
async def generate(epic_id: str, data: GenerateIn) -> GeneratedOut:
    """1-5 personas from a locked epic with its features and stories (no portraits: see regenerate-portrait)."""
    count = service.clamp_count(data.count)
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        outline = await service.locked_outline(conn, user_id=caller.id, epic_id=epic_id)
    system, messages = prompts.generation_prompt(outline, count)
    generated: GeneratedPersonas = await ai.structured(call, system, messages, GeneratedPersonas)  # no connection held
    async with db.transaction(caller) as conn:
        personas = await service.save_generated(
            conn, user_id=caller.id, epic_id=epic_id, personas=generated.personas[:count]
        )
    return GeneratedOut(
        success=True,
        count=len(personas),
        personas=[PersonaOut(**persona) for persona in personas],
        message=f"Created {len(personas)} personas. Use regenerate-portrait to add images.",
    )


@blueprint.get("")
@login_required
@validate_querystring(PersonaQuery)
@validate_response(list[PersonaOut])
async def list_personas(query_args: PersonaQuery) -> list[PersonaOut]:
    """The user's active personas, optionally of one epic and matching a search in name, role or quote."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        personas = await repo.list_personas(
            conn, user_id=caller.id, epic_id=query_args.epic_id, search=contains_pattern(query_args.search)
        )
    return [PersonaOut(**persona) for persona in personas]


@blueprint.get("/epic/<epic_id>")
@login_required
@validate_response(list[PersonaOut])
async def list_epic_personas(epic_id: str) -> list[PersonaOut]:
    """The active personas of one of the user's epics (empty for anyone else's)."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        personas = await repo.list_personas(conn, user_id=caller.id, epic_id=epic_id, search=None)
    return [PersonaOut(**persona) for persona in personas]


@blueprint.get(f"/{PERSONA_ID}")
@login_required
@validate_response(PersonaOut)
async def get_persona(persona_id: str) -> PersonaOut:
    """One active persona."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        persona = await service.owned_persona(conn, user_id=caller.id, persona_id=persona_id)
    return PersonaOut(**persona)


@blueprint.put(f"/{PERSONA_ID}")
@login_required
@validate_request(PersonaUpdateIn)
@validate_response(PersonaOut)
async def update_persona(persona_id: str, data: PersonaUpdateIn) -> PersonaOut:
    """Change the fields sent; the persona is then marked human_modified."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        persona = await repo.update_persona(conn, user_id=caller.id, persona_id=persona_id, changes=data)
    if persona is None:
        raise APIError(404, *service.NOT_FOUND)
    return PersonaOut(**persona)


@blueprint.delete(f"/{PERSONA_ID}")
@login_required
@validate_response(MessageOut)
async def delete_persona(persona_id: str) -> MessageOut:
    """Soft-delete a persona: it no longer appears anywhere."""
    caller = current_caller()
    async with db.transaction(caller) as conn:
        deleted = await repo.deactivate_persona(conn, user_id=caller.id, persona_id=persona_id)
    if not deleted:
        raise APIError(404, *service.NOT_FOUND)
    return MessageOut(message="Persona deleted")


@blueprint.post(f"/{PERSONA_ID}/regenerate-portrait")
@login_required
@ai_route
@validate_request(PortraitIn)
@validate_response(PersonaOut)
async def regenerate_portrait(persona_id: str, data: PortraitIn) -> PersonaOut:
    """A new portrait from the OpenAI Images API with the user's active OpenAI provider (400 for another)."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        persona, model = await service.persona_for_portrait(conn, user_id=caller.id, persona_id=persona_id)
    service.require_openai(call)
    prompt = (data.prompt or "").strip() or prompts.portrait_prompt(persona)
    image = await service.portrait(call, prompt, model=model)  # no connection held
    async with db.transaction(caller) as conn:
        stored = await repo.set_portrait(conn, user_id=caller.id, persona_id=persona_id, image=image, prompt=prompt)
    if stored is None:
        raise APIError(404, *service.NOT_FOUND)
    return PersonaOut(**stored)
