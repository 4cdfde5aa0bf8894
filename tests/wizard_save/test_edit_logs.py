"""Edits of wizard-made stories are logged by the database, and /analytics/edit-patterns reads them back."""

from __future__ import annotations

from tests.builders import approved_feature_with_stories
from tests.db.helpers import fetch
from tests.wizard_save.helpers import generation_log, initiative


async def _patterns(user, days: str = "30") -> dict:  # type: ignore[no-untyped-def]
    response = await user.get(f"/api/initiative/analytics/edit-patterns?days={days}")
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def test_story_edits_are_logged_and_summed_for_their_owner_only(pm, other, fake_llm, database_url) -> None:
    me = (await (await pm.get("/api/auth/me")).get_json())["user_id"]
    log_id = await generation_log(database_url, me, "ilog_edited000001")
    response = await pm.post("/api/initiative/save", json=initiative(_analytics={"log_id": log_id}))
    saved = await response.get_json()
    story_id = saved["story_ids"]["story_00000001"]
    plain = await approved_feature_with_stories(pm, fake_llm)  # made through the chat flow, not the wizard

    edit = {
        "persona": "ward nurse on nights",  # 10 -> 20 characters, the first 10 kept: modify, ratio 0.5
        "labels": [],  # "frontend\nmvp" -> "": remove
        "notes_for_engineering": "Entirely different.",  # rewrite
        "benefit": "I never type it twice",  # unchanged: no row
    }
    assert (await pm.put(f"/api/stories/{story_id}", json=edit)).status_code == 200
    assert (
        await pm.put(f"/api/stories/{plain.stories[0]['story_id']}", json={"persona": "pharmacist"})
    ).status_code == 200
    assert (
        await pm.put(f"/api/stories/{story_id}", json={"title": "Record a dose once"})
    ).status_code == 200  # no change

    rows = await fetch(
        database_url,
        """SELECT edit_id, user_id, epic_id, log_id, entity_type, entity_id, field_edited, original_length,
                  edited_length, change_ratio, edit_type, time_to_edit_seconds
             FROM initiative_edit_logs ORDER BY field_edited""",
    )
    assert [(r["field_edited"], r["edit_type"]) for r in rows] == [
        ("labels", "remove"),
        ("notes_for_engineering", "rewrite"),
        ("persona", "modify"),
    ]
    assert {(r["user_id"], r["epic_id"], r["log_id"], r["entity_type"], r["entity_id"]) for r in rows} == {
        (me, saved["epic_id"], log_id, "story", story_id)
    }
    persona = rows[2]
    assert (persona["original_length"], persona["edited_length"], persona["change_ratio"]) == (10, 20, 0.5)
    assert all(r["edit_id"].startswith("iedit_") and r["time_to_edit_seconds"] >= 0 for r in rows)
    assert rows[0]["change_ratio"] == 1.0 and rows[0]["edited_length"] == 0

    patterns = await _patterns(pm)
    assert patterns["period_days"] == 30 and patterns["total_edits"] == 3
    assert patterns["edit_types"] == {"add": 0, "remove": 1, "modify": 1, "rewrite": 1}
    assert {(f["entity_type"], f["field"], f["edits"]) for f in patterns["most_edited_fields"]} == {
        ("story", "labels", 1),
        ("story", "notes_for_engineering", 1),
        ("story", "persona", 1),
    }
    assert next(f for f in patterns["most_edited_fields"] if f["field"] == "persona")["avg_change_ratio"] == 0.5
    assert patterns["avg_time_to_edit_seconds"] is not None

    theirs = await _patterns(other, "365")
    assert (theirs["total_edits"], theirs["most_edited_fields"], theirs["avg_time_to_edit_seconds"]) == (0, [], None)
    for days in ("0", "366", "soon"):
        refused = await pm.get(f"/api/initiative/analytics/edit-patterns?days={days}")
        assert refused.status_code == 422 and (await refused.get_json())["code"] == "VALIDATION_ERROR"

    # Deleting the wizard's epic takes its save and its edit logs with it.
    assert (await pm.delete(f"/api/epics/{saved['epic_id']}")).status_code == 200
    assert await fetch(database_url, "SELECT edit_id FROM initiative_edit_logs") == []
    assert (await _patterns(pm))["total_edits"] == 0
