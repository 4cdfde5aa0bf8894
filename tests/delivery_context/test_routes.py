"""/api/delivery-context: created on first read, full replace, enums (400) and ranges (422), per user."""

from __future__ import annotations

import pytest

from tests.builders import new_user
from tests.db.helpers import fetch

CONTEXT_KEYS = {
    "context_id",
    "industry",
    "delivery_methodology",
    "sprint_cycle_length",
    "sprint_start_date",
    "num_developers",
    "num_qa",
    "delivery_platform",
    "points_per_dev_per_sprint",
    "quality_mode",
    "created_at",
    "updated_at",
}
FULL = {
    "industry": "Fintech, Payments",
    "delivery_methodology": "Scrum",
    "sprint_cycle_length": 10,
    "sprint_start_date": "2026-02-02",
    "num_developers": 4,
    "num_qa": 1,
    "delivery_platform": "AZURE_DEVOPS",
    "points_per_dev_per_sprint": 12,
    "quality_mode": "Quality",
}


@pytest.fixture
async def ana(app):
    return await new_user(app, "ana@jarlpm.dev")


async def rows(database_url: str) -> list[dict]:
    return await fetch(
        database_url,
        "SELECT user_id, industry, delivery_methodology, sprint_cycle_length, sprint_start_date, num_developers, "
        "num_qa, delivery_platform, points_per_dev_per_sprint, quality_mode "
        "FROM product_delivery_contexts ORDER BY user_id",
    )


async def test_first_read_creates_an_empty_context(ana, database_url) -> None:
    first = await ana.get("/api/delivery-context")
    assert first.status_code == 200
    body = await first.get_json()
    assert set(body) == CONTEXT_KEYS
    assert body["context_id"].startswith("ctx_")
    assert (body["points_per_dev_per_sprint"], body["quality_mode"]) == (8, "standard")
    assert all(
        body[key] is None
        for key in CONTEXT_KEYS
        - {"context_id", "points_per_dev_per_sprint", "quality_mode", "created_at", "updated_at"}
    )
    second = await (await ana.get("/api/delivery-context")).get_json()
    assert second["context_id"] == body["context_id"]
    assert len(await rows(database_url)) == 1


async def test_put_replaces_everything_with_enums_lower_cased(ana, database_url) -> None:
    response = await ana.put("/api/delivery-context", json=FULL)
    assert response.status_code == 200
    body = await response.get_json()
    assert body["delivery_methodology"] == "scrum"
    assert body["delivery_platform"] == "azure_devops"
    assert body["quality_mode"] == "quality"
    assert body["sprint_start_date"] == "2026-02-02"
    assert (body["sprint_cycle_length"], body["num_developers"], body["num_qa"], body["points_per_dev_per_sprint"]) == (
        10,
        4,
        1,
        12,
    )
    partial = await (await ana.put("/api/delivery-context", json={"industry": "Retail"})).get_json()
    assert partial["context_id"] == body["context_id"]
    assert partial["industry"] == "Retail"
    assert partial["delivery_methodology"] is None and partial["num_developers"] is None
    assert (partial["points_per_dev_per_sprint"], partial["quality_mode"]) == (8, "standard")
    assert len(await rows(database_url)) == 1


@pytest.mark.parametrize(
    "field,value,allowed",
    [
        ("delivery_methodology", "safe", "waterfall, agile, scrum, kanban, hybrid"),
        ("delivery_platform", "trello", "jira, azure_devops, none, other"),
        ("quality_mode", "turbo", "standard, quality"),
    ],
)
async def test_an_unknown_enum_value_is_400_listing_the_allowed_ones(ana, database_url, field, value, allowed) -> None:
    await ana.put("/api/delivery-context", json=FULL)
    before = await rows(database_url)
    response = await ana.put("/api/delivery-context", json={**FULL, field: value})
    assert response.status_code == 400
    body = await response.get_json()
    assert body["code"] == "INVALID_ENUM_VALUE"
    assert allowed in body["detail"] and value in body["detail"]
    assert await rows(database_url) == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("sprint_cycle_length", 0),
        ("sprint_cycle_length", 366),
        ("num_developers", -1),
        ("num_qa", -2),
        ("points_per_dev_per_sprint", 0),
        ("points_per_dev_per_sprint", 51),
        ("sprint_start_date", "14/01/2026"),
        ("sprint_start_date", "0001-01-01"),
        ("sprint_start_date", "1899-12-31"),
        ("sprint_start_date", "3000-01-01"),
        ("sprint_start_date", "9999-12-31"),
        ("num_developers", "many"),
        ("num_developers", 10_001),
        ("num_qa", 2**31),
        ("sprint_cycle_length", 2**63),
        ("points_per_dev_per_sprint", 10**30),
    ],
)
async def test_an_out_of_range_value_is_422_and_changes_nothing(ana, database_url, field, value) -> None:
    await ana.put("/api/delivery-context", json=FULL)
    before = await rows(database_url)
    response = await ana.put("/api/delivery-context", json={**FULL, field: value})
    assert response.status_code == 422
    body = await response.get_json()
    assert body["code"] == "VALIDATION_ERROR" and body["detail"][0]["loc"][-1] == field
    assert await rows(database_url) == before


async def test_each_user_has_their_own_context(app, ana, database_url) -> None:
    await ana.put("/api/delivery-context", json=FULL)
    bo = await new_user(app, "bo@jarlpm.dev", name="Bo")
    theirs = await (await bo.get("/api/delivery-context")).get_json()
    assert theirs["industry"] is None
    await bo.put("/api/delivery-context", json={"industry": "Gaming"})
    mine = await (await ana.get("/api/delivery-context")).get_json()
    assert mine["industry"] == "Fintech, Payments" and mine["delivery_methodology"] == "scrum"
    assert len(await rows(database_url)) == 2


async def test_the_routes_need_a_session(client) -> None:
    assert (await client.get("/api/delivery-context")).status_code == 401
    assert (await client.put("/api/delivery-context", json=FULL)).status_code == 401


@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
async def test_the_edges_of_the_date_range_are_accepted(ana, day) -> None:
    response = await ana.put("/api/delivery-context", json={**FULL, "sprint_start_date": day})
    assert response.status_code == 200
    assert (await response.get_json())["sprint_start_date"] == day
