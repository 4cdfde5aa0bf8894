"""A refinement reply the provider cuts short is kept, and the conversation route says it was cut."""

from __future__ import annotations

from tests.builders import create_feature
from tests.fakes.llm_server import Reply
from tests.helpers import User
from tests.sse import stream_events


async def test_a_reply_cut_by_the_provider_is_kept_marked_interrupted(pm: User, epic_id: str, fake_llm) -> None:  # type: ignore[no-untyped-def]
    feature = await create_feature(pm, epic_id)
    fake_llm.script(Reply(chunks=["Let us ", "tighten ", "the scope"], drop_after=2))
    events = await stream_events(pm, f"/api/features/{feature['feature_id']}/chat", {"content": "Tighten it"})
    assert [e["type"] for e in events][-1] == "error"
    conversation = await (await pm.get(f"/api/features/{feature['feature_id']}/conversation")).get_json()
    assert [(e["role"], e["content"]) for e in conversation] == [
        ("user", "Tighten it"),
        ("assistant", "Let us tighten "),
    ]
    assert conversation[1]["event_metadata"]["interrupted"] is True
    assert conversation[0]["event_metadata"] is None


async def test_a_whole_reply_is_not_marked(pm: User, epic_id: str, fake_llm) -> None:  # type: ignore[no-untyped-def]
    feature = await create_feature(pm, epic_id)
    fake_llm.script(Reply(chunks=["All ", "good"]))
    await stream_events(pm, f"/api/features/{feature['feature_id']}/chat", {"content": "Fine?"})
    conversation = await (await pm.get(f"/api/features/{feature['feature_id']}/conversation")).get_json()
    assert conversation[1]["content"] == "All good"
    assert "interrupted" not in conversation[1]["event_metadata"]
