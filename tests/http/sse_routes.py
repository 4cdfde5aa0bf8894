"""A test-only streaming route built exactly like a real AI route: prelude, stream, epilogue."""

from __future__ import annotations

from quart import Blueprint, Response, request

from jarlpm import db
from jarlpm.http.auth import current_user_id, login_required
from jarlpm.http.replies import conversation_idle
from jarlpm.http.sse import StreamEnd, ai_events, event_stream
from jarlpm.llm.calls import stream
from jarlpm.llm_providers.service import prepare_ai_call

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
async def chat() -> Response:
    """Stream a reply; store the user's message first and the assistant's (with how it ended) after."""
    data = await request.get_json()
    user_id = current_user_id()
    database = db.current()
    conversation = await conversation_idle(user_id, "test", "chat")
    async with db.transaction() as conn:
        call = await prepare_ai_call(conn, user_id=user_id)
        await conn.execute(
            "INSERT INTO test_messages (user_id, role, content) VALUES ($1, 'user', $2)", user_id, data["content"]
        )

    async def save_reply(conn, end: StreamEnd) -> list[dict]:  # type: ignore[no-untyped-def]
        await conn.execute(
            "INSERT INTO test_messages (user_id, role, content, status) VALUES ($1, 'assistant', $2, $3)",
            user_id,
            end.text,
            end.status,
        )
        return [{"type": "saved", "length": len(end.text)}]

    deltas = stream(call, "You are a test assistant.", [{"role": "user", "content": data["content"]}])
    return event_stream(
        ai_events(
            deltas,
            database=database,
            epilogue=save_reply,
            keep_alive_seconds=data.get("keep_alive_seconds", 15),
            conversation=conversation,
        )
    )
