"""Every feature route: errors, another user's 404 with data unchanged, generation repairs, chat updates."""

from __future__ import annotations

from jarlpm.app import create_app
from tests.builders import GENERATED, approved_feature, create_epic, create_feature, fenced, new_user
from tests.db.helpers import fetch
from tests.fakes.llm_server import Reply
from tests.sse import stream_events

FEATURE_KEYS = {
    "feature_id",
    "epic_id",
    "title",
    "description",
    "acceptance_criteria",
    "current_stage",
    "source",
    "priority",
    "moscow_score",
    "rice_reach",
    "rice_impact",
    "rice_confidence",
    "rice_effort",
    "rice_total",
    "created_at",
    "updated_at",
    "approved_at",
}


async def feature_rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url,
        "SELECT feature_id, title, description, acceptance_criteria, current_stage FROM features ORDER BY feature_id",
    )


async def test_features_need_a_locked_epic(pm, fake_llm, database_url) -> None:
    epic_id = (await create_epic(pm))["epic_id"]
    created = await pm.post(f"/api/features/epic/{epic_id}", json=GENERATED[0])
    assert created.status_code == 400
    assert await created.get_json() == {
        "detail": "Epic must be locked before creating features",
        "code": "EPIC_NOT_LOCKED",
    }
    generated = await pm.post(f"/api/features/epic/{epic_id}/generate", json={"count": 3})
    assert generated.status_code == 400 and (await generated.get_json())["code"] == "EPIC_NOT_LOCKED"
    assert await feature_rows(database_url) == [] and fake_llm.chat_requests() == []


async def test_create_returns_201_with_the_contract_keys(pm, epic_id) -> None:
    feature = await create_feature(pm, epic_id, source="manual")
    assert set(feature) == FEATURE_KEYS
    assert (feature["current_stage"], feature["source"], feature["approved_at"]) == ("draft", "manual", None)


async def test_bad_feature_input_is_422_and_stores_nothing(pm, epic_id, database_url) -> None:
    for body in (
        {"description": "d"},
        {"title": "", "description": "d"},
        {"title": "t", "description": "d", "source": "robot"},
    ):
        assert (await pm.post(f"/api/features/epic/{epic_id}", json=body)).status_code == 422
    assert (await pm.post(f"/api/features/epic/{epic_id}/generate", json={"count": 0})).status_code == 422
    assert (await pm.post(f"/api/features/epic/{epic_id}/generate", json={"count": 11})).status_code == 422
    assert await feature_rows(database_url) == []


async def test_generation_repairs_a_broken_reply(pm, fake_llm, epic_id) -> None:
    missing_criteria = [{"title": "A", "description": "B", "acceptance_criteria": []}]
    fake_llm.script("[{oops", fenced(missing_criteria), fenced(GENERATED[:1]))
    before = len(fake_llm.chat_requests())
    events = await stream_events(pm, f"/api/features/epic/{epic_id}/generate", {})
    assert events[-2] == {"type": "features", "features": GENERATED[:1]}
    requests = fake_llm.chat_requests()[before:]
    assert len(requests) == 3
    assert "5 features" in requests[0].body["messages"][1]["content"]
    assert not requests[1].body.get("stream") and "could not be used" in requests[1].body["messages"][-1]["content"]


async def test_generation_gives_up_with_error_then_done(pm, fake_llm, epic_id, database_url) -> None:
    fake_llm.script("not json", "still not", "never")
    events = await stream_events(pm, f"/api/features/epic/{epic_id}/generate", {"count": 1})
    assert events[-2:] == [
        {"type": "error", "message": "The AI reply could not be turned into valid data; please try again"},
        {"type": "done"},
    ]
    assert await feature_rows(database_url) == []


async def test_update_changes_only_what_is_sent_and_refuses_approved(pm, epic_id, database_url) -> None:
    feature = await create_feature(pm, epic_id)
    response = await pm.put(f"/api/features/{feature['feature_id']}", json={"description": "Better."})
    assert response.status_code == 200
    body = await response.get_json()
    assert (body["title"], body["description"]) == (feature["title"], "Better.")
    assert (await pm.put(f"/api/features/{feature['feature_id']}", json={"title": ""})).status_code == 422
    approved = await approved_feature(pm, epic_id)
    before = await feature_rows(database_url)
    refused = await pm.put(f"/api/features/{approved['feature_id']}", json={"title": "x"})
    assert refused.status_code == 400
    assert await refused.get_json() == {"detail": "Cannot update approved features", "code": "FEATURE_APPROVED"}
    assert await feature_rows(database_url) == before


async def test_approve_twice_is_400(pm, epic_id) -> None:
    feature = await approved_feature(pm, epic_id)
    again = await pm.post(f"/api/features/{feature['feature_id']}/approve")
    assert again.status_code == 400 and (await again.get_json())["detail"] == "Feature is already approved"


