"""Streamed suggestions against the fake provider: chunk* → suggestion → done, and nothing stored."""

from __future__ import annotations

import json

from tests.db.helpers import fetch
from tests.scoring.test_scores import ALL_SCORES
from tests.sse import stream_events

RICE = {"reach": 7, "impact": 2, "confidence": 0.8, "effort": 3, "reasoning": "Many nurses, big win."}
MOSCOW = {"score": "must_have", "reasoning": "Patient safety."}


def tagged(value: object) -> str:
    return f"Thinking it through.\n[SUGGESTION]{json.dumps(value)}[/SUGGESTION]"


def types(events: list[dict]) -> list[str]:
    """Event types with consecutive chunks folded into one `chunk*`."""
    folded: list[str] = []
    for event in events:
        name = "chunk*" if event["type"] == "chunk" else event["type"]
        if not folded or folded[-1] != name or name != "chunk*":
            folded.append(name)
    return folded


async def test_each_suggestion_streams_chunks_then_the_suggestion_then_done(pm, tree, fake_llm, database_url) -> None:
    before = await fetch(database_url, ALL_SCORES)
    cases = [
        (f"/api/scoring/epic/{tree.epic_id}/moscow/suggest", {**MOSCOW, "score": "Must Have"}, MOSCOW),
        (
            f"/api/scoring/feature/{tree.feature_id}/suggest",
            {"moscow": MOSCOW, "rice": {**RICE, "impact": 2.2, "reach": 12}},  # brought onto the allowed sets
            {"moscow": MOSCOW, "rice": {**RICE, "impact": 2.0, "reach": 10, "confidence": 0.8, "effort": 3.0}},
        ),
        (f"/api/scoring/story/{tree.story_id}/suggest", RICE, {**RICE, "impact": 2.0, "effort": 3.0}),
        (f"/api/scoring/bug/{tree.bug_id}/suggest", RICE, {**RICE, "impact": 2.0, "effort": 3.0}),
    ]
    for path, replied, expected in cases:
        fake_llm.script(tagged(replied))
        events = await stream_events(pm, path, {})
        assert types(events) == ["chunk*", "suggestion", "done"], path
        assert events[-2] == {"type": "suggestion", "suggestion": expected}
        assert "".join(e["content"] for e in events if e["type"] == "chunk") == tagged(replied)
    assert await fetch(database_url, ALL_SCORES) == before


async def test_a_broken_block_is_repaired(pm, tree, fake_llm) -> None:
    fake_llm.script("[SUGGESTION]{reach: lots}[/SUGGESTION]", json.dumps(RICE))
    events = await stream_events(pm, f"/api/scoring/story/{tree.story_id}/suggest", {})
    assert types(events) == ["chunk*", "suggestion", "done"]
    assert events[-2]["suggestion"]["reach"] == 7
    assert "could not be used" in fake_llm.chat_requests()[-1].body["messages"][-1]["content"]


async def test_a_reply_without_a_usable_suggestion_ends_in_an_error(pm, tree, fake_llm) -> None:
    fake_llm.script("I would call it a must have.")
    events = await stream_events(pm, f"/api/scoring/epic/{tree.epic_id}/moscow/suggest", {})
    assert types(events) == ["chunk*", "error"]
    assert events[-1] == {"type": "error", "message": "The AI reply carried no usable suggestion; please try again"}

    # An unknown score stays unusable after both repairs.
    fake_llm.script(tagged({"score": "maybe"}), '{"score": "maybe"}', '{"score": "perhaps"}')
    events = await stream_events(pm, f"/api/scoring/epic/{tree.epic_id}/moscow/suggest", {})
    assert types(events) == ["chunk*", "error"]
