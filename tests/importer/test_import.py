"""`jarlpm import` of the original data set (tests/importer/original.py): what lands, what users see
through the API, the history rules on imported rows, re-runs, and a failure in the middle of a user."""

from __future__ import annotations

import asyncpg
import pytest

from jarlpm import crypto
from jarlpm.importer import writer
from jarlpm.importer.source import open_original
from tests.db.helpers import fetch
from tests.helpers import User, session_token_of
from tests.importer import original as o

# Our tables the data set fills, with how many rows each should hold after a complete import.
EXPECTED_ROWS = {
    "users": 2,
    "subscriptions": 2,
    "product_delivery_contexts": 1,
    "llm_provider_configs": 2,
    "persona_generation_settings": 1,
    "payment_transactions": 1,
    "epics": 2,
    "epic_snapshots": 2,
    "epic_transcript_events": 6,
    "epic_decisions": 4,
    "epic_artifacts": 1,
    "features": 2,
    "feature_conversation_events": 2,
    "user_stories": 3,
    "user_story_conversation_events": 1,
    "poker_estimate_sessions": 1,
    "poker_persona_estimates": 2,
    "bugs": 2,
    "bug_links": 4,
    "bug_status_history": 3,
    "personas": 1,
    "scope_plans": 1,
    "lean_canvases": 1,
    "prd_documents": 1,
    "sprint_insights": 1,
    "external_integrations": 1,
    "external_push_mappings": 1,
    "external_push_runs": 1,
}


async def row_counts(url: str) -> dict[str, int]:
    counts = {}
    for table in EXPECTED_ROWS:
        counts[table] = (await fetch(url, f"SELECT count(*) AS n FROM {table}"))[0]["n"]
    return counts


async def sign_in(app, email: str, password: str) -> User:  # type: ignore[no-untyped-def]
    response = await app.test_client().post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return User(app, session_token_of(response))


async def json_of(user: User, path: str):  # type: ignore[no-untyped-def]
    response = await user.get(path)
    assert response.status_code == 200, (path, await response.get_data(as_text=True))
    return await response.get_json()


async def test_the_report_counts_every_table_with_reasons(imported, database_url) -> None:
    assert imported.ok and (imported.users_done, imported.users_total) == (2, 3)
    written = {name: counts.written for name, counts in imported.tables.items() if counts.written}
    assert written == EXPECTED_ROWS
    assert await row_counts(database_url) == EXPECTED_ROWS
    assert dict(imported.table("bug_links").skipped) == {
        "links to a story that does not exist": 1,
        "links to another user's epic": 1,
        "links to another user's feature": 1,
    }
    assert dict(imported.table("llm_provider_configs").skipped) == {
        "the API key cannot be decrypted with the original's secret (the user enters it again)": 1
    }
    assert imported.table("user_sessions").skipped == {"sessions are not imported: users sign in again": 1}
    assert imported.table("poker_persona_estimates").skipped == {
        "estimate is not a Fibonacci point (1, 2, 3, 5, 8, 13)": 1
    }
    [duplicate] = imported.case_duplicates
    assert (duplicate.kept, duplicate.dropped, duplicate.dropped_owned["epics"]) == (o.ALICE, o.ALICE_AGAIN, 1)
    notes = {what for _, what in imported.notes}
    assert "status 'cancelled' read as 'canceled'" in notes
    assert "locked_at (never written by the original) taken from the snapshot's epic_locked_at" in notes
    rendered = imported.render()
    assert "bug_links" in rendered and "links to another user's epic (1)" in rendered
    assert o.OLD_SECRET not in rendered and o.ALICE_KEY not in rendered


