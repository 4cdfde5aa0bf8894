"""/api/personas: settings, generation from a locked epic, list/search, edit, soft delete, ownership."""

from __future__ import annotations

import asyncio

from tests.builders import (
    PERSONAS,
    add_story,
    approved_feature,
    create_epic,
    fenced,
    generated_personas,
)
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.personas.helpers import model_called

PERSONA_KEYS = {
    "persona_id",
    "epic_id",
    "name",
    "role",
    "age_range",
    "location",
    "tech_proficiency",
    "goals_and_motivations",
    "pain_points",
    "key_behaviors",
    "jobs_to_be_done",
    "product_interaction_context",
    "representative_quote",
    "portrait_image_base64",
    "portrait_prompt",
    "source",
    "is_active",
    "created_at",
    "updated_at",
}
DEFAULTS = {"image_provider": "openai", "image_model": "gpt-image-1"}
NOT_READY = {"detail": "Epic not found or not completed", "code": "EPIC_NOT_FOUND"}


async def test_settings_are_created_on_first_use_and_the_count_is_clamped(pm) -> None:
    first = await pm.get("/api/personas/settings")
    assert first.status_code == 200
    assert await first.get_json() == {
        "image_provider": "openai",
        "image_model": "gpt-image-1",
        "default_persona_count": 3,
    }
    high = await pm.put("/api/personas/settings", json={"default_persona_count": 9, "image_model": "gpt-image-2"})
    assert await high.get_json() == {
        "image_provider": "openai",
        "image_model": "gpt-image-2",
        "default_persona_count": 5,
    }
    low = await pm.put("/api/personas/settings", json={"default_persona_count": 0})
    assert (await low.get_json())["default_persona_count"] == 1
    assert (await pm.put("/api/personas/settings", json={"image_model": ""})).status_code == 422


async def test_generation_reads_the_epic_with_its_features_and_stories(pm, fake_llm, epic_id) -> None:
    feature = await approved_feature(pm, epic_id)
    await add_story(pm, feature["feature_id"], persona="charge nurse", action="audit doses", benefit="I trust them")
    fake_llm.script(fenced({"personas": PERSONAS}))
    response = await pm.post(f"/api/personas/epic/{epic_id}/generate", json={"count": 9})
    assert response.status_code == 200
    body = await response.get_json()
    assert body["success"] is True and body["count"] == 2
    assert body["message"] == "Created 2 personas. Use regenerate-portrait to add images."
    assert [set(p) for p in body["personas"]] == [PERSONA_KEYS, PERSONA_KEYS]
    nora = body["personas"][0]
    assert nora["epic_id"] == epic_id and nora["source"] == "ai_generated" and nora["portrait_image_base64"] is None
    prompt = fake_llm.chat_requests()[-1].body
    assert prompt is not None
    asked = str(prompt["messages"])
    assert "5 distinct user personas" in asked  # 9 clamped to 5
    assert feature["title"] in asked and "audit doses" in asked


async def test_generation_refuses_an_unlocked_missing_or_foreign_epic(pm, other, fake_llm) -> None:
    draft = (await create_epic(pm))["epic_id"]
    theirs = (await create_epic(other))["epic_id"]
    for epic_id in (draft, theirs, "epic_missing"):
        response = await pm.post(f"/api/personas/epic/{epic_id}/generate", json={})
        assert response.status_code == 400
        assert await response.get_json() == NOT_READY
    assert fake_llm.chat_requests() == []


async def test_an_unusable_answer_is_502_and_nothing_is_stored(pm, fake_llm, epic_id, database_url) -> None:
    fake_llm.script("no personas here", "still none", "nope")
    response = await pm.post(f"/api/personas/epic/{epic_id}/generate", json={"count": 1})
    assert response.status_code == 502
    assert (await response.get_json())["code"] == "AI_FAILED"
    assert await fetch(database_url, "SELECT persona_id FROM personas") == []


