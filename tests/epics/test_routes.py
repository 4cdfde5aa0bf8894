"""Every epic route: errors, another user's 404 with data unchanged, deletion without orphans, artifacts."""

from __future__ import annotations

from jarlpm.app import create_app
from tests.builders import PROBLEM, chat, create_epic, new_user, with_provider
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.sse import parse_frames

HISTORY_TABLES = ("epic_snapshots", "epic_transcript_events", "epic_decisions", "epic_artifacts")


async def table_counts(database_url: str) -> dict[str, int]:
    counts = {}
    for table in ("epics", *HISTORY_TABLES):
        [row] = await fetch(database_url, f"SELECT count(*) AS n FROM {table}")
        counts[table] = row["n"]
    return counts


async def test_list_shows_only_the_users_epics_newest_change_first(pm, other) -> None:
    await create_epic(pm, "First")
    second = await create_epic(pm, "Second")
    await create_epic(other, "Not yours")
    listed = (await (await pm.get("/api/epics")).get_json())["epics"]
    assert {epic["title"] for epic in listed} == {"First", "Second"}
    assert listed == sorted(listed, key=lambda epic: epic["updated_at"], reverse=True)
    assert (await (await other.get("/api/epics")).get_json())["epics"][0]["title"] == "Not yours"
    assert second["epic_id"] in {epic["epic_id"] for epic in listed}


async def test_create_accepts_an_empty_title_and_validates_length(pm) -> None:
    empty = await pm.post("/api/epics", json={"title": ""})
    assert empty.status_code == 201 and (await empty.get_json())["title"] == ""
    too_long = await pm.post("/api/epics", json={"title": "x" * 501})
    assert too_long.status_code == 422
    missing = await pm.post("/api/epics", json={})
    assert missing.status_code == 422


