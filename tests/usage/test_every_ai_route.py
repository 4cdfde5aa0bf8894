"""Every AI route writes its llm_usage rows: one per provider call, for the caller, named after the route,
with the tokens the fake reported and the price of the test table (tests/usage/conftest.py).

The routes are read from the app (every view marked @ai_route), so a new AI route without a scenario
here fails this test. Each scenario makes one successful call against the fake; all share one user and
one locked epic tree, built once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from quart import Quart

from jarlpm.http.rate_limits import AI_ROUTE_ATTRIBUTE
from jarlpm.poker.rules import PERSONAS as POKER_PERSONAS
from tests.builders import (
    CANVAS,
    GENERATED,
    PERSONAS,
    PRD_DOCUMENT,
    STORIES,
    add_story,
    approved_feature,
    bug_linked_to,
    create_epic,
    create_feature,
    delivery_context,
    fenced,
    generated_personas,
    persona_answer,
    standalone_story,
)
from tests.db.helpers import fetch
from tests.fakes.llm_server import FakeLLMServer
from tests.helpers import User
from tests.sse import stream_events
from tests.wizard.helpers import critic_reply, decomposition_reply, prd_reply

# gpt-4o at 2.50 / 10.00 per million tokens; the fake reports 11 in, 7 out: 97.5 per million, rounded.
CHAT_COST = Decimal("0.000098")
NEW_ROWS = """
SELECT usage_id, user_id, route, provider, model, input_tokens, output_tokens, outcome, repair, cost_usd
  FROM llm_usage
 WHERE usage_id <> ALL($1::text[])
 ORDER BY created_at, usage_id
