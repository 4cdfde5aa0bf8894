"""Archive, restore, the status change, duplicate and delete: what each writes, what it refuses, and that
the history rules (append-only, frozen confirmations and approvals) still hold afterwards."""

from __future__ import annotations

import asyncpg
import pytest

from tests.builders import (
    PROBLEM,
    approved_feature,
    chat,
    confirm,
    create_epic,
    create_feature,
    drafted_epic,
    locked_epic,
    pointed_story,
)
from tests.db.helpers import fetch
from tests.sse import stream_events

MESSAGE_KEYS = {"message", "epic_id"}


async def activity(database_url: str, epic_id: str) -> list[str]:
    rows = await fetch(
        database_url,
        "SELECT event_type FROM initiative_activity WHERE epic_id = $1 ORDER BY created_at, activity_id",
        epic_id,
    )
    return [row["event_type"] for row in rows]


async def archive_flags(database_url: str, epic_id: str) -> tuple[bool, bool]:
    [row] = await fetch(database_url, "SELECT is_archived, archived_at FROM epics WHERE epic_id = $1", epic_id)
    return row["is_archived"], row["archived_at"] is not None


# --- archive and restore --------------------------------------------------------------------------------


async def test_archive_and_unarchive_flip_the_flag_and_record_the_activity(pm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]

    archived = await pm.patch(f"/api/initiatives/{epic_id}/archive")
    assert archived.status_code == 200
    assert await archived.get_json() == {"message": "Initiative archived", "epic_id": epic_id}
    assert await archive_flags(database_url, epic_id) == (True, True)

    restored = await pm.patch(f"/api/initiatives/{epic_id}/unarchive")
    assert await restored.get_json() == {"message": "Initiative unarchived", "epic_id": epic_id}
    assert await archive_flags(database_url, epic_id) == (False, False)
    assert await activity(database_url, epic_id) == ["archived", "restored"]


