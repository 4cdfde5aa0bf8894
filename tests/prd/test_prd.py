"""/api/prd: generate → edit → reload, the markdown form, bounds, failures and another user's view."""

from __future__ import annotations

import json

from tests.builders import PRD_DOCUMENT, approved_feature_with_stories, create_epic, fenced, saved_prd
from tests.db.helpers import fetch

PRD_KEYS = {"success", "epic_id", "prd", "format", "source", "repair_attempts", "validated", "message"}


async def prd_rows(database_url: str) -> list[dict]:
    return await fetch(database_url, "SELECT epic_id, title, sections, source, version, status FROM prd_documents")


async def test_generate_edit_reload(pm, fake_llm, database_url) -> None:
    tree = await approved_feature_with_stories(pm, fake_llm)
    fake_llm.script(json.dumps({"summary": "not an object"}), fenced(PRD_DOCUMENT))  # one invalid, one repair
    generated = await pm.post(f"/api/prd/generate/{tree.epic_id}")
    assert generated.status_code == 200, await generated.get_data(as_text=True)
    body = await generated.get_json()
    assert set(body) == PRD_KEYS
    flags = (body["format"], body["source"], body["validated"], body["repair_attempts"])
    assert flags == ("json", "ai_generated", True, 1)
    assert body["prd"]["summary"]["title"] == "Single-entry medication"
    assert body["prd"]["nfrs"] == {"performance": [], "reliability": [], "security": [], "accessibility": []}
    prompt = json.dumps(fake_llm.chat_requests()[-2].body["messages"])  # then its repair
    assert tree.feature["title"] in prompt and json.dumps(tree.stories[0]["story_text"])[1:-1] in prompt

    edited = {**body["prd"], "summary": {**body["prd"]["summary"], "goal": "Type each dose once"}}
    update = await pm.put(f"/api/prd/update/{tree.epic_id}", json={"prd": edited, "version": "1.1"})
    assert update.status_code == 200
    assert set(await update.get_json()) == {"success", "epic_id", "prd", "message"}

    reloaded = await (await pm.get(f"/api/prd/{tree.epic_id}")).get_json()
    assert set(reloaded) == {"epic_id", "epic_title", "prd", "updated_at", "exists"} and reloaded["exists"]
    assert reloaded["prd"] == {
        "prd_id": reloaded["prd"]["prd_id"],
        "title": "Single-entry medication",
        "version": "1.1",
        "status": "draft",
        "source": "manual_edit",
        "format": "json",
        "data": edited,
    }
    listed = await (await pm.get("/api/prd/list")).get_json()
    assert [(p["epic_id"], p["version"]) for p in listed["prds"]] == [(tree.epic_id, "1.1")]
    assert await (await pm.get("/api/prd/epics-without-prd")).get_json() == {"epics": []}


async def test_invalid_or_oversize_edits_change_nothing(pm, database_url) -> None:
    epic = await create_epic(pm)
    missing = await pm.put(f"/api/prd/update/{epic['epic_id']}", json={"prd": PRD_DOCUMENT})
    assert (missing.status_code, (await missing.get_json())["code"]) == (404, "PRD_NOT_FOUND")
    await saved_prd(pm, epic["epic_id"])
    before = await prd_rows(database_url)
    for bad in (
        {"prd": {"summary": {"title": "x" * 501}}},
        {"prd": {"risks": "many"}},
        {"prd": {"personas": [{"name": "n"}] * 51}},
        {"prd": PRD_DOCUMENT, "title": "t" * 501},
    ):
        response = await pm.put(f"/api/prd/update/{epic['epic_id']}", json=bad)
        assert response.status_code == 422, bad
    huge = await pm.post("/api/prd/save", json={"epic_id": epic["epic_id"], "content": "x" * 3_000_000})
    assert huge.status_code == 413
    longer = await pm.post("/api/prd/save", json={"epic_id": epic["epic_id"], "content": "x" * 200_001})
    assert longer.status_code == 422
    assert await prd_rows(database_url) == before


async def test_markdown_prd_and_delete(pm, database_url) -> None:
    epic = await create_epic(pm)
    epic_id = epic["epic_id"]
    empty = await (await pm.get(f"/api/prd/{epic_id}")).get_json()
    assert empty == {"epic_id": epic_id, "epic_title": epic["title"], "prd": None, "updated_at": None, "exists": False}
    without = await (await pm.get("/api/prd/epics-without-prd")).get_json()
    assert without == {"epics": [{"epic_id": epic_id, "title": epic["title"], "stage": "problem_capture"}]}
    assert await saved_prd(pm, epic_id) == {"success": True, "epic_id": epic_id, "message": "PRD saved"}
    document = (await (await pm.get(f"/api/prd/{epic_id}")).get_json())["prd"]
    assert (document["format"], document["content"], document["title"]) == ("markdown", "# PRD\nDose entry.", "PRD")
    assert [row["sections"] for row in await prd_rows(database_url)] == [{"content": "# PRD\nDose entry."}]
    deleted = await pm.delete(f"/api/prd/{epic_id}")
    assert await deleted.get_json() == {"success": True, "message": "PRD deleted"}
    assert (await pm.delete(f"/api/prd/{epic_id}")).status_code == 404
    assert await prd_rows(database_url) == []


async def test_an_unrepairable_answer_is_502_and_nothing_is_stored(pm, fake_llm, database_url) -> None:
    epic = await create_epic(pm)
    fake_llm.script("no json", json.dumps({"risks": "many"}), "still nothing")
    response = await pm.post(f"/api/prd/generate/{epic['epic_id']}")
    assert (response.status_code, (await response.get_json())["code"]) == (502, "AI_FAILED")
    assert len(fake_llm.chat_requests()) == 3
    assert await prd_rows(database_url) == []


async def test_another_user_sees_and_changes_nothing(pm, other, fake_llm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    await saved_prd(pm, epic_id)
    before = await prd_rows(database_url)
    for method, path, body in (
        ("GET", f"/api/prd/{epic_id}", None),
        ("PUT", f"/api/prd/update/{epic_id}", {"prd": PRD_DOCUMENT}),
        ("DELETE", f"/api/prd/{epic_id}", None),
        ("POST", "/api/prd/save", {"epic_id": epic_id, "content": "mine now"}),
        ("POST", f"/api/prd/generate/{epic_id}", None),
        ("POST", "/api/prd/generate/epic_nothere0000", None),
    ):
        response = await other.call(method, path, json=body)
        assert (response.status_code, (await response.get_json())["code"]) == (404, "EPIC_NOT_FOUND"), path
    assert await (await other.get("/api/prd/list")).get_json() == {"prds": []}
    assert await (await other.get("/api/prd/epics-without-prd")).get_json() == {"epics": []}
    assert await prd_rows(database_url) == before
    assert fake_llm.chat_requests() == []
