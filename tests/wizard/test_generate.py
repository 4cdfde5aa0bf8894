"""POST /api/initiative/generate against the fake provider: the contract's events in order, an initiative
that validates against /schema, repairs, failures, quality mode, the weak-model warning, and the log row
each run leaves (the idea itself never stored)."""

from __future__ import annotations

import hashlib

from jarlpm.app import create_app
from jarlpm.wizard.models import Initiative
from jarlpm.wizard.pipeline import QUALITY_INFO
from jarlpm.wizard.prompts import PROMPT_VERSION
from tests.builders import new_user, with_provider
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.wizard.helpers import (
    IDEA,
    as_reply,
    critic_reply,
    decomposition_reply,
    generate,
    prd_reply,
    script_generation,
)

LOG_COLUMNS = """SELECT log_id, user_id, idea_length, idea_hash, product_name_provided, has_delivery_context, provider,
       model, prompt_version, quality_mode, passes, input_tokens, output_tokens, total_retries, validation_errors,
       outcome, failed_pass, error_message, features_generated, stories_generated, critic_issues_found,
       critic_auto_fixed, scope_assessment
  FROM initiative_generation_logs ORDER BY created_at"""


def kinds(events: list[dict]) -> list[str]:
    return [event["type"] for event in events]


async def test_a_generation_streams_each_pass_then_an_initiative_valid_by_the_schema(
    pm, client, fake_llm, database_url
) -> None:
    script_generation(fake_llm, features=3, stories=2, points=5)
    events = await generate(pm, {"idea": f"  {IDEA}  ", "product_name": None})

    assert events[:6] == [
        {"type": "pass", "pass": 1, "message": "Defining the problem..."},
        {"type": "progress", "pass": 1, "message": "PRD complete: DoseOnce"},
        {"type": "pass", "pass": 2, "message": "Breaking it into features and stories..."},
        {"type": "progress", "pass": 2, "message": "Created 3 features, 6 stories"},
        {"type": "pass", "pass": 3, "message": "Running PM quality checks..."},
        {"type": "progress", "pass": 3, "message": "Quality checks complete: 1 issue, confidence 72%"},
    ]
    assert kinds(events)[6:] == ["initiative", "done"]
    assert events[-1] == {"type": "done", "message": "Initiative generated!"}

    data = events[6]["data"]
    schema = (await (await client.get("/api/initiative/schema")).get_json())["schema"]
    assert set(schema["required"]) <= set(data) and set(data) <= set(schema["properties"])
    assert Initiative.model_validate(data).model_dump(mode="json", by_alias=True) == data
    assert (data["product_name"], data["epic"]["title"]) == ("DoseOnce", "Single-entry medication records")
    assert data["prd"]["target_users"][0]["persona"] == "Ward nurse"
    features = data["features"]
    assert [feature["name"] for feature in features] == ["Feature 1", "Feature 2", "Feature 3"]
    assert [feature["priority"] for feature in features] == ["must-have", "should-have", "should-have"]
    ids = [feature["id"] for feature in features] + [story["id"] for f in features for story in f["stories"]]
    assert len(set(ids)) == 9
    assert all(f["id"].startswith("feat_") for f in features)
    assert all(story["id"].startswith("story_") for f in features for story in f["stories"])
    assert features[0]["stories"][0]["acceptance_criteria"][0].startswith("Given a patient")
    assert data["total_points"] == 30
    assert data["quality_summary"]["auto_fixed"] == 0  # the critic reports; nothing was fixed
    assert data["confidence_assessment"]["confidence_score"] == 72
    assert data["delivery_context"]["definition_of_done"]

    [row] = await fetch(database_url, LOG_COLUMNS)
    assert data["_analytics"] == {"log_id": row["log_id"]}
    assert row["idea_length"] == len(IDEA)
    assert row["idea_hash"] == hashlib.sha256(IDEA.encode()).hexdigest()
    assert (row["outcome"], row["failed_pass"], row["error_message"]) == ("success", None, None)
    assert (row["quality_mode"], row["prompt_version"], row["provider"]) == ("standard", PROMPT_VERSION, "openai")
    assert [(p["pass"], p["calls"], p["retries"], p["input_tokens"], p["output_tokens"]) for p in row["passes"]] == [
        (1, 1, 0, 11, 7),
        (2, 1, 0, 11, 7),
        (3, 1, 0, 11, 7),
    ]
    assert (row["input_tokens"], row["output_tokens"], row["total_retries"]) == (33, 21, 0)
    assert (row["features_generated"], row["stories_generated"], row["critic_issues_found"]) == (3, 6, 1)
    stored = await fetch(
        database_url, "SELECT count(*) AS n FROM initiative_generation_logs WHERE passes::text LIKE '%ward nurses%'"
    )
    assert stored == [{"n": 0}]  # the idea is kept only as its length and hash
    usage = await fetch(database_url, "SELECT route, repair FROM llm_usage")
    assert usage == [{"route": "wizard.generate", "repair": False}] * 3
    [costs] = await fetch(
        database_url,
        "SELECT (SELECT sum(cost_usd) FROM llm_usage) AS paid, estimated_cost_usd FROM initiative_generation_logs",
    )
    assert costs["estimated_cost_usd"] == costs["paid"]  # the log's cost is its calls' (null: no price known)


