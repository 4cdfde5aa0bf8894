"""/api/lean-canvas: generate (not saved) → edit → save → reload, bounds, failures, another user's view."""

from __future__ import annotations

import json

from tests.builders import CANVAS, create_epic, fenced, saved_canvas
from tests.db.helpers import fetch


async def canvas_rows(database_url: str) -> list[dict]:
    return await fetch(database_url, "SELECT epic_id, problem, key_metrics, source FROM lean_canvases")


async def test_generate_edit_save_reload(pm, fake_llm, database_url) -> None:
    epic = await create_epic(pm)
    epic_id = epic["epic_id"]
    listed_points = {**CANVAS, "key_metrics": ["Minutes per shift", "Errors"]}  # a list is joined, line by line
    fake_llm.script(json.dumps({**CANVAS, "problem": {"nested": True}}), fenced(listed_points))
    generated = await pm.post("/api/lean-canvas/generate", json={"epic_id": epic_id})
    assert generated.status_code == 200, await generated.get_data(as_text=True)
    body = await generated.get_json()
    assert set(body) == {"epic_id", "epic_title", "canvas", "generated_at", "source"}
    assert (body["epic_title"], body["source"]) == (epic["title"], None)
    assert body["canvas"] == {**CANVAS, "key_metrics": "Minutes per shift\nErrors"}
    assert len(fake_llm.chat_requests()) == 2  # the answer and its repair
    assert await canvas_rows(database_url) == []  # generating saves nothing
    assert (await (await pm.get(f"/api/lean-canvas/{epic_id}")).get_json())["exists"] is False

    edited = {**body["canvas"], "problem": "Nurses type every dose twice"}
    saved = await pm.post("/api/lean-canvas/save", json={"epic_id": epic_id, "canvas": edited, "source": "manual_edit"})
    assert await saved.get_json() == {"success": True, "epic_id": epic_id, "message": "Lean canvas saved"}
    reloaded = await (await pm.get(f"/api/lean-canvas/{epic_id}")).get_json()
    assert set(reloaded) == {"epic_id", "epic_title", "canvas", "source", "updated_at", "exists"}
    assert (reloaded["canvas"], reloaded["source"], reloaded["exists"]) == (edited, "manual_edit", True)
    await saved_canvas(pm, epic_id, problem="Again")  # an upsert: still one canvas
    assert [row["problem"] for row in await canvas_rows(database_url)] == ["Again"]
    listed = (await (await pm.get("/api/lean-canvas/list")).get_json())["canvases"]
    assert [(c["epic_id"], c["epic_title"], c["source"]) for c in listed] == [(epic_id, epic["title"], "manual")]
    assert await (await pm.get("/api/lean-canvas/epics-without-canvas")).get_json() == {"epics": []}


async def test_bad_saves_and_unusable_answers_store_nothing(pm, fake_llm, database_url) -> None:
    epic = await create_epic(pm)
    epic_id = epic["epic_id"]
    without = await (await pm.get("/api/lean-canvas/epics-without-canvas")).get_json()
    assert without == {"epics": [{"epic_id": epic_id, "title": epic["title"], "stage": "problem_capture"}]}
    for bad in (
        {"epic_id": epic_id, "canvas": {**CANVAS, "problem": "x" * 5_001}},
        {"epic_id": epic_id, "canvas": CANVAS, "source": "robot"},
        {"epic_id": epic_id, "canvas": {**CANVAS, "channels": 7}},
        {"epic_id": "e" * 51, "canvas": CANVAS},
    ):
        response = await pm.post("/api/lean-canvas/save", json=bad)
        assert response.status_code == 422, bad
    fake_llm.script("no json", json.dumps({"problem": {}}), "never")
    failed = await pm.post("/api/lean-canvas/generate", json={"epic_id": epic_id})
    assert (failed.status_code, (await failed.get_json())["code"]) == (502, "AI_FAILED")
    assert await canvas_rows(database_url) == []


async def test_another_user_sees_and_changes_nothing(pm, other, fake_llm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    await saved_canvas(pm, epic_id)
    before = await canvas_rows(database_url)
    for method, path, body in (
        ("GET", f"/api/lean-canvas/{epic_id}", None),
        ("POST", "/api/lean-canvas/save", {"epic_id": epic_id, "canvas": {**CANVAS, "problem": "mine"}}),
        ("POST", "/api/lean-canvas/generate", {"epic_id": epic_id}),
        ("POST", "/api/lean-canvas/generate", {"epic_id": "epic_nothere0000"}),
    ):
        response = await other.call(method, path, json=body)
        assert (response.status_code, (await response.get_json())["code"]) == (404, "EPIC_NOT_FOUND"), path
    assert await (await other.get("/api/lean-canvas/list")).get_json() == {"canvases": []}
    assert await (await other.get("/api/lean-canvas/epics-without-canvas")).get_json() == {"epics": []}
    assert await canvas_rows(database_url) == before
    assert fake_llm.chat_requests() == []