async def test_each_user_signs_in_with_the_original_password_and_reads_their_things(
    app, imported, database_url
) -> None:
    alice = await sign_in(app, o.ALICE_EMAIL, o.ALICE_PASSWORD)
    bob = await sign_in(app, o.BOB_EMAIL.upper(), o.BOB_PASSWORD)  # ours compares emails ignoring case

    epic = await json_of(alice, f"/api/epics/{o.LOCKED_EPIC}")
    assert epic["current_stage"] == "epic_locked"
    assert epic["snapshot"]["acceptance_criteria"] == ["Payout < 24h", "Audit trail"]
    transcript = await json_of(alice, f"/api/epics/{o.LOCKED_EPIC}/transcript")
    assert [event["event_id"] for event in transcript["events"]] == o.TRANSCRIPT
    decisions = await json_of(alice, f"/api/epics/{o.LOCKED_EPIC}/decisions")
    assert [d["decision_type"] for d in decisions["decisions"]] == [
        "confirm_proposal",
        "auto_advance",
        "confirm_proposal",
        "confirm_proposal",
    ]
    assert len(await json_of(alice, f"/api/epics/{o.LOCKED_EPIC}/artifacts")) == 1
    features = await json_of(alice, f"/api/features/epic/{o.LOCKED_EPIC}")
    assert [(f["feature_id"], f["current_stage"]) for f in features] == [
        (o.FEATURE_APPROVED, "approved"),
        (o.FEATURE_DRAFT, "draft"),
    ]
    assert features[0]["approved_at"] is not None and features[0]["rice_total"] == 266.67
    assert len(await json_of(alice, f"/api/features/{o.FEATURE_APPROVED}/conversation")) == 2
    [bound] = await json_of(alice, f"/api/stories/feature/{o.FEATURE_APPROVED}")
    assert (bound["story_id"], bound["story_points"], bound["story_priority"]) == (o.STORY_BOUND, 5, "must-have")
    assert len(await json_of(alice, f"/api/stories/{o.STORY_BOUND}/conversation")) == 1
    standalone = await json_of(alice, f"/api/stories/standalone/{o.STORY_STANDALONE}")
    assert standalone["action"] == "export payouts"
    poker = await json_of(alice, f"/api/poker/sessions/{o.STORY_BOUND}")
    assert [s["accepted_estimate"] for s in poker["sessions"]] == [5]
    bug = await json_of(alice, f"/api/bugs/{o.ALICE_BUG}")
    assert (bug["status"], bug["priority"], bug["link_count"]) == ("confirmed", "p1", 3)
    history = await json_of(alice, f"/api/bugs/{o.ALICE_BUG}/history")
    assert [h["to_status"] for h in history] == ["draft", "confirmed"]
    assert [c["provider"] for c in await json_of(alice, "/api/llm-providers")] == ["openai"]
    context = await json_of(alice, "/api/delivery-context")
    # quality_mode came from an ad-hoc script this original never ran: the column is absent, ours defaults.
    assert (context["delivery_methodology"], context["quality_mode"]) == ("scrum", "standard")
    assert (await json_of(alice, "/api/subscription/status"))["status"] == "active"
    assert (await json_of(alice, f"/api/scoring/epic/{o.LOCKED_EPIC}/moscow"))["moscow_score"] == "must_have"
    plan = await json_of(alice, f"/api/delivery-reality/initiative/{o.LOCKED_EPIC}/scope-plan")
    assert plan["deferred_story_ids"] == [o.STORY_DRAFT]
    prd = await json_of(alice, f"/api/prd/{o.LOCKED_EPIC}")
    assert prd["exists"] and prd["prd"]["data"]["summary"]["overview"] == "Same-day payouts"
    assert (await json_of(alice, f"/api/lean-canvas/{o.LOCKED_EPIC}"))["canvas"]["problem"] == "Slow payouts"
    assert [p["name"] for p in await json_of(alice, f"/api/personas/epic/{o.LOCKED_EPIC}")] == ["Fiona"]
    assert (await json_of(alice, "/api/sprints/insights/1"))["kickoff_plan"]["insight_id"] == "si_a1"
    assert (await json_of(alice, "/api/integrations/status"))["jira"]["status"] == "connected"
    mappings = await json_of(alice, f"/api/integrations/mappings/{o.LOCKED_EPIC}")
    assert [m["external_key"] for m in mappings["mappings"]] == ["PAY-1"]
    assert [r["run_id"] for r in (await json_of(alice, "/api/integrations/push-history"))["runs"]] == ["run_a1"]

    # With billing off everyone reads as subscribed; the stored status is the original's, normalised.
    [subscription] = await fetch(database_url, "SELECT status FROM subscriptions WHERE user_id = $1", o.BOB)
    assert subscription["status"] == "canceled"
    assert [link["entity_id"] for link in await json_of(bob, f"/api/bugs/{o.BOB_BUG}/links")] == [o.BOB_EPIC]
    bob_epic = await json_of(bob, f"/api/epics/{o.BOB_EPIC}")
    assert bob_epic["pending_proposal"]["content"] == "Sign-in takes too long"  # the key ours adds
    # Ownership came along: neither sees the other's epic.
    assert (await bob.get(f"/api/epics/{o.LOCKED_EPIC}")).status_code == 404
    assert (await alice.get(f"/api/epics/{o.BOB_EPIC}")).status_code == 404


