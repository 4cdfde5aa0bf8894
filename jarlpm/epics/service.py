"""Epic steps that span several statements: creation, confirming or rejecting a proposal, saving a reply."""

from __future__ import annotations

from datetime import UTC, datetime

from asyncpg import Connection

from jarlpm.ai import Reply, Save, StreamEnd
from jarlpm.epics import prompts, repo, rules
from jarlpm.epics.rules import AUTO_ADVANCE, STAGE_TITLES
from jarlpm.errors import APIError

NOT_FOUND = ("EPIC_NOT_FOUND", "Epic not found")


async def create_epic(conn: Connection, *, user_id: str, title: str) -> dict:
    epic_id = await repo.create_epic(conn, user_id=user_id, title=title)
    await repo.add_event(
        conn,
        user_id=user_id,
        epic_id=epic_id,
        role="system",
        content=f"Epic '{title}' created. Starting in Problem Capture stage.",
        stage="problem_capture",
    )
    return await owned_epic(conn, user_id=user_id, epic_id=epic_id)


async def owned_epic(conn: Connection, *, user_id: str, epic_id: str) -> dict:
    epic = await repo.get_epic(conn, user_id=user_id, epic_id=epic_id)
    if epic is None:
        raise APIError(404, *NOT_FOUND)
    return epic


async def open_chat_turn(conn: Connection, *, user_id: str, epic_id: str, content: str) -> tuple[dict, list[dict]]:
    """The epic and the history its prompt needs, with the user's message stored; 404 when not theirs."""
    opened = await repo.open_chat_turn(
        conn, user_id=user_id, epic_id=epic_id, content=content, history_limit=prompts.HISTORY_LIMIT
    )
    if opened is None:
        raise APIError(404, *NOT_FOUND)
    return opened


async def owned_outline(conn: Connection, *, user_id: str, epic_id: str) -> dict:
    """The user's epic with its snapshot, features and stories; 404 when it is missing or not theirs."""
    outline = await repo.epic_outline(conn, user_id=user_id, epic_id=epic_id)
    if outline is None:
        raise APIError(404, *NOT_FOUND)
    return outline


async def require_epic(conn: Connection, *, user_id: str, epic_id: str) -> None:
    if not await repo.epic_exists(conn, user_id=user_id, epic_id=epic_id):
        raise APIError(404, *NOT_FOUND)


async def _write_snapshot(conn: Connection, *, user_id: str, epic_id: str, proposal: dict) -> None:
    content = proposal["proposed_content"]
    if proposal["field"] == "problem_statement":
        await repo.confirm_problem(conn, user_id=user_id, epic_id=epic_id, problem_statement=content)
    elif proposal["field"] == "desired_outcome":
        await repo.confirm_outcome(conn, user_id=user_id, epic_id=epic_id, desired_outcome=content)
    else:
        final = rules.parse_epic_final(content)
        await repo.confirm_final(
            conn,
            user_id=user_id,
            epic_id=epic_id,
            epic_summary=final.summary,
            acceptance_criteria=final.acceptance_criteria,
            epic_details=final.details,
        )


async def _reject(conn: Connection, *, user_id: str, epic: dict, proposal: dict) -> None:
    stage = epic["current_stage"]
    await repo.clear_pending_proposal(conn, user_id=user_id, epic_id=epic["epic_id"])
    await repo.add_decision(
        conn,
        epic_id=epic["epic_id"],
        user_id=user_id,
        decision_type="reject_proposal",
        from_stage=stage,
        to_stage=None,
        proposal_id=proposal["proposal_id"],
        content_snapshot=proposal["proposed_content"],
    )
    await repo.add_event(
        conn,
        user_id=user_id,
        epic_id=epic["epic_id"],
        role="system",
        content="Proposal rejected. Please continue the conversation.",
        stage=stage,
    )


async def _confirm(conn: Connection, *, user_id: str, epic: dict, proposal: dict) -> None:
    epic_id, stage, target = epic["epic_id"], epic["current_stage"], proposal["target_stage"]
    if target != rules.next_stage(stage):
        raise APIError(400, "CANNOT_ADVANCE", f"Cannot advance from {stage} to {target}")
    await _write_snapshot(conn, user_id=user_id, epic_id=epic_id, proposal=proposal)
    await repo.clear_pending_proposal(conn, user_id=user_id, epic_id=epic_id)
    await repo.set_stage(conn, user_id=user_id, epic_id=epic_id, stage=target)
    await repo.add_decision(
        conn,
        epic_id=epic_id,
        user_id=user_id,
        decision_type="confirm_proposal",
        from_stage=stage,
        to_stage=target,
        proposal_id=proposal["proposal_id"],
        content_snapshot=proposal["proposed_content"],
    )
    if target in AUTO_ADVANCE:
        following = AUTO_ADVANCE[target]
        await repo.set_stage(conn, user_id=user_id, epic_id=epic_id, stage=following)
        await repo.add_decision(
            conn, epic_id=epic_id, user_id=user_id, decision_type="auto_advance", from_stage=target, to_stage=following
        )
        target = following
    await repo.add_event(
        conn,
        user_id=user_id,
        epic_id=epic_id,
        role="system",
        content=f"Proposal confirmed. Now in {STAGE_TITLES[target]} stage.",
        stage=target,
    )


async def decide_proposal(conn: Connection, *, user_id: str, epic_id: str, proposal_id: str, confirmed: bool) -> dict:
    """Confirm or reject the pending proposal (in the caller's transaction); returns the epic after."""
    epic = await repo.get_epic_for_update(conn, user_id=user_id, epic_id=epic_id)
    if epic is None:
        raise APIError(404, *NOT_FOUND)
    proposal = epic["pending_proposal"]
    if not proposal:
        raise APIError(400, "NO_PENDING_PROPOSAL", "No pending proposal to confirm")
    if proposal["proposal_id"] != proposal_id:
        raise APIError(400, "PROPOSAL_MISMATCH", "Proposal ID mismatch: the proposal has been replaced")
    if confirmed:
        await _confirm(conn, user_id=user_id, epic=epic, proposal=proposal)
    else:
        await _reject(conn, user_id=user_id, epic=epic, proposal=proposal)
    return await owned_epic(conn, user_id=user_id, epic_id=epic_id)


def reply_saver(reply: Reply, *, user_id: str, epic_id: str, stage: str, metadata: dict) -> Save:
    """Saves the assistant's reply (and its proposal, if the stage accepts one) when a chat stream ends.

    A failed call writes nothing more (the user's message stays); a cut one keeps what arrived, marked.
    """

    async def save(conn: Connection, end: StreamEnd) -> list[dict]:
        reply_metadata = end.reply_metadata(reply.text, metadata)
        if reply_metadata is None:
            return []
        await repo.add_event(
            conn,
            user_id=user_id,
            epic_id=epic_id,
            role="assistant",
            content=reply.text,
            stage=stage,
            event_metadata=reply_metadata,
        )
        found = rules.find_proposal(reply.text, stage) if end.completed else None
        if found is None:
            return []
        proposal = rules.pending_proposal(*found, now=datetime.now(UTC))
        if not await repo.set_pending_proposal(conn, user_id=user_id, epic_id=epic_id, stage=stage, proposal=proposal):
            return []  # the epic moved on while the reply streamed
        return [rules.proposal_event(proposal)]

    return save
