"""The three AI helpers against the fake provider: what the model is told, repairs, 502, and the gate."""

from __future__ import annotations

import json

import pytest

from jarlpm.app import create_app
from tests.builders import create_epic, fenced, new_user
from tests.db.helpers import fetch
from tests.delivery.conftest import Planned, set_team

RATIONALE = {
    "rationale": "Charts help pharmacists later; the pilot needs dosing first.",
    "user_impact_tradeoff": "Pharmacists wait one release for the dose history.",
    "what_to_validate_first": "That nurses finish a dose round without the chart.",
}
REVIEW = {
    "top_delivery_risks": ["Pharmacy API access", "Scanner hardware", "Ward Wi-Fi", "A fourth, dropped"],
    "top_assumptions": ["Nurses have tablets", "One ward pilots", "Pharmacy agrees"],
    "suggested_spike": {"title": "Pharmacy API probe", "points": 3, "description": "Call the sandbox API."},
}
AI_ROUTES = ["/ai/cut-rationale", "/ai/alternative-cuts", "/ai/risk-review"]


def alternatives(*cuts: tuple[str, list[str]]) -> dict:
    return {
        "alternatives": [
            {
                "name": f"Cut {n}",
                "description": "Why this set.",
                "strategy": strategy,
                "stories_to_defer": ids,
                "total_deferred_points": 99,
            }
            for n, (strategy, ids) in enumerate(cuts)
        ]
    }


async def usage_rows(database_url: str) -> int:
    return (await fetch(database_url, "SELECT count(*) AS n FROM llm_usage"))[0]["n"]