async def test_quality_mode_improves_passes_one_and_two_and_keeps_an_original_whose_improvement_fails(
    pm, fake_llm, database_url
) -> None:
    fake_llm.script(
        as_reply(prd_reply("DoseOnce")),
        as_reply(prd_reply("DoseOnce Pro")),  # the improvement of pass 1 is used
        as_reply(decomposition_reply(features=3)),
        as_reply({"features": []}),  # the improvement of pass 2 is invalid ...
        as_reply({"features": "still not"}),  # ... and stays invalid after its one repair: the original stays
        as_reply(critic_reply()),
    )
    events = await generate(pm, {"idea": IDEA, "quality_mode": "quality"})

    assert events[0] == {"type": "info", "message": QUALITY_INFO}
    assert events[2] == {"type": "progress", "pass": 1, "message": "PRD complete: DoseOnce Pro"}
    assert kinds(events)[-2:] == ["initiative", "done"]
    assert len(events[-2]["data"]["features"]) == 3
    assert len(fake_llm.chat_requests()) == 6
    critique = fake_llm.chat_requests()[1].body["messages"][-1]["content"]
    assert critique.startswith("Review your previous answer")
    [row] = await fetch(database_url, LOG_COLUMNS)
    assert row["quality_mode"] == "quality"
    assert [(p["calls"], p.get("improved")) for p in row["passes"]] == [(2, True), (3, False), (1, None)]
    assert row["total_retries"] == 1  # the improvement's repair asked the model to fix its output


async def test_a_pass_repaired_once_succeeds_and_its_retry_is_logged(pm, fake_llm, database_url) -> None:
    team = {"delivery_methodology": "scrum", "num_developers": 3, "num_qa": 1, "quality_mode": "quality"}
    assert (await pm.put("/api/delivery-context", json=team)).status_code == 200
    fake_llm.script(
        as_reply(prd_reply()),
        Reply(text="Here are 2 features, but I forgot the JSON."),
        as_reply(decomposition_reply()),
        as_reply(critic_reply()),
    )
    events = await generate(pm, {"idea": IDEA, "quality_mode": "standard"})  # the request's mode wins
    assert kinds(events) == ["pass", "progress"] * 3 + ["initiative", "done"]
    context = events[-2]["data"]["delivery_context"]
    assert (context["methodology"], context["team_size"], context["team_velocity"]) == ("scrum", 4, 24)
    system = fake_llm.chat_requests()[0].body["messages"][0]["content"]
    assert "Delivery Methodology: Scrum" in system and "Team velocity: about 24 points" in system
    [row] = await fetch(database_url, LOG_COLUMNS)
    assert (row["outcome"], row["quality_mode"], row["has_delivery_context"]) == ("success", "standard", True)
    assert [p["retries"] for p in row["passes"]] == [0, 1, 0]
    assert row["total_retries"] == 1
    repairs = await fetch(database_url, "SELECT count(*) AS n FROM llm_usage WHERE repair")
    assert repairs == [{"n": 1}]


async def test_a_pass_that_stays_invalid_ends_the_run_and_the_next_run_warns_of_the_weak_model(
    pm, fake_llm, database_url
) -> None:
    fake_llm.script(as_reply(prd_reply()), *[as_reply({"features": [{"name": "One"}]})] * 3)
    events = await generate(pm)

    assert kinds(events) == ["pass", "progress", "pass", "error"]
    assert events[-1]["message"] == (
        "Pass 2 (features and stories) failed: The AI reply could not be turned into valid data; please try again"
    )
    [row] = await fetch(database_url, LOG_COLUMNS)
    assert (row["outcome"], row["failed_pass"]) == ("failed", 2)
    assert row["error_message"] == events[-1]["message"]
    assert row["total_retries"] == 2
    assert row["validation_errors"] and all(error.startswith("pass 2: ") for error in row["validation_errors"])
    assert [p["calls"] for p in row["passes"]] == [1, 3]

    # 4 recorded calls to this model, 2 of them repairs (50 % > 30 %): the next run starts with a warning.
    fake_llm.script(Reply(status=400))  # a provider failure ends pass 1 at once
    events = await generate(pm)
    assert kinds(events) == ["warning", "pass", "error"]
    assert "needed a repair or failed on 2 of your 4 AI calls of the last 30 days (50 %)" in events[0]["message"]
    assert events[-1]["message"].startswith("Pass 1 (PRD) failed: ")
    rows = await fetch(database_url, LOG_COLUMNS)
    assert [(row["outcome"], row["failed_pass"]) for row in rows] == [("failed", 2), ("failed", 1)]


async def test_the_idea_must_be_one_to_twenty_thousand_characters(pm, fake_llm, database_url) -> None:
    for idea in ("", "   ", "x" * 20_001):
        response = await pm.post("/api/initiative/generate", json={"idea": idea})
        assert response.status_code == 422, idea[:5]
        assert (await response.get_json())["code"] == "VALIDATION_ERROR"
    response = await pm.post("/api/initiative/generate", json={"idea": "An idea", "quality_mode": "best"})
    assert response.status_code == 422
    assert fake_llm.chat_requests() == []
    assert await fetch(database_url, "SELECT log_id FROM initiative_generation_logs") == []


async def test_a_run_over_its_time_bound_fails_in_the_pass_that_ran_out(make_settings, database_url, fake_llm) -> None:
    fake_llm.script(as_reply(prd_reply()), Reply(text="{}", first_delay=3.0))
    async with create_app(make_settings(database_url, llm_max_reply_seconds=2.0)).test_app() as app:
        user = await with_provider(await new_user(app, "slow@jarlpm.dev"))
        events = await generate(user)
    assert kinds(events) == ["pass", "progress", "pass", "error"]
    assert events[-1]["message"] == "Pass 2 (features and stories) failed: it took longer than 1.5 s"
    [row] = await fetch(database_url, LOG_COLUMNS)
    assert (row["outcome"], row["failed_pass"], row["error_message"]) == ("failed", 2, events[-1]["message"])