async def test_asking_twice_changes_nothing_more(pm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    assert (await pm.patch(f"/api/initiatives/{epic_id}/unarchive")).status_code == 200  # never archived
    for _ in range(2):
        assert (await pm.patch(f"/api/initiatives/{epic_id}/archive")).status_code == 200
    assert await activity(database_url, epic_id) == ["archived"]


# --- status -------------------------------------------------------------------------------------------------


async def test_status_archived_archives_and_the_stage_status_restores(pm, fake_llm, database_url) -> None:
    epic_id = await drafted_epic(pm, fake_llm)

    response = await pm.patch(f"/api/initiatives/{epic_id}/status", json={"status": "archived"})
    assert response.status_code == 200
    assert await response.get_json() == {"message": "Status updated to archived", "epic_id": epic_id}
    assert (await (await pm.get(f"/api/initiatives/{epic_id}")).get_json())["status"] == "archived"

    response = await pm.patch(f"/api/initiatives/{epic_id}/status", json={"status": "active"})
    assert response.status_code == 200
    assert (await (await pm.get(f"/api/initiatives/{epic_id}")).get_json())["status"] == "active"
    assert await activity(database_url, epic_id) == ["archived", "restored"]
    # Asking for the status it already shows is a no-op, not an error.
    assert (await pm.patch(f"/api/initiatives/{epic_id}/status", json={"status": "active"})).status_code == 200
    assert await activity(database_url, epic_id) == ["archived", "restored"]


@pytest.mark.parametrize(("stage_of", "requested"), [("draft", "completed"), ("draft", "active"), ("locked", "draft")])
async def test_a_status_only_the_conversation_reaches_is_400_and_changes_nothing(
    pm, fake_llm, database_url, stage_of, requested
) -> None:
    epic_id = await locked_epic(pm, fake_llm) if stage_of == "locked" else (await create_epic(pm))["epic_id"]
    await pm.patch(f"/api/initiatives/{epic_id}/archive")
    before = await fetch(database_url, "SELECT * FROM epics WHERE epic_id = $1", epic_id)

    response = await pm.patch(f"/api/initiatives/{epic_id}/status", json={"status": requested})

    assert response.status_code == 400
    body = await response.get_json()
    assert body["code"] == "STATUS_NOT_REACHABLE" and requested in body["detail"]
    assert await fetch(database_url, "SELECT * FROM epics WHERE epic_id = $1", epic_id) == before
    assert await activity(database_url, epic_id) == ["archived"]


@pytest.mark.parametrize("body", [{"status": "shipped"}, {"status": None}, {}, {"state": "archived"}])
async def test_an_unknown_status_is_422(pm, database_url, body) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    response = await pm.patch(f"/api/initiatives/{epic_id}/status", json=body)
    assert response.status_code == 422
    assert (await response.get_json())["code"] == "VALIDATION_ERROR"
    assert await archive_flags(database_url, epic_id) == (False, False)


# --- duplicate ----------------------------------------------------------------------------------------------


async def copy_of(user, epic_id: str, **body) -> dict:  # type: ignore[no-untyped-def]
    response = await user.post(f"/api/initiatives/{epic_id}/duplicate", json={"new_title": None, **body})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


SNAPSHOT = "SELECT * FROM epic_snapshots WHERE epic_id = $1"
WORK = """SELECT f.title, f.current_stage AS feature_stage, f.approved_at AS feature_approved, f.priority,
                 s.persona, s.action, s.benefit, s.story_points, s.story_priority, s.current_stage, s.approved_at,
                 s.sprint_number, s.status
            FROM features AS f
            LEFT JOIN user_stories AS s ON s.feature_id = f.feature_id
           WHERE f.epic_id = $1
           ORDER BY f.created_at, s.created_at"""


async def test_a_copy_restarts_in_problem_capture_with_draft_work_and_its_own_creation_event(
    pm, fake_llm, database_url
) -> None:
    original = await locked_epic(pm, fake_llm, "Medication entry")
    feature = await approved_feature(pm, original)
    sized = await pointed_story(pm, fake_llm, feature["feature_id"], 5, story_priority="must-have")
    await pointed_story(pm, fake_llm, feature["feature_id"], 3)
    assert (await pm.post(f"/api/stories/{sized['story_id']}/approve")).status_code == 200
    original_snapshot = await fetch(database_url, SNAPSHOT, original)
    original_work = await fetch(database_url, WORK, original)

    body = await copy_of(pm, original)

    assert body["message"] == "Initiative duplicated" and body["title"] == "Medication entry (Copy)"
    copy = body["new_epic_id"]
    [epic] = await fetch(
        database_url, "SELECT title, current_stage, locked_at, is_archived, user_id FROM epics WHERE epic_id = $1", copy
    )
    assert (epic["title"], epic["current_stage"], epic["locked_at"], epic["is_archived"]) == (
        "Medication entry (Copy)",
        "problem_capture",
        None,
        False,
    )
    [snapshot] = await fetch(database_url, SNAPSHOT, copy)
    [source] = original_snapshot
    for text in ("problem_statement", "desired_outcome", "epic_summary", "acceptance_criteria", "epic_details"):
        assert snapshot[text] == source[text]
    for confirmed in ("problem_confirmed_at", "outcome_confirmed_at", "epic_locked_at"):
        assert snapshot[confirmed] is None
    events = await fetch(
        database_url, "SELECT role, content, stage FROM epic_transcript_events WHERE epic_id = $1", copy
    )
    assert events == [
        {
            "role": "system",
            "content": "Epic 'Medication entry (Copy)' created. Starting in Problem Capture stage.",
            "stage": "problem_capture",
        }
    ]
    assert await fetch(database_url, "SELECT * FROM epic_decisions WHERE epic_id = $1", copy) == []
    copied = await fetch(database_url, WORK, copy)
    assert [(row["persona"], row["story_points"], row["story_priority"]) for row in copied] == [
        (row["persona"], row["story_points"], row["story_priority"]) for row in original_work
    ]
    assert {
        (row["feature_stage"], row["feature_approved"], row["current_stage"], row["approved_at"]) for row in copied
    } == {("draft", None, "draft", None)}
    # The original is exactly as it was.
    assert await fetch(database_url, SNAPSHOT, original) == original_snapshot
    assert await fetch(database_url, WORK, original) == original_work


async def test_the_copy_goes_through_its_own_conversation(pm, fake_llm) -> None:
    original = await locked_epic(pm, fake_llm)
    copy = (await copy_of(pm, original, new_title="Second attempt"))["new_epic_id"]
    fake_llm.script(PROBLEM)
    [proposal] = [event for event in await chat(pm, copy, "again") if event["type"] == "proposal"]
    epic = await confirm(pm, copy, proposal["proposal_id"])
    assert (epic["title"], epic["current_stage"]) == ("Second attempt", "outcome_capture")
    assert epic["snapshot"]["problem_confirmed_at"] is not None


async def test_a_long_title_is_cut_to_fit_its_copy_suffix(pm) -> None:
    epic = await create_epic(pm, "t" * 500)
    body = await copy_of(pm, epic["epic_id"])
    assert len(body["title"]) == 500 and body["title"].endswith(" (Copy)")


async def test_a_retried_duplicate_with_its_idempotency_key_copies_once(pm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    headers = {"Idempotency-Key": "copy-once"}
    first = await pm.post(f"/api/initiatives/{epic_id}/duplicate", json={}, headers=headers)
    again = await pm.post(f"/api/initiatives/{epic_id}/duplicate", json={}, headers=headers)
    assert (await first.get_json()) == (await again.get_json())
    assert await fetch(database_url, "SELECT count(*) AS n FROM epics") == [{"n": 2}]


async def test_the_originals_confirmations_and_approvals_stay_frozen_after_a_copy(pm, fake_llm, database_url) -> None:
    original = await locked_epic(pm, fake_llm)
    await approved_feature(pm, original)
    await copy_of(pm, original)
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, "UPDATE epic_snapshots SET problem_statement = 'x' WHERE epic_id = $1", original)
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, "UPDATE features SET title = 'x' WHERE epic_id = $1", original)
    with pytest.raises(asyncpg.RestrictViolationError):
        await fetch(database_url, "UPDATE epics SET current_stage = 'problem_capture' WHERE epic_id = $1", original)


