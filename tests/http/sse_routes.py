"""A test-only streaming route built exactly like a real AI route: prelude, stream, save."""

from __future__ import annotations

from pydantic import BaseModel
from quart import Blueprint, Response, request

from jarlpm import ai, db
from jarlpm.http import sse
from jarlpm.http.auth import current_caller, login_required
from jarlpm.http.rate_limits import ai_route
from jarlpm.http.replies import conversation_idle

blueprint = Blueprint("sse_test", __name__)

CREATE_TABLE = """
CREATE TABLE test_messages (
    id serial PRIMARY KEY,
    user_id text NOT NULL,
    role text NOT NULL,
    content text NOT NULL,
    status text
)
"""


@blueprint.post("/api/_test/chat")
@login_required
@ai_route
async def chat() -> Response:
    """Stream a reply; store the user's message first and the assistant's (with how it ended) after."""
    data = await request.get_json()
    caller = current_caller()
    conversation = await conversation_idle(caller.session_key, "test", "chat")
    async with db.transaction(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        user_id = caller.id
        await conn.execute(
            "INSERT INTO test_messages (user_id, role, content) VALUES ($1, 'user', $2)", user_id, data["content"]
        )
    reply = ai.Reply(call, "You are a test assistant.", [{"role": "user", "content": data["content"]}])

    async def save_reply(conn, end: ai.StreamEnd) -> list[dict]:  # type: ignore[no-untyped-def]
        await conn.execute(
            "INSERT INTO test_messages (user_id, role, content, status) VALUES ($1, 'assistant', $2, $3)",
            user_id,
            reply.text,
            end.status,
        )
        return [{"type": "saved", "length": len(reply.text)}]

    keep_alive = data.get("keep_alive_seconds", 15)
    return sse.stream(ai.chunks(reply), save=save_reply, keep_alive_seconds=keep_alive, conversation=conversation)


class Draft(BaseModel):
    title: str


@blueprint.post("/api/_test/drafts")
@login_required
@ai_route
async def drafts() -> Response:
    """Drafts (validated, repaired when invalid); nothing stored."""
    data = await request.get_json()
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
    body = ai.drafts(call, "Draft.", [{"role": "user", "content": "Drafts?"}], schema=list[Draft], event="drafts")
    return sse.stream(body, after_error=ai.AFTER_FAILED_DRAFTS, keep_alive_seconds=data.get("keep_alive_seconds", 15))


@blueprint.post("/api/_test/call-while-holding")
@login_required
@ai_route
async def call_while_holding() -> dict:
    """Breaks the connection rule on purpose: the LLM call must refuse to run."""
    caller = current_caller()
    async with db.connection(caller.session) as conn:
        call, _ = await ai.prepare(conn, caller)
        await ai.structured(call, "Say hi.", [{"role": "user", "content": "hi"}], Draft)
    return {}


@blueprint.post("/api/_test/unmarked")
@login_required
async def unmarked() -> dict:
    """Prepares an AI call without @ai_route: must refuse."""
    caller = current_caller()
    async with db.connection(caller) as conn:
        await ai.prepare(conn, caller)
    return {}


@blueprint.get("/api/_test/unchecked")
@login_required
async def unchecked() -> dict:
    """Answers without ever passing its caller to a connection: must fail, not answer unchecked."""
    return {"secret": "data"}
