"""An epic from idea to locked through chat and confirmations, checking what is stored after each step."""

from __future__ import annotations

from tests.builders import FINAL, OUTCOME, PROBLEM, chat, confirm, create_epic
from tests.db.helpers import fetch

EPIC_KEYS = {
    "epic_id",
    "title",
    "current_stage",
    "snapshot",
    "pending_proposal",
    "moscow_score",
    "created_at",
    "updated_at",
}


async def transcript(user, epic_id):  # type: ignore[no-untyped-def]
    return (await (await user.get(f"/api/epics/{epic_id}/transcript")).get_json())["events"]


async def decisions(user, epic_id):  # type: ignore[no-untyped-def]
    rows = (await (await user.get(f"/api/epics/{epic_id}/decisions")).get_json())["decisions"]
    return [(d["decision_type"], d["from_stage"], d["to_stage"]) for d in rows]


async def test_an_epic_goes_from_idea_to_locked(pm, fake_llm, database_url) -> None:
    await pm.put("/api/delivery-context", json={"industry": "Healthcare", "delivery_methodology": "scrum"})
    epic = await create_epic(pm)
    assert set(epic) == EPIC_KEYS
    assert epic["current_stage"] == "problem_capture" and epic["pending_proposal"] is None
    epic_id = epic["epic_id"]
    assert [(e["role"], e["content"]) for e in await transcript(pm, epic_id)] == [
        ("system", "Epic 'Medication entry' created. Starting in Problem Capture stage.")
    ]

    # 1. A plain exchange: chunks then done, both messages stored, the prompt version recorded.
    fake_llm.script("Who enters the data today, and how often?")
    events = await chat(pm, epic_id, "Nurses type medication data twice.")
    assert "".join(e["content"] for e in events if e["type"] == "chunk") == "Who enters the data today, and how often?"
    assert events[-1] == {"type": "done"} and not [e for e in events if e["type"] == "proposal"]
    events_now = await transcript(pm, epic_id)
    assert [(e["role"], e["stage"]) for e in events_now[1:]] == [
        ("user", "problem_capture"),
        ("assistant", "problem_capture"),
    ]
    assert events_now[-1]["event_metadata"]["prompt_version"].startswith("epic-chat-")
    system_prompt = fake_llm.chat_requests()[-1].body["messages"][0]["content"]
    assert "PRODUCT DELIVERY CONTEXT (Read-Only):" in system_prompt and "- Industry: Healthcare" in system_prompt
    assert "Problem Capture" in system_prompt

    # 2. A problem proposal, then its confirmation with the automatic advance.
    fake_llm.script(PROBLEM)
    events = await chat(pm, epic_id, "Every shift, on every ward.")
    [proposal] = [e for e in events if e["type"] == "proposal"]
    assert events[-2:] == [proposal, {"type": "done"}]
    assert proposal["field"] == "problem_statement" and proposal["target_stage"] == "problem_confirmed"
    assert proposal["content"].startswith("Problem Statement: Ward nurses spend 30 minutes")
    pending = (await (await pm.get(f"/api/epics/{epic_id}")).get_json())["pending_proposal"]
    assert pending["proposal_id"] == proposal["proposal_id"]
    assert pending["content"] == pending["proposed_content"] == proposal["content"]

    epic = await confirm(pm, epic_id, proposal["proposal_id"])
    assert epic["current_stage"] == "outcome_capture" and epic["pending_proposal"] is None
    assert epic["snapshot"]["problem_statement"] == proposal["content"]
    assert epic["snapshot"]["problem_confirmed_at"]
    assert await decisions(pm, epic_id) == [
        ("confirm_proposal", "problem_capture", "problem_confirmed"),
        ("auto_advance", "problem_confirmed", "outcome_capture"),
    ]
    assert (await transcript(pm, epic_id))[-1]["content"] == "Proposal confirmed. Now in Outcome Capture stage."

    # 3. The outcome; a proposal for another stage in the same reply is ignored.
    fake_llm.script(PROBLEM + "\n" + OUTCOME)
    events = await chat(pm, epic_id, "The problem is now confirmed. Let's define the desired outcome.")
    [proposal] = [e for e in events if e["type"] == "proposal"]
    assert proposal["field"] == "desired_outcome"
    system_prompt = fake_llm.chat_requests()[-1].body["messages"][0]["content"]
    assert "LOCKED Problem Statement: Problem Statement: Ward nurses" in system_prompt
    epic = await confirm(pm, epic_id, proposal["proposal_id"])
    assert epic["current_stage"] == "epic_drafted"
    assert epic["snapshot"]["desired_outcome"].startswith("Desired Outcome: Medication data is entered once")

    # 4. The final epic locks it.
    fake_llm.script(FINAL)
    events = await chat(pm, epic_id, "The outcome is now confirmed. Let's draft the epic.")
    [proposal] = [e for e in events if e["type"] == "proposal"]
    assert (proposal["field"], proposal["target_stage"]) == ("epic_final", "epic_locked")
    epic = await confirm(pm, epic_id, proposal["proposal_id"])
    snapshot = epic["snapshot"]
    assert epic["current_stage"] == "epic_locked"
    assert snapshot["epic_summary"] == "Single-entry medication records for ward nurses."
    assert snapshot["acceptance_criteria"] == [
        "A dose entered on the ward appears in the pharmacy system within 1 minute",
        "Nurses never type the same dose twice",
        "An audit log records every change",
    ]
    assert snapshot["epic_details"] == {
        "in_scope": ["Ward medication entry"],
        "out_of_scope": ["Billing"],
        "dependencies": ["Pharmacy API access"],
        "assumptions": ["Nurses have tablets"],
    }
    assert snapshot["epic_locked_at"]
    assert await decisions(pm, epic_id) == [
        ("confirm_proposal", "problem_capture", "problem_confirmed"),
        ("auto_advance", "problem_confirmed", "outcome_capture"),
        ("confirm_proposal", "outcome_capture", "outcome_confirmed"),
        ("auto_advance", "outcome_confirmed", "epic_drafted"),
        ("confirm_proposal", "epic_drafted", "epic_locked"),
    ]
    [row] = await fetch(database_url, "SELECT locked_at IS NOT NULL AS locked FROM epics")
    assert row["locked"]
    permissions = (await (await pm.get(f"/api/epics/{epic_id}/permissions")).get_json())["permissions"]
    assert permissions["epic"]["status"] == "locked" and permissions["features"]["can_create"] is True

    # 5. A locked epic still talks, but accepts no proposal.
    fake_llm.script(PROBLEM)
    events = await chat(pm, epic_id, "Can we change the problem?")
    assert not [e for e in events if e["type"] == "proposal"]
    assert (await (await pm.get(f"/api/epics/{epic_id}")).get_json())["pending_proposal"] is None