async def test_another_user_gets_404_on_every_epic_route_and_changes_nothing(pm, other, fake_llm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    fake_llm.script(PROBLEM)
    [proposal] = [e for e in await chat(pm, epic_id, "hi") if e["type"] == "proposal"]
    artifact = await (
        await pm.post(
            f"/api/epics/{epic_id}/artifacts", json={"artifact_type": "feature", "title": "t", "description": "d"}
        )
    ).get_json()
    await with_provider(other)
    before = await table_counts(database_url)
    epic_before = await fetch(database_url, "SELECT current_stage, pending_proposal, updated_at FROM epics")
    calls = [
        ("GET", f"/api/epics/{epic_id}", None),
        ("DELETE", f"/api/epics/{epic_id}", None),
        ("GET", f"/api/epics/{epic_id}/permissions", None),
        ("POST", f"/api/epics/{epic_id}/chat", {"content": "let me in"}),
        ("POST", f"/api/epics/{epic_id}/confirm-proposal", {"proposal_id": proposal["proposal_id"], "confirmed": True}),
        ("GET", f"/api/epics/{epic_id}/transcript", None),
        ("GET", f"/api/epics/{epic_id}/decisions", None),
        ("GET", f"/api/epics/{epic_id}/artifacts", None),
        ("POST", f"/api/epics/{epic_id}/artifacts", {"artifact_type": "bug", "title": "x", "description": "y"}),
        ("DELETE", f"/api/epics/{epic_id}/artifacts/{artifact['artifact_id']}", None),
    ]
    for method, path, body in calls:
        response = await other.call(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert (await response.get_json())["code"] in ("EPIC_NOT_FOUND", "ARTIFACT_NOT_FOUND")
    assert await table_counts(database_url) == before
    assert await fetch(database_url, "SELECT current_stage, pending_proposal, updated_at FROM epics") == epic_before
    assert len(fake_llm.chat_requests()) == 1


async def test_unknown_epics_are_404(pm) -> None:
    for method, path in [
        ("GET", "/api/epics/epic_000000000000"),
        ("DELETE", "/api/epics/nope"),
        ("GET", "/api/epics/x/transcript"),
    ]:
        assert (await pm.call(method, path)).status_code == 404


async def test_deleting_an_epic_leaves_no_orphans(pm, fake_llm, database_url) -> None:
    keep = (await create_epic(pm, "Keep"))["epic_id"]
    epic_id = (await create_epic(pm, "Drop"))["epic_id"]
    fake_llm.script(PROBLEM)
    [proposal] = [e for e in await chat(pm, epic_id, "hi") if e["type"] == "proposal"]
    await pm.post(
        f"/api/epics/{epic_id}/confirm-proposal", json={"proposal_id": proposal["proposal_id"], "confirmed": True}
    )
    await pm.post(f"/api/epics/{epic_id}/artifacts", json={"artifact_type": "bug", "title": "t", "description": "d"})
    response = await pm.delete(f"/api/epics/{epic_id}")
    assert (response.status_code, await response.get_json()) == (200, {"message": "Epic deleted"})
    for table in ("epics", *HISTORY_TABLES):
        rows = await fetch(database_url, f"SELECT DISTINCT epic_id FROM {table}")
        assert [row["epic_id"] for row in rows if row["epic_id"] != keep] == [], table
    assert (await pm.get(f"/api/epics/{epic_id}")).status_code == 404
    assert (await pm.delete(f"/api/epics/{epic_id}")).status_code == 404


async def test_artifacts_are_listed_created_and_deleted(pm) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    created = await pm.post(
        f"/api/epics/{epic_id}/artifacts",
        json={
            "artifact_type": "user_story",
            "title": "Login",
            "description": "As a nurse...",
            "acceptance_criteria": ["works"],
            "priority": 2,
        },
    )
    assert created.status_code == 200
    artifact = await created.get_json()
    assert set(artifact) == {
        "artifact_id",
        "epic_id",
        "artifact_type",
        "title",
        "description",
        "acceptance_criteria",
        "priority",
        "created_at",
    }
    assert await (await pm.get(f"/api/epics/{epic_id}/artifacts")).get_json() == [artifact]
    bad = await pm.post(
        f"/api/epics/{epic_id}/artifacts", json={"artifact_type": "epic", "title": "x", "description": "y"}
    )
    assert bad.status_code == 422
    deleted = await pm.delete(f"/api/epics/{epic_id}/artifacts/{artifact['artifact_id']}")
    assert (deleted.status_code, await deleted.get_json()) == (200, {"message": "Artifact deleted"})
    assert await (await pm.get(f"/api/epics/{epic_id}/artifacts")).get_json() == []
    assert (await pm.delete(f"/api/epics/{epic_id}/artifacts/{artifact['artifact_id']}")).status_code == 404


async def test_permissions_follow_the_stage(pm) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    body = await (await pm.get(f"/api/epics/{epic_id}/permissions")).get_json()
    assert body["epic_id"] == epic_id and body["current_stage"] == "problem_capture"
    assert body["permissions"]["epic"]["status"] == "draft"
    assert body["permissions"]["epic"]["fields"]["problem_statement"] is True
    assert body["permissions"]["features"]["can_create"] is False
    assert set(body["permissions"]["stories"]) == {
        "can_create",
        "can_edit",
        "can_delete",
        "is_frozen",
        "requires_version",
    }


async def test_chat_checks_happen_before_streaming_and_write_nothing(make_settings, database_url, fake_llm) -> None:
    async with create_app(make_settings(database_url, billing_enabled=True)).test_app() as app:
        user = await new_user(app, "b@jarlpm.dev")
        epic_id = (await create_epic(user))["epic_id"]
        before = await table_counts(database_url)
        no_subscription = await user.post(f"/api/epics/{epic_id}/chat", json={"content": "hi"})
        assert no_subscription.status_code == 402
        await fetch(database_url, "UPDATE subscriptions SET status = 'active'")
        no_provider = await user.post(f"/api/epics/{epic_id}/chat", json={"content": "hi"})
        assert no_provider.status_code == 400
        assert (await no_provider.get_json())["detail"].startswith("No LLM provider configured")
        empty = await user.post(f"/api/epics/{epic_id}/chat", json={"content": ""})
        assert empty.status_code == 422
    assert await table_counts(database_url) == before
    assert fake_llm.chat_requests() == []


async def test_a_provider_failure_sends_error_and_keeps_only_the_user_message(pm, fake_llm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    fake_llm.script(Reply(status=500, times=3))
    response = await pm.post(f"/api/epics/{epic_id}/chat", json={"content": "Are you there?"})
    events = parse_frames(await response.get_data(as_text=True))
    assert events == [{"type": "error", "message": "The AI provider returned an error (HTTP 500)"}]
    rows = await fetch(database_url, "SELECT role, content FROM epic_transcript_events ORDER BY seq")
    assert [(row["role"], row["content"]) for row in rows][1:] == [("user", "Are you there?")]
    assert await fetch(database_url, "SELECT pending_proposal FROM epics") == [{"pending_proposal": None}]


async def test_confirm_needs_a_proposal_id_and_a_decision(pm) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    path = f"/api/epics/{epic_id}/confirm-proposal"
    assert (await pm.post(path, json={"confirmed": True})).status_code == 422
    assert (await pm.post(path, json={"proposal_id": "prop_1"})).status_code == 422
    blank = await pm.post(path, json={"proposal_id": "   ", "confirmed": True})
    assert blank.status_code == 400 and (await blank.get_json())["code"] == "NO_PENDING_PROPOSAL"