async def test_chat_on_an_approved_feature_is_400_before_streaming(pm, fake_llm, epic_id) -> None:
    feature = await approved_feature(pm, epic_id)
    before = len(fake_llm.chat_requests())
    response = await pm.post(f"/api/features/{feature['feature_id']}/chat", json={"content": "change it"})
    assert response.status_code == 400
    assert await response.get_json() == {"detail": "Cannot refine approved features", "code": "FEATURE_APPROVED"}
    assert len(fake_llm.chat_requests()) == before
    assert await (await pm.get(f"/api/features/{feature['feature_id']}/conversation")).get_json() == []


async def test_a_chat_without_an_update_changes_nothing_but_the_stage(pm, fake_llm, epic_id) -> None:
    feature = await create_feature(pm, epic_id)
    fake_llm.script("What should happen offline?")
    events = await stream_events(pm, f"/api/features/{feature['feature_id']}/chat", {"content": "Hi"})
    assert [e["type"] for e in events if e["type"] != "chunk"] == ["done"]
    after = await (await pm.get(f"/api/features/{feature['feature_id']}")).get_json()
    assert (after["title"], after["current_stage"]) == (feature["title"], "refining")


async def test_an_invalid_update_block_is_repaired_or_dropped(pm, fake_llm, epic_id) -> None:
    feature = await create_feature(pm, epic_id)
    fake_llm.script('[FEATURE_UPDATE]{"title": ""}[/FEATURE_UPDATE]', '{"title": "Fixed title"}')
    events = await stream_events(pm, f"/api/features/{feature['feature_id']}/chat", {"content": "rename"})
    assert {"type": "feature_updated", "update": {"title": "Fixed title"}} in events
    fake_llm.script("[FEATURE_UPDATE]{nope[/FEATURE_UPDATE]", "bad", "worse")
    events = await stream_events(pm, f"/api/features/{feature['feature_id']}/chat", {"content": "again"})
    assert [e["type"] for e in events if e["type"] != "chunk"] == ["done"]
    assert (await (await pm.get(f"/api/features/{feature['feature_id']}")).get_json())["title"] == "Fixed title"
    assert len(await (await pm.get(f"/api/features/{feature['feature_id']}/conversation")).get_json()) == 4


async def test_a_provider_failure_keeps_only_the_users_message(pm, fake_llm, epic_id) -> None:
    feature = await create_feature(pm, epic_id)
    fake_llm.script(Reply(status=429, times=3))
    events = await stream_events(pm, f"/api/features/{feature['feature_id']}/chat", {"content": "Hi"})
    assert events == [
        {"type": "error", "message": "The AI provider is rate limiting requests; please try again shortly"}
    ]
    conversation = await (await pm.get(f"/api/features/{feature['feature_id']}/conversation")).get_json()
    assert [e["role"] for e in conversation] == ["user"]


async def test_deleting_an_approved_feature_removes_its_stories(pm, epic_id, database_url) -> None:
    feature = await approved_feature(pm, epic_id)
    story = {"persona": "nurse", "action": "log in", "benefit": "I work"}
    assert (await pm.post(f"/api/stories/feature/{feature['feature_id']}", json=story)).status_code == 201
    response = await pm.delete(f"/api/features/{feature['feature_id']}")
    assert (response.status_code, await response.get_json()) == (200, {"message": "Feature deleted"})
    assert await fetch(database_url, "SELECT count(*) AS n FROM user_stories") == [{"n": 0}]
    assert (await pm.get(f"/api/features/{feature['feature_id']}")).status_code == 404


async def test_another_user_gets_404_on_every_feature_route(pm, other, fake_llm, epic_id, database_url) -> None:
    feature = await create_feature(pm, epic_id)
    before = await feature_rows(database_url)
    calls = [
        ("GET", f"/api/features/epic/{epic_id}", None),
        ("POST", f"/api/features/epic/{epic_id}", GENERATED[0]),
        ("POST", f"/api/features/epic/{epic_id}/generate", {"count": 1}),
        ("GET", f"/api/features/{feature['feature_id']}", None),
        ("PUT", f"/api/features/{feature['feature_id']}", {"title": "mine now"}),
        ("DELETE", f"/api/features/{feature['feature_id']}", None),
        ("POST", f"/api/features/{feature['feature_id']}/approve", None),
        ("GET", f"/api/features/{feature['feature_id']}/conversation", None),
        ("POST", f"/api/features/{feature['feature_id']}/chat", {"content": "hi"}),
    ]
    requests_before = len(fake_llm.chat_requests())
    for method, path, body in calls:
        response = await other.call(method, path, json=body)
        assert response.status_code == 404, (method, path)
    assert await feature_rows(database_url) == before
    assert len(fake_llm.chat_requests()) == requests_before


async def test_generation_needs_a_subscription_when_billing_is_on(make_settings, database_url, fake_llm) -> None:
    async with create_app(make_settings(database_url, billing_enabled=True)).test_app() as app:
        user = await new_user(app, "bill@jarlpm.dev")
        epic_id = (await create_epic(user))["epic_id"]
        await fetch(database_url, "UPDATE epics SET current_stage = 'epic_locked', locked_at = now()")
        response = await user.post(f"/api/features/epic/{epic_id}/generate", json={})
    assert response.status_code == 402
    assert (await response.get_json())["code"] == "SUBSCRIPTION_REQUIRED"
    assert fake_llm.chat_requests() == []
