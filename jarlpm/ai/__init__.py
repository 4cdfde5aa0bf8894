"""The AI surface every room is written against. Copy these two shapes (they replace DESIGN.md
section 12's older streaming example).

A streaming route: prelude (one short transaction), then the body streams with no connection held,
then one save (retried while the database is briefly away) before the final events. A reply with a
save outlives its client; one without is cancelled with it::

    @blueprint.post("/<epic_id>/chat")
    @login_required
    @ai_route                                   # limited per user; ai.prepare refuses without it
    @validate_request(ChatIn)
    @streams("chunk {content}*", "proposal {...}?", "done | error {message}")   # OpenAPI + inventory
    async def chat(epic_id: str, data: ChatIn) -> Response:
        \"\"\"Talk with the PM assistant about the epic (Server-Sent Events).\"\"\"
        caller = current_caller()
        conversation = await conversation_idle(caller.session_key, "epic", epic_id)
        async with db.transaction(caller.session) as conn:   # the prelude: two statements
            call, context = await ai.prepare(conn, caller)      # 401 / 402 / 400; key decrypted, metered
            epic, history = await service.open_chat_turn(       # 404; the user's message stored
                conn, user_id=caller.id, epic_id=epic_id, content=data.content)
        reply = ai.Reply(call, prompts.system_prompt(epic, context), prompts.chat_messages(history, data.content))
        save = service.reply_saver(reply, epic_id=epic_id, metadata=ai.call_metadata(call, VERSION))
        return sse.stream(ai.chunks(reply), save=save, conversation=conversation)

`save(conn, end)` reads `reply.text`, stores it with `end.reply_metadata(...)` (marked interrupted when
cut short) and returns the events to send before `done`. A body is any async iterator of event dicts:
`ai.chunks(reply)`, `ai.drafts(...)`, `ai.Refinement(...).events()`, `ai.Interview(...).events()`, or
a generator of the room's own (poker's persona events, the wizard's passes).

A JSON AI route: the call runs after the connection is back in the pool; a provider failure or output
that stays invalid after two repairs escapes as `AIFailure`, answered 502 AI_FAILED (no try/except)::

    @blueprint.post("/<bug_id>/ai/suggest-severity")
    @login_required
    @ai_route
    @validate_response(SeveritySuggestion)
    async def suggest_severity(bug_id: str) -> SeveritySuggestion:
        \"\"\"A suggested severity and priority with reasons (nothing is changed).\"\"\"
        caller = current_caller()
        async with db.connection(caller.session) as conn:
            call, _ = await ai.prepare(conn, caller)
            bug = await service.owned_bug(conn, user_id=caller.id, bug_id=bug_id)
        system, messages = prompts.severity_prompt(bug)
        return await ai.structured(call, system, messages, SeveritySuggestion)   # metered right after

Every provider call writes one `llm_usage` row (tokens as reported, or null): a stream's rows go in
its save, a JSON call's right after it. An LLM call made while the task holds a pooled connection
raises at once (`holding_connection()`), so the connection rule cannot be broken by accident.
"""

from jarlpm.ai.ending import Save, StreamEnd
from jarlpm.ai.failures import AIFailure
from jarlpm.ai.prepare import prepare
from jarlpm.ai.reply import Reply
from jarlpm.ai.shapes import (
    AFTER_FAILED_DRAFTS,
    HistoryMessage,
    Interview,
    InterviewIn,
    Refinement,
    RefinementWrites,
    call_metadata,
    chunks,
    drafts,
)
from jarlpm.ai.structured import structured

__all__ = [
    "AFTER_FAILED_DRAFTS",
    "AIFailure",
    "HistoryMessage",
    "Interview",
    "InterviewIn",
    "Refinement",
    "RefinementWrites",
    "Reply",
    "Save",
    "StreamEnd",
    "call_metadata",
    "chunks",
    "drafts",
    "prepare",
    "structured",
]