async def test_rejecting_a_proposal_records_it_and_keeps_the_stage(pm, fake_llm) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    fake_llm.script(PROBLEM)
    [proposal] = [e for e in await chat(pm, epic_id, "Hi") if e["type"] == "proposal"]
    epic = await confirm(pm, epic_id, proposal["proposal_id"], confirmed=False)
    assert epic["current_stage"] == "problem_capture" and epic["pending_proposal"] is None
    assert epic["snapshot"]["problem_statement"] is None
    assert await decisions(pm, epic_id) == [("reject_proposal", "problem_capture", None)]
    assert (await transcript(pm, epic_id))[-1]["content"] == "Proposal rejected. Please continue the conversation."


async def test_a_stale_or_missing_proposal_is_400_and_changes_nothing(pm, fake_llm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    missing = await pm.post(f"/api/epics/{epic_id}/confirm-proposal", json={"proposal_id": "prop_x", "confirmed": True})
    assert missing.status_code == 400 and (await missing.get_json())["code"] == "NO_PENDING_PROPOSAL"
    fake_llm.script(PROBLEM, PROBLEM)
    [first] = [e for e in await chat(pm, epic_id, "One") if e["type"] == "proposal"]
    [second] = [e for e in await chat(pm, epic_id, "Two") if e["type"] == "proposal"]
    before = await fetch(database_url, "SELECT current_stage, pending_proposal FROM epics")
    stale = await pm.post(
        f"/api/epics/{epic_id}/confirm-proposal", json={"proposal_id": first["proposal_id"], "confirmed": True}
    )
    assert stale.status_code == 400
    assert await stale.get_json() == {
        "detail": "Proposal ID mismatch: the proposal has been replaced",
        "code": "PROPOSAL_MISMATCH",
    }
    assert await fetch(database_url, "SELECT current_stage, pending_proposal FROM epics") == before
    assert await decisions(pm, epic_id) == []
    assert (await confirm(pm, epic_id, second["proposal_id"]))["current_stage"] == "outcome_capture"


async def test_a_proposal_for_a_stage_already_passed_cannot_advance(pm, fake_llm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    await fetch(
        database_url,
        """UPDATE epics SET pending_proposal = '{"proposal_id": "prop_old", "field": "epic_final",
           "proposed_content": "x", "content": "x", "target_stage": "epic_locked"}'::jsonb""",
    )
    response = await pm.post(
        f"/api/epics/{epic_id}/confirm-proposal", json={"proposal_id": "prop_old", "confirmed": True}
    )
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "CANNOT_ADVANCE"
    assert await fetch(database_url, "SELECT current_stage FROM epics") == [{"current_stage": "problem_capture"}]


async def test_the_prompt_carries_the_last_twenty_messages(pm, fake_llm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    for number in range(12):
        fake_llm.script(f"answer {number}")
        await chat(pm, epic_id, f"question {number}")
    fake_llm.script("last answer")
    await chat(pm, epic_id, "final question")
    messages = fake_llm.chat_requests()[-1].body["messages"]
    assert messages[0]["role"] == "system"
    history, latest = messages[1:-1], messages[-1]
    assert len(history) == 20
    assert history[0] == {"role": "user", "content": "question 2"}
    assert history[-1] == {"role": "assistant", "content": "answer 11"}
    assert latest == {"role": "user", "content": "final question"}
