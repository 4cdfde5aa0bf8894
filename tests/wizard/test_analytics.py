"""GET /api/initiative/schema (public) and /analytics/stats (each user's own generations); the gates
before a generation's first event."""

from __future__ import annotations

from jarlpm.app import create_app
from jarlpm.wizard.prompts import PROMPT_VERSION
from tests.builders import new_user
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.wizard.helpers import IDEA, as_reply, generate, prd_reply, script_generation


async def test_the_schema_names_the_three_passes_and_is_public(client) -> None:
    response = await client.get("/api/initiative/schema")
    assert response.status_code == 200
    body = await response.get_json()
    assert [(step["number"], step["name"]) for step in body["pipeline"]] == [
        (1, "PRD"),
        (2, "Decomposition"),
        (3, "Critic"),
    ]
    assert "Quality mode" in body["pipeline"][0]["description"]
    assert body["prompt_version"] == PROMPT_VERSION
    assert body["quality_checks"]
    assert {"product_name", "prd", "epic", "features", "_analytics", "total_points"} <= set(
        body["schema"]["properties"]
    )


async def test_stats_count_each_users_own_generations(pm, other, fake_llm, database_url) -> None:
    script_generation(fake_llm)
    await generate(pm)
    fake_llm.script(as_reply(prd_reply()), *[Reply(text="no json")] * 3)
    await generate(pm)  # fails in pass 2 after two repairs
    script_generation(fake_llm)
    await generate(other)

    mine = await (await pm.get("/api/initiative/analytics/stats?days=7")).get_json()
    assert mine["period_days"] == 7
    assert (mine["total_generations"], mine["success_rate"], mine["avg_retries"]) == (2, 0.5, 1.0)
    assert mine["total_tokens"] == 7 * 18  # seven calls of 11 + 7 tokens each
    [paid] = await fetch(
        database_url,
        "SELECT sum(u.cost_usd)::float AS cost, max(u.model) AS model FROM llm_usage AS u JOIN users USING (user_id)"
        " WHERE users.email = 'pm@jarlpm.dev'",
    )
    assert mine["total_cost_usd"] == paid["cost"]  # what each call cost, from the price table (or null)
    openai = mine["providers"]["openai"]
    assert (openai["generations"], openai["successes"], openai["failures"]) == (2, 1, 1)
    assert list(openai["models"]) == [paid["model"]]
    assert mine["prompt_versions"][PROMPT_VERSION]["generations"] == 2

    theirs = await (await other.get("/api/initiative/analytics/stats")).get_json()
    assert (theirs["period_days"], theirs["total_generations"], theirs["success_rate"]) == (30, 1, 1.0)
    assert theirs["total_tokens"] == 3 * 18

    for days in ("0", "366", "many"):
        assert (await pm.get(f"/api/initiative/analytics/stats?days={days}")).status_code == 422


async def test_billing_and_the_provider_are_checked_before_any_event(make_settings, database_url, fake_llm) -> None:
    async with create_app(make_settings(database_url, billing_enabled=True)).test_app() as app:
        user = await new_user(app, "bill@jarlpm.dev")
        no_subscription = await user.post("/api/initiative/generate", json={"idea": IDEA})
        assert no_subscription.status_code == 402
        assert (await no_subscription.get_json())["code"] == "SUBSCRIPTION_REQUIRED"
        await fetch(database_url, "UPDATE subscriptions SET status = 'active'")
        no_provider = await user.post("/api/initiative/generate", json={"idea": IDEA})
        assert no_provider.status_code == 400
        assert (await no_provider.get_json())["code"] == "NO_LLM_PROVIDER"
        assert (await user.get("/api/initiative/analytics/stats")).status_code == 200
    assert fake_llm.chat_requests() == []
    assert await fetch(database_url, "SELECT log_id FROM initiative_generation_logs") == []