async def test_keys_and_tokens_are_re_encrypted_with_our_key(imported, database_url, settings) -> None:
    [config] = await fetch(
        database_url, "SELECT encrypted_api_key FROM llm_provider_configs WHERE config_id = 'llm_a1'"
    )
    assert crypto.decrypt(settings.encryption_key, config["encrypted_api_key"]) == o.ALICE_KEY
    [jira] = await fetch(database_url, "SELECT access_token_encrypted, status FROM external_integrations")
    assert crypto.decrypt(settings.encryption_key, jira["access_token_encrypted"]) == o.JIRA_TOKEN
    [local] = await fetch(database_url, "SELECT encrypted_api_key FROM llm_provider_configs WHERE provider = 'local'")
    assert crypto.decrypt(settings.encryption_key, local["encrypted_api_key"]) == "local-key"


async def test_with_the_wrong_old_secret_rows_come_without_their_secrets_and_are_reported(
    run_import, database_url
) -> None:
    report = await run_import(secret="not-the-original-secret")

    assert report.ok
    assert report.table("llm_provider_configs").written == 1  # only Bob's local one, without its key
    [local] = await fetch(database_url, "SELECT provider, encrypted_api_key FROM llm_provider_configs")
    assert (local["provider"], local["encrypted_api_key"]) == ("local", None)
    [jira] = await fetch(
        database_url,
        "SELECT status, status_reason, access_token_encrypted, refresh_token_encrypted FROM external_integrations",
    )
    assert dict(jira) == {
        "status": "error",
        "status_reason": "secret_unreadable",
        "access_token_encrypted": None,
        "refresh_token_encrypted": None,
    }
    assert (
        report.notes[
            (
                "external_integrations",
                "access_token_encrypted cannot be decrypted with the original's secret: imported without it",
            )
        ]
        == 1
    )


async def test_history_rules_hold_on_imported_rows(app, imported, database_url) -> None:
    order = await fetch(
        database_url, "SELECT event_id FROM epic_transcript_events WHERE epic_id = $1 ORDER BY seq", o.LOCKED_EPIC
    )
    assert [row["event_id"] for row in order] == o.TRANSCRIPT  # equal timestamps, original order kept
    refused = [
        ("UPDATE epic_transcript_events SET content = 'rewritten' WHERE event_id = $1", o.TRANSCRIPT[0]),
        ("DELETE FROM epic_decisions WHERE decision_id = $1", "dec_a10000000000"),
        ("UPDATE bug_status_history SET notes = 'rewritten' WHERE history_id = $1", "hist_a2"),
        ("UPDATE epic_snapshots SET epic_summary = 'changed' WHERE epic_id = $1", o.LOCKED_EPIC),
        ("UPDATE epics SET current_stage = 'problem_capture' WHERE epic_id = $1", o.LOCKED_EPIC),
        ("UPDATE features SET title = 'changed' WHERE feature_id = $1", o.FEATURE_APPROVED),
    ]
    for statement, row_id in refused:
        with pytest.raises(asyncpg.PostgresError):
            await fetch(database_url, statement, row_id)
    alice = await sign_in(app, o.ALICE_EMAIL, o.ALICE_PASSWORD)
    # Deleting the parent still takes its history with it (the one allowed delete).
    assert (await alice.delete(f"/api/epics/{o.LOCKED_EPIC}")).status_code == 200
    assert await fetch(database_url, "SELECT 1 FROM epic_transcript_events WHERE epic_id = $1", o.LOCKED_EPIC) == []