async def test_list_search_edit_and_soft_delete(pm, fake_llm, epic_id) -> None:
    nora, per = await generated_personas(pm, fake_llm, epic_id)
    listed = await pm.get("/api/personas")
    assert {p["persona_id"] for p in await listed.get_json()} == {nora["persona_id"], per["persona_id"]}
    assert [p["name"] for p in await (await pm.get("/api/personas?search=PHARMA")).get_json()] == ["Per Dahl"]
    assert [p["name"] for p in await (await pm.get("/api/personas?search=100%25")).get_json()] == ["Nora Lind"]
    assert await (await pm.get("/api/personas?search=%25%25")).get_json() == []  # % is literal, not a wildcard
    assert await (await pm.get("/api/personas?search=_")).get_json() == []
    assert len(await (await pm.get(f"/api/personas?epic_id={epic_id}")).get_json()) == 2
    assert len(await (await pm.get(f"/api/personas/epic/{epic_id}")).get_json()) == 2

    edited = await pm.put(
        f"/api/personas/{nora['persona_id']}", json={"role": "Charge nurse", "pain_points": ["Audits"]}
    )
    assert edited.status_code == 200
    body = await edited.get_json()
    assert (body["role"], body["pain_points"], body["source"]) == ("Charge nurse", ["Audits"], "human_modified")
    assert body["name"] == "Nora Lind"
    assert (await pm.put(f"/api/personas/{nora['persona_id']}", json={"name": "x" * 101})).status_code == 422

    deleted = await pm.delete(f"/api/personas/{nora['persona_id']}")
    assert await deleted.get_json() == {"message": "Persona deleted"}
    assert (await pm.get(f"/api/personas/{nora['persona_id']}")).status_code == 404
    assert (await pm.delete(f"/api/personas/{nora['persona_id']}")).status_code == 404
    assert [p["name"] for p in await (await pm.get("/api/personas")).get_json()] == ["Per Dahl"]
    got = await pm.get(f"/api/personas/{per['persona_id']}")
    assert set(await got.get_json()) == PERSONA_KEYS


async def test_another_user_sees_and_changes_none_of_it(pm, other, fake_llm, epic_id, database_url) -> None:
    [nora] = await generated_personas(pm, fake_llm, epic_id, count=1)
    path = f"/api/personas/{nora['persona_id']}"
    assert await (await other.get("/api/personas")).get_json() == []
    assert await (await other.get(f"/api/personas/epic/{epic_id}")).get_json() == []
    assert (await other.get(path)).status_code == 404
    assert (await other.put(path, json={"name": "Mine"})).status_code == 404
    assert (await other.delete(path)).status_code == 404
    assert (await other.post(f"{path}/regenerate-portrait", json={})).status_code == 404
    assert (await other.post(f"/api/personas/epic/{epic_id}/generate", json={})).status_code == 400
    rows = await fetch(database_url, "SELECT name, source, is_active, portrait_image_base64 FROM personas")
    assert rows == [{"name": "Nora Lind", "source": "ai_generated", "is_active": True, "portrait_image_base64": None}]
    assert fake_llm.image_requests() == []


async def test_every_route_needs_a_session(client) -> None:
    for method, path in [
        ("GET", "/api/personas"),
        ("GET", "/api/personas/settings"),
        ("POST", "/api/personas/epic/epic_x/generate"),
        ("DELETE", "/api/personas/persona_x"),
    ]:
        assert (await client.open(path, method=method, json={})).status_code == 401


async def test_personas_of_an_epic_deleted_during_the_call_are_discarded(pm, fake_llm, epic_id, database_url) -> None:
    fake_llm.script(Reply(text=fenced({"personas": PERSONAS}), first_delay=0.5))
    calls_before = len(fake_llm.chat_requests())
    generation = asyncio.create_task(pm.post(f"/api/personas/epic/{epic_id}/generate", json={}))
    await model_called(fake_llm, calls_before + 1)
    assert (await pm.delete(f"/api/epics/{epic_id}")).status_code == 200
    response = await generation
    assert response.status_code == 400
    assert await response.get_json() == NOT_READY
    assert await fetch(database_url, "SELECT persona_id FROM personas") == []
