"""The fixed segments under /api/stories (standalone, all, feature, ai) are never taken for a story id."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import HTTPException

STORY_ID_ENDPOINTS = {"stories.get_story", "stories.update_story", "stories.delete_story"}


def allowed(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {method.strip() for method in response.headers["Allow"].split(",")}


async def test_options_on_standalone_advertises_only_its_own_methods(pm) -> None:
    response = await pm.call("OPTIONS", "/api/stories/standalone")
    assert response.status_code == 200
    assert allowed(response) == {"GET", "POST", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_put_or_delete_on_standalone_is_405(pm, method) -> None:
    response = await pm.call(method, "/api/stories/standalone", json={"persona": "p"})
    assert response.status_code == 405
    assert allowed(response) == {"GET", "POST", "HEAD", "OPTIONS"}


async def test_options_on_all_advertises_only_get(pm) -> None:
    assert allowed(await pm.call("OPTIONS", "/api/stories/all")) == {"GET", "HEAD", "OPTIONS"}


async def test_a_story_id_still_gets_its_methods(pm) -> None:
    assert {"GET", "PUT", "DELETE"} <= allowed(await pm.call("OPTIONS", "/api/stories/story_0123456789ab"))
    assert (await pm.put("/api/stories/story_0123456789ab", json={"persona": "p"})).status_code == 404


def _fixed_first_segments(app) -> set[str]:  # type: ignore[no-untyped-def]
    segments = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/stories/"):
            first = rule.rule.removeprefix("/api/stories/").split("/")[0]
            if "<" not in first:
                segments.add(first)
    return segments


async def test_no_fixed_segment_reaches_the_story_id_routes(app) -> None:
    fixed = _fixed_first_segments(app.app)
    assert fixed == {"standalone", "all", "feature", "ai"}
    adapter = app.app.url_map.bind("localhost")
    for segment in fixed:
        for method in ("GET", "PUT", "DELETE"):
            try:
                endpoint, _ = adapter.match(f"/api/stories/{segment}", method=method)
            except HTTPException:
                continue
            assert endpoint not in STORY_ID_ENDPOINTS, (segment, method)
