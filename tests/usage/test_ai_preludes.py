"""Every AI route's prelude is one pool acquisition and at most two statements besides BEGIN / COMMIT
(issue 2.10): authenticating, the subscription, the provider, the delivery context, ownership, what the
prompt needs and the user's message. Counted on the connections themselves (asyncpg's query logger),
from the view's start to its first provider call, for every route the usage walk covers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import asyncpg
import pytest

from jarlpm.db import pool
from jarlpm.llm import calls, images
from tests.usage.test_every_ai_route import NOT_YET_WALKED, SCENARIOS, ai_rules, walk_tree

PRELUDE_STATEMENTS = 2
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class Acquisition:
    statements: list[str] = field(default_factory=list)

    def counted(self) -> list[str]:
        return [query for query in self.statements if not query.lstrip().upper().startswith(TRANSACTION_CONTROL)]


@dataclass
class Timeline:
    """The acquisitions made inside AI views, and where the first provider call came."""

    acquisitions: list[Acquisition] = field(default_factory=list)
    first_call_at: int | None = None

    def start(self) -> None:
        self.acquisitions, self.first_call_at = [], None

    def provider_called(self) -> None:
        if self.first_call_at is None:
            self.first_call_at = len(self.acquisitions)

    def prelude(self) -> list[Acquisition]:
        return self.acquisitions[: self.first_call_at]


@pytest.fixture
def timeline(monkeypatch: pytest.MonkeyPatch) -> Timeline:
    seen = Timeline()
    acquired = pool.Database._acquired

    @asynccontextmanager
    async def observed(database: pool.Database) -> AsyncIterator[asyncpg.Connection]:
        inside_ai_view = pool._admission.get() is not None  # not the rate-limit hook's own acquisition
        async with acquired(database) as conn:
            if not inside_ai_view:
                yield conn
                return
            record = Acquisition()
            seen.acquisitions.append(record)

            def log(query: asyncpg.connection.LoggedQuery) -> None:
                record.statements.append(query.query)

            conn.add_query_logger(log)
            try:
                yield conn
            finally:
                conn.remove_query_logger(log)

    refuse = calls.refuse_while_holding_a_connection

    def marked() -> None:
        seen.provider_called()
        refuse()

    monkeypatch.setattr(pool.Database, "_acquired", observed)
    monkeypatch.setattr(calls, "refuse_while_holding_a_connection", marked)
    monkeypatch.setattr(images, "refuse_while_holding_a_connection", marked)
    return seen


async def test_every_ai_prelude_is_one_acquisition_of_at_most_two_statements(
    app, pm, fake_llm, epic_id, database_url, timeline
) -> None:
    walk = await walk_tree(pm, fake_llm, database_url, epic_id)
    over_budget = {}
    for rule in sorted(ai_rules(app.app)):
        if rule in NOT_YET_WALKED:
            continue
        timeline.start()
        await SCENARIOS[rule](walk)
        assert timeline.first_call_at is not None, f"{rule}: no provider call seen"
        prelude = timeline.prelude()
        statements = [query for acquisition in prelude for query in acquisition.counted()]
        if len(prelude) != 1 or len(statements) > PRELUDE_STATEMENTS:
            over_budget[rule] = (len(prelude), [" ".join(query.split())[:90] for query in statements])
    assert over_budget == {}
