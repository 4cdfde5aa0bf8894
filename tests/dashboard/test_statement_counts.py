"""The portfolio reads (the dashboard, the initiative list and one initiative's tree) run the same number of
SQL statements whatever the number of epics, features and stories: no query per row.

Every statement the app sends through asyncpg is counted (session check, BEGIN/COMMIT and the pool's
reset included: those are constant too), once for a small portfolio and once after it has grown.
"""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest

from tests.builders import add_story, approved_feature, create_epic, locked_epic, pointed_story

SENDING_METHODS = ("execute", "executemany", "fetch", "fetchrow", "fetchval", "prepare")
READS = ("/api/dashboard", "/api/initiatives", "/api/initiatives?status=archived&sort_by=total_points")


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    sent: list[str] = []
    for name in SENDING_METHODS:
        original = getattr(asyncpg.Connection, name)

        async def counting(self, query, *args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            sent.append(query)
            return await _original(self, query, *args, **kwargs)

        monkeypatch.setattr(asyncpg.Connection, name, counting)
    yield sent


async def statements_for(user, path: str, sent: list[str]) -> int:  # type: ignore[no-untyped-def]
    before = len(sent)
    response = await user.get(path)
    assert response.status_code == 200, await response.get_data(as_text=True)
    return len(sent) - before


async def test_portfolio_reads_do_not_grow_with_the_portfolio(pm, fake_llm, statements) -> None:
    epic_id = await locked_epic(pm, fake_llm)
    feature = await approved_feature(pm, epic_id)
    await pointed_story(pm, fake_llm, feature["feature_id"], 3)
    small = {path: await statements_for(pm, path, statements) for path in (*READS, f"/api/initiatives/{epic_id}")}

    for _ in range(3):
        await pm.post(f"/api/initiatives/{epic_id}/duplicate", json={})
        shelved = (await create_epic(pm, "Another"))["epic_id"]
        await pm.patch(f"/api/initiatives/{shelved}/archive")
        extra = await approved_feature(pm, epic_id)
        await add_story(pm, extra["feature_id"])
        await add_story(pm, feature["feature_id"])

    grown = {path: await statements_for(pm, path, statements) for path in (*READS, f"/api/initiatives/{epic_id}")}
    assert grown == small
    assert max(grown.values()) <= 8  # the dashboard: session, four queries, pool reset
