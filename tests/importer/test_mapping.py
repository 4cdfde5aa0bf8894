"""The pure normalisation rules: what ours is stricter about is mapped and noted, or skipped with a reason."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.fernet import Fernet

from jarlpm.importer import mapping
from jarlpm.importer.mapping import Skip, UserContext
from jarlpm.importer.secrets import ORIGINAL_DEFAULT_SECRET, OriginalSecrets

NOON = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def context(**present: set[str]) -> UserContext:
    ctx = UserContext(
        owner="user_000000000001",
        encryption_key=Fernet.generate_key().decode(),
        secrets=OriginalSecrets(ORIGINAL_DEFAULT_SECRET),
    )
    ctx.present.update(present)
    return ctx


def test_the_original_encryption_round_trips_and_a_foreign_token_reads_as_none() -> None:
    secrets = OriginalSecrets("s3cret")
    stored = secrets.encrypt("sk-123")

    assert secrets.decrypt(stored) == "sk-123"
    assert OriginalSecrets("other").decrypt(stored) is None
    assert secrets.decrypt("not base64 at all!") is None
    assert "s3cret" not in repr(secrets)


def test_enumerations_forgive_spelling_and_note_what_they_map() -> None:
    ctx = context()

    assert mapping.choice(ctx, "bugs", "priority", "P2", ("p0", "p1", "p2", "p3")) == "p2"
    assert mapping.choice(ctx, "user_stories", "story_priority", "Nice to have", ("must-have", "nice-to-have")) == (
        "nice-to-have"
    )
    assert mapping.choice(ctx, "bugs", "severity", "blocker", ("low", "medium"), default="medium") == "medium"
    assert ctx.notes[("bugs", "severity 'blocker' is not one of ours: set to 'medium'")] == 1
    assert ctx.notes[("bugs", "priority 'P2' read as 'p2'")] == 1


def test_a_locked_epic_takes_its_lock_time_from_the_snapshot() -> None:
    ctx = context()
    ctx.snapshots = {"epic_000000000001": {"epic_locked_at": NOON}}
    row = {"epic_id": "epic_000000000001", "user_id": ctx.owner, "title": "T", "current_stage": "epic_locked"}

    mapped = mapping.epic(row, ctx)

    assert not isinstance(mapped, Skip)
    assert mapped["locked_at"] == NOON
    unlocked = mapping.epic({**row, "current_stage": "epic_drafted", "locked_at": NOON}, ctx)
    assert not isinstance(unlocked, Skip) and unlocked["locked_at"] is None


def test_rows_whose_ids_or_parents_ours_cannot_hold_are_skipped_with_the_reason() -> None:
    ctx = context(epics={"epic_000000000001"})

    assert mapping.feature({"feature_id": "F-12", "epic_id": "epic_000000000001"}, ctx) == Skip(
        "id without the feat_ prefix our keys require"
    )
    assert mapping.feature({"feature_id": "feat_1", "epic_id": "epic_elsewhere"}, ctx) == Skip(
        "its epic was not imported"
    )
    link = {"link_id": "link_1", "bug_id": "bug_1", "entity_type": "story", "entity_id": "story_1"}
    ctx.present["bugs"] = {"bug_1"}
    assert mapping.bug_link({**link, "target_owner": None}, ctx) == Skip("links to a story that does not exist")
    assert mapping.bug_link({**link, "target_owner": "user_else"}, ctx) == Skip("links to another user's story")
    assert mapping.bug_link({**link, "target_owner": ctx.owner}, ctx) == Skip("links to a story that was not imported")


def test_one_active_provider_and_one_active_plan_per_epic_are_kept() -> None:
    ctx = context(epics={"epic_000000000001"})
    key = ctx.secrets.encrypt("sk-1")
    configs = [
        {"config_id": f"llm_{n}", "user_id": ctx.owner, "provider": p, "encrypted_api_key": key, "is_active": True}
        for n, p in enumerate(("openai", "anthropic"))
    ]
    mapped = [mapping.provider_config(row, ctx) for row in configs]
    assert [m["is_active"] for m in mapped if not isinstance(m, Skip)] == [True, False]
    plans = [{"plan_id": f"splan_{n}", "epic_id": "epic_000000000001", "is_active": True} for n in range(2)]
    assert [m["is_active"] for m in (mapping.scope_plan(p, ctx) for p in plans) if not isinstance(m, Skip)] == [
        True,
        False,
    ]


def test_the_most_recently_active_of_case_duplicates_is_kept() -> None:
    users = [
        {"id": 1, "user_id": "user_1", "email": "Ana@x.io", "last_active": NOON},
        {"id": 2, "user_id": "user_2", "email": "ana@x.io", "last_active": datetime(2025, 4, 1, tzinfo=UTC)},
        {"id": 3, "user_id": "user_3", "email": "bo@x.io", "last_active": None},
    ]

    kept, dropped = mapping.split_case_duplicates(users)

    assert [u["user_id"] for u in kept] == ["user_2", "user_3"]
    assert [(d["user_id"], k["user_id"]) for d, k in dropped] == [("user_1", "user_2")]


def test_naive_timestamps_are_read_as_utc_and_a_missing_update_time_is_the_creation_time() -> None:
    naive = datetime(2025, 1, 1, 8, 0)

    assert mapping.stamps({"created_at": naive, "updated_at": None}, "created_at", "updated_at") == {
        "created_at": naive.replace(tzinfo=UTC),
        "updated_at": naive.replace(tzinfo=UTC),
    }


def test_a_pending_proposal_gains_the_content_key_and_an_incomplete_one_is_dropped() -> None:
    ctx = context()
    proposal = {
        "proposal_id": "prop_1",
        "field": "problem_statement",
        "proposed_content": "Payouts are slow",
        "proposed_at": "2025-01-10T09:00:00+00:00",
        "target_stage": "problem_confirmed",
    }
    row = {"epic_id": "epic_000000000001", "user_id": ctx.owner, "title": "T", "current_stage": "problem_capture"}

    kept = mapping.epic({**row, "pending_proposal": proposal}, ctx)
    dropped = mapping.epic({**row, "pending_proposal": {"field": "problem_statement"}}, ctx)

    assert not isinstance(kept, Skip) and kept["pending_proposal"] == {**proposal, "content": "Payouts are slow"}
    assert not isinstance(dropped, Skip) and dropped["pending_proposal"] is None
    assert ctx.notes[("epics", "an incomplete pending proposal dropped (the assistant proposes again)")] == 1