def sent(fake_llm) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The system prompt and the last user message of the last request."""
    messages = fake_llm.chat_requests()[-1].body["messages"]
    return messages[0]["content"], messages[-1]["content"]


async def ask(user, planned: Planned, route: str):  # type: ignore[no-untyped-def]
    return await user.post(planned.path(route))


async def test_the_cut_rationale_is_told_the_team_the_stories_and_the_recommended_cut(pm, fake_llm, planned) -> None:
    fake_llm.script(fenced(RATIONALE))
    response = await ask(pm, planned, "/ai/cut-rationale")
    assert response.status_code == 200
    assert await response.get_json() == RATIONALE
    system, user = sent(fake_llm)
    assert "PRODUCT DELIVERY CONTEXT (Read-Only)" in system and "- Delivery Methodology: Scrum" in system
    assert "2 developers x 8 points per developer per sprint" in system
    assert "One sprint: 16 points; two sprints: 32 points" in system
    record = f"- {planned.ids['Record a dose']} | 8 points | must-have | feature: Ward entry screen | As a p,"
    assert record in user
    assert f"- {planned.ids['Untriaged idea']} | unestimated | no priority |" in user
    assert "34 points in 7 stories against 32 points of capacity: 2 points over capacity (at risk)" in user
    cut = user.split("THE CUT")[1]
    assert cut.startswith(": stories deferred (5 points)")
    assert planned.ids["Dose history chart"] in cut and planned.ids["Dark mode"] not in cut


async def test_the_cut_rationale_explains_the_saved_plan_when_there_is_one(pm, fake_llm, planned) -> None:
    plan = {"deferred_story_ids": [planned.ids["Dark mode"], planned.ids["Print a label"]]}
    assert (await pm.post(planned.path("/scope-plan"), json=plan)).status_code == 200
    fake_llm.script(json.dumps(RATIONALE))
    assert (await ask(pm, planned, "/ai/cut-rationale")).status_code == 200
    cut = sent(fake_llm)[1].split("THE CUT")[1]
    assert cut.startswith(": stories deferred (8 points)")
    assert planned.ids["Dark mode"] in cut and planned.ids["Dose history chart"] not in cut


async def test_alternative_cuts_keep_only_the_epics_stories_and_recompute_their_points(
    pm, fake_llm, planned, other
) -> None:
    ids = planned.ids
    reply = alternatives(
        ("cut_polish", [ids["Dark mode"], ids["Dose history chart"], "story_invented0", ids["Dark mode"]]),
        ("cut_integrations", [ids["See ward doses"]]),
        ("cut_low_adoption", ["made-up", "story_000000000000"]),
    )
    fake_llm.script(fenced(reply))
    response = await ask(pm, planned, "/ai/alternative-cuts")
    assert response.status_code == 200
    body = await response.get_json()
    assert [
        (cut["strategy"], cut["stories_to_defer"], cut["total_deferred_points"]) for cut in body["alternatives"]
    ] == [
        ("cut_polish", [ids["Dark mode"], ids["Dose history chart"]], 8),
        ("cut_integrations", [ids["See ward doses"]], 8),
        ("cut_low_adoption", [], 0),
    ]
    assert set(body["alternatives"][0]) == {
        "name",
        "description",
        "strategy",
        "stories_to_defer",
        "total_deferred_points",
    }
    assert "DEFICIT TO COVER: 2 points." in sent(fake_llm)[1]


async def test_no_alternative_cuts_and_no_model_call_when_the_scope_fits(pm, fake_llm, planned, database_url) -> None:
    await set_team(pm, num_developers=3)
    requests, usage = len(fake_llm.chat_requests()), await usage_rows(database_url)
    response = await ask(pm, planned, "/ai/alternative-cuts")
    assert response.status_code == 200
    assert await response.get_json() == {"alternatives": []}
    assert len(fake_llm.chat_requests()) == requests
    assert await usage_rows(database_url) == usage


async def test_the_risk_review_keeps_the_top_three(pm, fake_llm, planned) -> None:
    fake_llm.script(fenced(REVIEW))
    response = await ask(pm, planned, "/ai/risk-review")
    assert response.status_code == 200
    assert await response.get_json() == {**REVIEW, "top_delivery_risks": REVIEW["top_delivery_risks"][:3]}
    assert "the three biggest" in sent(fake_llm)[0]
    assert planned.ids["Record a dose"] in sent(fake_llm)[1]


@pytest.mark.parametrize(
    "route,invalid,valid",
    [
        ("/ai/cut-rationale", {**RATIONALE, "rationale": " "}, RATIONALE),
        ("/ai/alternative-cuts", alternatives(("cut_everything", [])), alternatives(("cut_polish", []))),
        ("/ai/risk-review", {**REVIEW, "suggested_spike": {"title": "Spike"}}, REVIEW),
    ],
)
async def test_an_invalid_reply_is_repaired(pm, fake_llm, planned, database_url, route, invalid, valid) -> None:
    before, usage = len(fake_llm.chat_requests()), await usage_rows(database_url)
    fake_llm.script(json.dumps(invalid), fenced(valid))
    response = await ask(pm, planned, route)
    assert response.status_code == 200
    requests = fake_llm.chat_requests()[before:]
    assert len(requests) == 2
    assert "could not be used" in requests[1].body["messages"][-1]["content"]
    assert await usage_rows(database_url) == usage + 2  # both calls metered


@pytest.mark.parametrize("route", AI_ROUTES)
async def test_a_reply_that_stays_invalid_is_502(pm, fake_llm, planned, database_url, route) -> None:
    before = len(fake_llm.chat_requests())
    fake_llm.script("no", "still no", "never")
    response = await ask(pm, planned, route)
    assert response.status_code == 502
    assert await response.get_json() == {
        "detail": "The AI reply could not be turned into valid data; please try again",
        "code": "AI_FAILED",
    }
    assert len(fake_llm.chat_requests()) == before + 3  # the question and two repairs
    assert await fetch(database_url, "SELECT count(*) AS n FROM scope_plans") == [{"n": 0}]


@pytest.mark.parametrize("route", AI_ROUTES)
async def test_without_a_provider_the_helpers_are_400_before_any_call(app, fake_llm, route) -> None:
    user = await new_user(app, "noprovider@jarlpm.dev")
    epic_id = (await create_epic(user))["epic_id"]
    response = await user.post(f"/api/delivery-reality/initiative/{epic_id}{route}")
    assert response.status_code == 400
    assert (await response.get_json())["code"] == "NO_LLM_PROVIDER"
    assert fake_llm.chat_requests() == []


async def test_without_a_subscription_the_helpers_are_402_when_billing_is_on(
    make_settings, database_url, fake_llm
) -> None:
    async with create_app(make_settings(database_url, billing_enabled=True)).test_app() as app:
        user = await new_user(app, "bill@jarlpm.dev")
        epic_id = (await create_epic(user))["epic_id"]
        statuses = [
            (await user.post(f"/api/delivery-reality/initiative/{epic_id}{route}")).status_code for route in AI_ROUTES
        ]
    assert statuses == [402, 402, 402]
    assert fake_llm.chat_requests() == []
