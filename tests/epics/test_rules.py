from datetime import UTC, datetime

from jarlpm.epics.rules import find_proposal, parse_epic_final, pending_proposal, permissions
from tests.builders import FINAL, OUTCOME, PROBLEM


def test_a_proposal_is_found_only_in_the_stage_that_accepts_it() -> None:
    kind, content = find_proposal(PROBLEM, "problem_capture")
    assert kind.field == "problem_statement" and content.startswith("Problem Statement:")
    assert find_proposal(PROBLEM, "outcome_capture") is None
    assert find_proposal(PROBLEM + OUTCOME, "outcome_capture")[0].field == "desired_outcome"
    assert find_proposal("no tags here", "problem_capture") is None
    assert find_proposal("[PROPOSAL: PROBLEM_STATEMENT]   [/PROPOSAL]", "problem_capture") is None


def test_the_pending_proposal_carries_content_twice() -> None:
    kind, content = find_proposal(PROBLEM, "problem_capture")
    proposal = pending_proposal(kind, content, datetime(2026, 1, 1, tzinfo=UTC))
    assert proposal["proposal_id"].startswith("prop_") and len(proposal["proposal_id"]) == 17
    assert proposal["content"] == proposal["proposed_content"] == content
    assert proposal["target_stage"] == "problem_confirmed"


def test_the_final_epic_is_parsed_by_section() -> None:
    _, content = find_proposal(FINAL, "epic_drafted")
    final = parse_epic_final(content)
    assert final.summary == "Single-entry medication records for ward nurses."
    assert final.acceptance_criteria == [
        "A dose entered on the ward appears in the pharmacy system within 1 minute",
        "Nurses never type the same dose twice",
        "An audit log records every change",
    ]
    assert final.details["out_of_scope"] == ["Billing"]


def test_criteria_come_only_from_their_own_section_in_any_markdown_dress() -> None:
    final = parse_epic_final(
        "**Epic Summary:** Faster checkout.\n"
        "Because carts are abandoned.\n"
        "## Acceptance Criteria:\n"
        "1. Pay in two taps\n"
        "* [ ] Receipt by email\n"
        "not a bullet line\n"
        "Out of Scope:\n"
        "- Crypto payments\n"
    )
    assert final.summary == "Faster checkout.\nBecause carts are abandoned."
    assert final.acceptance_criteria == ["Pay in two taps", "Receipt by email"]
    assert final.details == {"in_scope": [], "out_of_scope": ["Crypto payments"], "dependencies": [], "assumptions": []}


def test_a_final_epic_without_sections_keeps_its_text_as_summary() -> None:
    final = parse_epic_final("Just a paragraph.")
    assert final.summary == "Just a paragraph." and final.acceptance_criteria == []


def test_permissions_of_an_archived_epic() -> None:
    snapshot = {"problem_confirmed_at": None, "outcome_confirmed_at": None}
    result = permissions({"current_stage": "epic_locked", "is_archived": True, "snapshot": snapshot})
    assert result["epic"]["status"] == "archived"
    assert result["features"]["can_create"] is False and result["stories"]["is_frozen"] is True


def test_a_sections_text_on_its_heading_line_is_an_item() -> None:
    final = parse_epic_final(
        "Epic Summary: Faster intake.\n"
        "Acceptance Criteria: one thing\n"
        "- another thing\n"
        "**In Scope:** web intake.\n"
        "Out of Scope: - phone intake\n"
        "Dependencies:\n"
        "Assumptions: 1. Staff have browsers\n"
    )
    assert final.summary == "Faster intake."
    assert final.acceptance_criteria == ["one thing", "another thing"]
    assert final.details == {
        "in_scope": ["web intake."],
        "out_of_scope": ["phone intake"],
        "dependencies": [],
        "assumptions": ["Staff have browsers"],
    }