"""


@dataclass
class Walk:
    """pm's locked epic with an approved feature (a draft story under it, 8 points, in the sprint), a
    draft feature, a standalone story (in the sprint), a bug linked to the story and one persona."""

    user: User
    fake: FakeLLMServer
    epic_id: str
    feature_id: str
    draft_feature_id: str
    story_id: str
    standalone_id: str
    bug_id: str
    persona_id: str

    async def streamed(self, path: str, body: dict, *replies: str) -> list[dict]:
        self.fake.script(*replies)
        events = await stream_events(self.user, path, body)
        assert not [event for event in events if event["type"] == "error"], events
        return events

    async def answered(self, path: str, replies: list[str], **request: object) -> dict:
        self.fake.script(*replies)
        response = await self.user.post(path, **request)
        assert response.status_code == 200, await response.get_data(as_text=True)
        return await response.get_json()


Scenario = Callable[[Walk], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {}
# Marked routes not walked yet, each with the reason: an entry here is a debt, removed with its scenario.
NOT_YET_WALKED: dict[str, str] = {}


def scenario(rule: str) -> Callable[[Scenario], Scenario]:
    def register(run: Scenario) -> Scenario:
        SCENARIOS[rule] = run
        return run

    return register


def tagged(value: object) -> str:
    return f"Weighing it up.\n[SUGGESTION]{json.dumps(value)}[/SUGGESTION]"


RICE = {"reach": 7, "impact": 2, "confidence": 0.8, "effort": 3, "reasoning": "Many nurses."}
MOSCOW = {"score": "must_have", "reasoning": "Patient safety."}


@scenario("/api/initiative/generate")
async def wizard(walk: Walk) -> None:
    replies = [json.dumps(value) for value in (prd_reply(), decomposition_reply(), critic_reply())]
    events = await walk.streamed("/api/initiative/generate", {"idea": "Nurses enter each dose twice"}, *replies)
    assert [event["type"] for event in events][-2:] == ["initiative", "done"]


@scenario("/api/epics/<epic_id>/chat")
async def epic_chat(walk: Walk) -> None:
    epic_id = (await create_epic(walk.user, "Another epic"))["epic_id"]  # the walk's epic is locked
    await walk.streamed(f"/api/epics/{epic_id}/chat", {"content": "Where do we start?"}, "With the problem.")


@scenario("/api/features/epic/<epic_id>/generate")
async def feature_generation(walk: Walk) -> None:
    events = await walk.streamed(f"/api/features/epic/{walk.epic_id}/generate", {"count": 2}, fenced(GENERATED))
    assert events[-2]["type"] == "features"


@scenario("/api/features/<feature_id>/chat")
async def feature_chat(walk: Walk) -> None:
    await walk.streamed(f"/api/features/{walk.draft_feature_id}/chat", {"content": "Tighten it"}, "Done.")


@scenario("/api/stories/feature/<feature_id>/generate")
async def story_generation(walk: Walk) -> None:
    events = await walk.streamed(f"/api/stories/feature/{walk.feature_id}/generate", {"count": 2}, fenced(STORIES))
    assert events[-2]["type"] == "stories"


@scenario('/api/stories/<except("standalone", "all", "feature", "ai"):story_id>/chat')
async def story_chat(walk: Walk) -> None:
    await walk.streamed(f"/api/stories/{walk.story_id}/chat", {"content": "Reword it"}, "Sure.")


@scenario("/api/stories/standalone/<story_id>/chat")
async def standalone_story_chat(walk: Walk) -> None:
    await walk.streamed(f"/api/stories/standalone/{walk.standalone_id}/chat", {"content": "Faster"}, "Noted.")


@scenario("/api/stories/ai/chat")
async def story_interview(walk: Walk) -> None:
    await walk.streamed("/api/stories/ai/chat", {"content": "I want faster logins"}, "Who will use this?")


@scenario("/api/bugs/ai/chat")
async def bug_interview(walk: Walk) -> None:
    await walk.streamed("/api/bugs/ai/chat", {"content": "The screen freezes"}, "What did you expect?")


@scenario("/api/bugs/<bug_id>/ai/refine-description")
async def bug_refinement(walk: Walk) -> None:
    await walk.streamed(f"/api/bugs/{walk.bug_id}/ai/refine-description", {}, "Summary: it freezes.")


@scenario("/api/bugs/<bug_id>/ai/refine")
async def bug_refinement_short_path(walk: Walk) -> None:
    await walk.streamed(f"/api/bugs/{walk.bug_id}/ai/refine", {}, "Summary: it freezes.")


@scenario("/api/bugs/<bug_id>/ai/suggest-severity")
async def bug_severity(walk: Walk) -> None:
    suggestion = {"severity": "high", "priority": "p1", "severity_reason": "Blocks.", "priority_reason": "Soon."}
    await walk.answered(f"/api/bugs/{walk.bug_id}/ai/suggest-severity", [json.dumps(suggestion)])


def delivery(walk: Walk, action: str) -> str:
    return f"/api/delivery-reality/initiative/{walk.epic_id}/ai/{action}"


@scenario("/api/delivery-reality/initiative/<epic_id>/ai/cut-rationale")
async def cut_rationale(walk: Walk) -> None:
    rationale = {
        "rationale": "Dosing first.",
        "user_impact_tradeoff": "Labels wait.",
        "what_to_validate_first": "A round.",
    }
    await walk.answered(delivery(walk, "cut-rationale"), [fenced(rationale)])


@scenario("/api/delivery-reality/initiative/<epic_id>/ai/alternative-cuts")
async def alternative_cuts(walk: Walk) -> None:
    cut = {"name": "Polish", "description": "Later.", "strategy": "cut_polish", "stories_to_defer": [walk.story_id]}
    await walk.answered(delivery(walk, "alternative-cuts"), [fenced({"alternatives": [cut]})])


@scenario("/api/delivery-reality/initiative/<epic_id>/ai/risk-review")
async def risk_review(walk: Walk) -> None:
    review = {
        "top_delivery_risks": ["Pharmacy API access"],
        "top_assumptions": ["Nurses have tablets"],
        "suggested_spike": {"title": "API probe", "points": 3, "description": "Call the sandbox."},
    }
    await walk.answered(delivery(walk, "risk-review"), [fenced(review)])


@scenario("/api/sprints/ai/kickoff-plan")
async def kickoff_plan(walk: Walk) -> None:
    plan = {
        "sprint_goal": "Record doses once",
        "top_stories": [{"id": walk.story_id, "title": "Record a dose", "reason": "The core"}],
        "sequencing": ["Record first"],
        "risks": ["Scanner delivery"],
    }
    await walk.answered("/api/sprints/ai/kickoff-plan", [json.dumps(plan)])


@scenario("/api/sprints/ai/standup-summary")
async def standup_summary(walk: Walk) -> None:
    standup = {"what_changed": ["Started"], "whats_blocked": [], "what_to_do_next": ["Finish"], "summary": "Moving."}
    await walk.answered("/api/sprints/ai/standup-summary", [json.dumps(standup)])


@scenario("/api/sprints/ai/wip-suggestions")
async def wip_suggestions(walk: Walk) -> None:
    advice = {
        "finish_first": [{"id": walk.story_id, "title": "Record a dose", "reason": "Closest to done"}],
        "consider_pausing": [],
        "reasoning": "Two stories in flight for one developer.",
    }
    await walk.answered("/api/sprints/ai/wip-suggestions", [json.dumps(advice)])


@scenario("/api/scoring/epic/<epic_id>/moscow/suggest")
async def epic_moscow(walk: Walk) -> None:
    await walk.streamed(f"/api/scoring/epic/{walk.epic_id}/moscow/suggest", {}, tagged(MOSCOW))


@scenario("/api/scoring/feature/<feature_id>/suggest")
async def feature_scores(walk: Walk) -> None:
    await walk.streamed(f"/api/scoring/feature/{walk.feature_id}/suggest", {}, tagged({"moscow": MOSCOW, "rice": RICE}))


@scenario("/api/scoring/story/<story_id>/suggest")
async def story_rice(walk: Walk) -> None:
    await walk.streamed(f"/api/scoring/story/{walk.story_id}/suggest", {}, tagged(RICE))


@scenario("/api/scoring/bug/<bug_id>/suggest")
async def bug_rice(walk: Walk) -> None:
    await walk.streamed(f"/api/scoring/bug/{walk.bug_id}/suggest", {}, tagged(RICE))


@scenario("/api/scoring/epic/<epic_id>/bulk-score")
async def bulk_score(walk: Walk) -> None:
    suggestion = {"feature_id": walk.feature_id, "title": "Ward entry", "moscow": MOSCOW, "rice": RICE}
    await walk.answered(f"/api/scoring/epic/{walk.epic_id}/bulk-score", [json.dumps({"suggestions": [suggestion]})])


@scenario("/api/scoring/epic/<epic_id>/bulk-score-all")
async def bulk_score_all(walk: Walk) -> None:
    reply = {
        "features": [{"item_id": walk.feature_id, "title": "Ward entry", "moscow": MOSCOW, "rice": RICE}],
        "stories": [{"item_id": walk.story_id, "rice": RICE}],
        "bugs": [{"item_id": walk.bug_id, "rice": RICE}],
    }
    await walk.answered(f"/api/scoring/epic/{walk.epic_id}/bulk-score-all", [json.dumps(reply)])


FIVE_ESTIMATES = [persona_answer(points) for points in (3, 5, 5, 5, 8)]


@scenario("/api/poker/estimate")
async def poker(walk: Walk) -> None:
    events = await walk.streamed("/api/poker/estimate", {"story_id": walk.standalone_id}, *FIVE_ESTIMATES)
    assert [event["type"] for event in events].count("persona_estimate") == len(POKER_PERSONAS)


@scenario("/api/poker/estimate-custom")
async def poker_custom(walk: Walk) -> None:
    query = urlencode({"story_title": "Export", "story_description": "CSV export"})
    walk.fake.script(*FIVE_ESTIMATES)
    response = await walk.user.post(f"/api/poker/estimate-custom?{query}")
    assert response.status_code == 200
    assert (await response.get_data(as_text=True)).count('"type":"persona_estimate"') == len(POKER_PERSONAS)


@scenario("/api/prd/generate/<epic_id>")
async def prd(walk: Walk) -> None:
    await walk.answered(f"/api/prd/generate/{walk.epic_id}", [fenced(PRD_DOCUMENT)])


@scenario("/api/lean-canvas/generate")
async def lean_canvas(walk: Walk) -> None:
    await walk.answered("/api/lean-canvas/generate", [fenced(CANVAS)], json={"epic_id": walk.epic_id})


@scenario("/api/personas/epic/<epic_id>/generate")
async def personas(walk: Walk) -> None:
    body = {"count": 1}
    await walk.answered(f"/api/personas/epic/{walk.epic_id}/generate", [fenced({"personas": PERSONAS[1:]})], json=body)


@scenario('/api/personas/<except("settings", "epic"):persona_id>/regenerate-portrait')
async def portrait(walk: Walk) -> None:
    await walk.answered(f"/api/personas/{walk.persona_id}/regenerate-portrait", [], json={"prompt": "A nurse"})


def ai_rules(app: Quart) -> dict[str, str]:
    """Every rule whose view is marked @ai_route, with its endpoint (the route llm_usage records)."""
    return {
        rule.rule: rule.endpoint
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], AI_ROUTE_ATTRIBUTE, False)
    }


async def walk_tree(user: User, fake: FakeLLMServer, database_url: str, epic_id: str) -> Walk:
    today = datetime.now(UTC).date()
    # One developer, one point a sprint: an 8-point story is far over capacity, so the cuts need the model.
    await delivery_context(
        user,
        sprint_start_date=(today - timedelta(days=2)).isoformat(),
        sprint_cycle_length=14,
        num_developers=1,
        points_per_dev_per_sprint=1,
        delivery_methodology="scrum",
    )
    feature = await approved_feature(user, epic_id)
    story = await add_story(user, feature["feature_id"], title="Record a dose", story_priority="must-have")
    await fetch(database_url, "UPDATE user_stories SET story_points = 8 WHERE story_id = $1", story["story_id"])
    standalone = await standalone_story(user, title="Export doses", story_points=3)
    for story_id in (story["story_id"], standalone["story_id"]):  # two in progress: the WIP advice asks the model
        assert (await user.post(f"/api/sprints/story/{story_id}/commit")).status_code == 200
        status = await user.put(f"/api/sprints/story/{story_id}/status", json={"status": "in_progress"})
        assert status.status_code == 200, await status.get_data(as_text=True)
    [persona] = await generated_personas(user, fake, epic_id, count=1)
    return Walk(
        user=user,
        fake=fake,
        epic_id=epic_id,
        feature_id=feature["feature_id"],
        draft_feature_id=(await create_feature(user, epic_id, title="Pharmacy sync"))["feature_id"],
        story_id=story["story_id"],
        standalone_id=standalone["story_id"],
        bug_id=(await bug_linked_to(user, story=story["story_id"]))["bug_id"],
        persona_id=persona["persona_id"],
    )


def provider_calls(fake: FakeLLMServer) -> int:
    return len(fake.chat_requests()) + len(fake.image_requests())


async def test_every_ai_route_meters_each_provider_call_to_its_user_and_route(
    app, pm, fake_llm, epic_id, database_url
) -> None:
    rules = ai_rules(app.app)
    assert sorted(set(rules) - set(SCENARIOS) - set(NOT_YET_WALKED)) == [], "AI routes without a scenario here"
    assert sorted(set(SCENARIOS) - set(rules)) == [], "scenarios of routes that are gone or no longer @ai_route"
    assert sorted(set(SCENARIOS) & set(NOT_YET_WALKED)) == [], "walked now: drop it from NOT_YET_WALKED"
    walk = await walk_tree(pm, fake_llm, database_url, epic_id)
    [owner] = await fetch(database_url, "SELECT user_id FROM users WHERE email = 'pm@jarlpm.dev'")
    seen = [row["usage_id"] for row in await fetch(database_url, "SELECT usage_id FROM llm_usage")]

    for rule, endpoint in sorted(rules.items()):
        if rule in NOT_YET_WALKED:
            continue
        calls = provider_calls(fake_llm)
        await SCENARIOS[rule](walk)
        rows = await fetch(database_url, NEW_ROWS, seen)
        assert len(rows) == provider_calls(fake_llm) - calls > 0, rule
        image = rule.endswith("regenerate-portrait")  # the Images API reports no tokens: no cost either
        for row in rows:
            # An image call is recorded under the provider's chat model (the personas room's choice).
            assert {key: value for key, value in row.items() if key not in ("usage_id", "model")} == {
                "user_id": owner["user_id"],
                "route": endpoint,
                "provider": "openai",
                "input_tokens": None if image else 11,
                "output_tokens": None if image else 7,
                "outcome": "ok",
                "repair": False,
                "cost_usd": None if image else CHAT_COST,
            }, rule
            assert image or row["model"] == "gpt-4o", rule
        seen += [row["usage_id"] for row in rows]