async def test_a_second_run_writes_nothing_and_duplicates_nothing(imported, run_import, database_url) -> None:
    before = await row_counts(database_url)

    again = await run_import()

    assert again.ok and again.users_done == 2
    assert {name: counts.written for name, counts in again.tables.items() if counts.written} == {}
    assert again.table("epics").skipped == {writer.ALREADY_PRESENT: 2}
    assert await row_counts(database_url) == before


async def test_a_failure_in_the_second_user_leaves_the_first_whole_and_a_re_run_completes(
    run_import, database_url, monkeypatch
) -> None:
    real_insert = writer.insert

    async def failing_insert(conn, table, row, *, owner):  # type: ignore[no-untyped-def]
        if table == "bugs" and row["bug_id"] == o.BOB_BUG:
            raise asyncpg.PostgresConnectionError("connection lost in the middle of Bob")
        return await real_insert(conn, table, row, owner=owner)

    monkeypatch.setattr(writer, "insert", failing_insert)
    report = await run_import()

    assert [user_id for user_id, _ in report.failures] == [o.BOB]
    assert "connection lost in the middle of Bob" in report.render()
    assert [row["user_id"] for row in await fetch(database_url, "SELECT user_id FROM users")] == [o.ALICE]
    for table in ("epics", "bugs", "subscriptions", "llm_provider_configs"):
        owners = await fetch(database_url, f"SELECT DISTINCT user_id FROM {table}")
        assert [row["user_id"] for row in owners] == [o.ALICE], table
    alice_only = await row_counts(database_url)

    monkeypatch.setattr(writer, "insert", real_insert)
    resumed = await run_import()

    assert resumed.ok
    assert resumed.table("users").written == 1 and resumed.table("epics").written == 1
    assert await row_counts(database_url) == EXPECTED_ROWS
    assert alice_only["epics"] == 1


async def test_a_dry_run_writes_nothing_and_reports_what_a_run_writes(run_import, database_url) -> None:
    dry = await run_import(dry_run=True)

    assert await fetch(database_url, "SELECT user_id FROM users") == []
    assert "dry run: nothing was written" in dry.render()
    real = await run_import()
    written = {name: counts.written for name, counts in real.tables.items()}
    assert {name: counts.written for name, counts in dry.tables.items()} == written


async def test_an_account_here_with_the_same_email_keeps_it_and_the_original_user_is_skipped(
    app, run_import, database_url
) -> None:
    signup = {"email": o.ALICE_EMAIL.upper(), "password": "a fresh password", "name": "Alice here"}
    assert (await app.test_client().post("/api/auth/signup", json=signup)).status_code == 200

    report = await run_import()

    assert report.table("users").skipped["email already used by another account here"] == 1
    assert report.table("epics").skipped["its user was not imported"] == 1
    assert await fetch(database_url, "SELECT epic_id FROM epics WHERE epic_id = $1", o.LOCKED_EPIC) == []
    assert report.table("epics").written == 1  # Bob's


async def test_the_original_is_read_in_a_read_only_transaction_and_left_unchanged(original_db, imported) -> None:
    async with open_original(original_db) as source:
        with pytest.raises(asyncpg.exceptions.ReadOnlySQLTransactionError):
            await source.conn.execute("UPDATE users SET name = 'changed'")
    rows = await fetch(original_db, "SELECT count(*) AS n FROM user_sessions")
    assert rows[0]["n"] == 1
    [version] = await fetch(original_db, "SELECT version_num FROM alembic_version")
    assert version["version_num"] == "f8fd07732cde"  # its broken Alembic state is neither read nor fixed