# --- delete -------------------------------------------------------------------------------------------------

CHILD_TABLES = (
    "epic_snapshots",
    "epic_transcript_events",
    "epic_decisions",
    "features",
    "feature_conversation_events",
    "user_story_conversation_events",
    "initiative_activity",
)


async def rows_under(database_url: str, epic_id: str) -> dict[str, int]:
    counts = {}
    for table in CHILD_TABLES:
        [row] = await fetch(database_url, f"SELECT count(*) AS n FROM {table} WHERE epic_id = $1", epic_id)
        counts[table] = row["n"]
    [row] = await fetch(
        database_url,
        "SELECT count(*) AS n FROM user_stories AS s JOIN features AS f USING (feature_id) WHERE f.epic_id = $1",
        epic_id,
    )
    return {**counts, "user_stories": row["n"]}


async def test_delete_removes_the_initiative_with_its_history_and_work(pm, fake_llm, database_url) -> None:
    doomed = await locked_epic(pm, fake_llm)
    feature = await approved_feature(pm, doomed)
    await pointed_story(pm, fake_llm, feature["feature_id"], 3)
    draft_feature = await create_feature(pm, doomed, title="Pharmacy sync")
    await stream_events(pm, f"/api/features/{draft_feature['feature_id']}/chat", {"content": "Sharper, please"})
    await pm.patch(f"/api/initiatives/{doomed}/archive")
    await pm.patch(f"/api/initiatives/{doomed}/unarchive")
    assert all((await rows_under(database_url, doomed)).values())  # every kind of row exists before

    response = await pm.delete(f"/api/initiatives/{doomed}")

    assert response.status_code == 200
    assert await response.get_json() == {"message": "Initiative deleted", "epic_id": doomed}
    assert set((await rows_under(database_url, doomed)).values()) == {0}
    assert await fetch(database_url, "SELECT epic_id FROM epics WHERE epic_id = $1", doomed) == []
    assert (await pm.get(f"/api/initiatives/{doomed}")).status_code == 404
    assert (await pm.delete(f"/api/initiatives/{doomed}")).status_code == 404


async def test_the_survivors_history_stays_append_only_after_a_delete(pm, fake_llm, database_url) -> None:
    survivor = await locked_epic(pm, fake_llm, "Survivor")
    doomed = (await copy_of(pm, survivor))["new_epic_id"]
    before = await fetch(database_url, "SELECT * FROM epic_transcript_events WHERE epic_id = $1 ORDER BY seq", survivor)

    assert (await pm.delete(f"/api/initiatives/{doomed}")).status_code == 200
    # Many requests reuse the pool's connections: the deleting flag must have ended with its transaction.
    for _ in range(3):
        assert (await pm.get(f"/api/initiatives/{survivor}")).status_code == 200

    for statement in (
        "UPDATE epic_transcript_events SET content = 'rewritten' WHERE epic_id = $1",
        "DELETE FROM epic_transcript_events WHERE epic_id = $1",
        "DELETE FROM epic_decisions WHERE epic_id = $1",
    ):
        with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
            await fetch(database_url, statement, survivor)
    after = await fetch(database_url, "SELECT * FROM epic_transcript_events WHERE epic_id = $1 ORDER BY seq", survivor)
    assert after == before


# --- another user -------------------------------------------------------------------------------------------


async def test_another_users_initiative_cannot_be_changed_copied_or_deleted(pm, other, fake_llm, database_url) -> None:
    epic_id = await locked_epic(pm, fake_llm)
    await approved_feature(pm, epic_id)
    before = {
        table: await fetch(database_url, f"SELECT * FROM {table} ORDER BY 1")
        for table in ("epics", "epic_snapshots", "features", "initiative_activity")
    }

    for method, path, body in (
        ("PATCH", f"/api/initiatives/{epic_id}/archive", None),
        ("PATCH", f"/api/initiatives/{epic_id}/unarchive", None),
        ("PATCH", f"/api/initiatives/{epic_id}/status", {"status": "archived"}),
        ("POST", f"/api/initiatives/{epic_id}/duplicate", {"new_title": "Stolen"}),
        ("DELETE", f"/api/initiatives/{epic_id}", None),
    ):
        response = await other.call(method, path, json=body)
        assert response.status_code == 404, path
        assert (await response.get_json())["code"] == "INITIATIVE_NOT_FOUND"

    for table, rows in before.items():
        assert await fetch(database_url, f"SELECT * FROM {table} ORDER BY 1") == rows
