"""What each AI call cost, as stored and as GET /api/usage totals it: an OpenAI-dialect and an Anthropic-dialect
call with the fake's usage figures priced from a test price file, an unknown model at null, the `days`
window, and another user's calls never counted (prices: tests/usage/conftest.py)."""

from __future__ import annotations

from decimal import Decimal

from tests.builders import create_epic
from tests.db.helpers import fetch
from tests.fakes.llm_server import VALID_KEY, Reply
from tests.helpers import User
from tests.sse import stream_events

ROWS = """
SELECT u.route, u.provider, u.model, u.input_tokens, u.output_tokens, u.outcome, u.cost_usd
  FROM llm_usage AS u
  JOIN users AS s ON s.user_id = u.user_id
 WHERE s.email = $1
 ORDER BY u.created_at, u.usage_id
"""
# A call of `days_ago` UTC days before today, for the given user.
BACKDATED = """
INSERT INTO llm_usage (usage_id, user_id, route, provider, model, input_tokens, output_tokens, duration_ms, outcome,
                       cost_usd, created_at)
SELECT 'use_' || substr(md5(random()::text), 1, 12), user_id, 'epics.chat', 'openai', 'gpt-4o', 100, 10, 5, 'ok',
       $2, ((now() AT TIME ZONE 'UTC')::date - $3::integer + time '12:00') AT TIME ZONE 'UTC'
  FROM users
 WHERE email = $1
"""


async def use_provider(user: User, provider: str, model_name: str | None = None) -> None:
    body = {"provider": provider, "api_key": VALID_KEY, "model_name": model_name}
    response = await user.post("/api/llm-providers", json=body)
    assert response.status_code == 200, await response.get_data(as_text=True)


async def chat_once(user: User, epic_id: str) -> None:
    events = await stream_events(user, f"/api/epics/{epic_id}/chat", {"content": "Where do we start?"})
    assert events[-1]["type"] == "done", events


async def usage(user: User, days: int | None = 30) -> dict:
    response = await user.get("/api/usage" if days is None else f"/api/usage?days={days}")
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def test_each_dialects_call_is_priced_from_the_fakes_usage_and_totalled(
    pm, other, fake_llm, database_url
) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    fake_llm.script(Reply("First, the problem.", input_tokens=1200, output_tokens=300))
    await chat_once(pm, epic_id)  # OpenAI dialect, gpt-4o
    await use_provider(pm, "anthropic")
    fake_llm.script(Reply("Tell me more."))  # the fake's default usage: 11 in, 7 out
    await chat_once(pm, epic_id)
    await use_provider(pm, "openai", "mystery-model")
    fake_llm.script(Reply("Noted.", input_tokens=40, output_tokens=2))
    await chat_once(pm, epic_id)
    assert fake_llm.chat_requests()[1].path == "/v1/messages"

    assert await fetch(database_url, ROWS, "pm@jarlpm.dev") == [
        # 1200 x 2.50 + 300 x 10 = 6000 per million tokens
        {**row, "route": "epics.chat", "outcome": "ok"}
        for row in [
            {"provider": "openai", "model": "gpt-4o", "input_tokens": 1200, "output_tokens": 300,
             "cost_usd": Decimal("0.006000")},
            # 11 x 3 + 7 x 15 = 138 per million tokens
            {"provider": "anthropic", "model": "claude-sonnet-4-20250514", "input_tokens": 11, "output_tokens": 7,
             "cost_usd": Decimal("0.000138")},
            {"provider": "openai", "model": "mystery-model", "input_tokens": 40, "output_tokens": 2,
             "cost_usd": None},
        ]
    ]  # fmt: skip

    answer = await usage(pm, days=None)  # 30 days unless asked
    assert answer["period_days"] == 30
    assert answer["totals"] == {
        "calls": 3,
        "input_tokens": 1251,
        "output_tokens": 309,
        "cost_usd": 0.006138,
        "unpriced_calls": 1,
    }
    assert answer["by_model"] == [
        {"provider": "anthropic", "model": "claude-sonnet-4-20250514", "calls": 1, "input_tokens": 11,
         "output_tokens": 7, "cost_usd": 0.000138, "unpriced_calls": 0},
        {"provider": "openai", "model": "gpt-4o", "calls": 1, "input_tokens": 1200, "output_tokens": 300,
         "cost_usd": 0.006, "unpriced_calls": 0},
        # Nothing of this group had a price: null, not zero.
        {"provider": "openai", "model": "mystery-model", "calls": 1, "input_tokens": 40, "output_tokens": 2,
         "cost_usd": None, "unpriced_calls": 1},
    ]  # fmt: skip
    [[today]] = [row.values() for row in await fetch(database_url, "SELECT (now() AT TIME ZONE 'UTC')::date AS d")]
    assert answer["by_day"] == [
        {"day": today.isoformat(), "calls": 3, "input_tokens": 1251, "output_tokens": 309, "cost_usd": 0.006138}
    ]

    # The other user made no call: nothing of pm's is theirs.
    assert await usage(other) == {
        "period_days": 30,
        "totals": {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0, "unpriced_calls": 0},
        "by_model": [],
        "by_day": [],
    }


async def test_the_window_counts_whole_utc_days_and_only_the_callers_rows(pm, other, database_url) -> None:
    for days_ago, cost in ((0, "0.002"), (2, "0.001"), (29, "0.004"), (30, None), (365, "1"), (400, "1")):
        await fetch(database_url, BACKDATED, "pm@jarlpm.dev", None if cost is None else Decimal(cost), days_ago)
    await fetch(database_url, BACKDATED, "other@jarlpm.dev", Decimal("0.5"), 1)

    last_30 = await usage(pm, 30)
    assert last_30["totals"] == {
        "calls": 3,
        "input_tokens": 300,
        "output_tokens": 30,
        "cost_usd": 0.007,
        "unpriced_calls": 0,
    }
    assert [(day["calls"], day["cost_usd"]) for day in last_30["by_day"]] == [(1, 0.004), (1, 0.001), (1, 0.002)]
    assert [day["day"] for day in last_30["by_day"]] == sorted(day["day"] for day in last_30["by_day"])
    last_31 = await usage(pm, 31)
    assert (last_31["totals"]["calls"], last_31["totals"]["unpriced_calls"]) == (4, 1)
    assert last_31["totals"]["cost_usd"] == 0.007  # the unpriced call adds nothing, and is counted as such
    assert last_31["by_day"][0]["cost_usd"] is None  # that day had no priced call
    assert (await usage(pm, 1))["totals"]["calls"] == 1  # today only
    assert (await usage(pm, 365))["totals"]["calls"] == 4  # 365 days ago is a day too far

    theirs = await usage(other, 365)
    assert (theirs["totals"]["calls"], theirs["totals"]["cost_usd"]) == (1, 0.5)
    assert [(m["provider"], m["model"], m["calls"]) for m in theirs["by_model"]] == [("openai", "gpt-4o", 1)]


async def test_days_outside_1_to_365_is_422_and_usage_needs_a_session(pm, client) -> None:
    for query in ("days=0", "days=366", "days=-1", "days=week"):
        response = await pm.get(f"/api/usage?{query}")
        assert response.status_code == 422, query
        assert (await response.get_json())["code"] == "VALIDATION_ERROR"
    assert (await client.get("/api/usage")).status_code == 401
