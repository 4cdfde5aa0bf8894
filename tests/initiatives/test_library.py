"""GET /api/initiatives: keys, counts, status filters, search, sorting, paging, and refused queries."""

from __future__ import annotations

import pytest

from tests.builders import approved_feature, create_epic, drafted_epic, locked_epic, pointed_story
from tests.db.helpers import fetch

SUMMARY_KEYS = {
    "epic_id",
    "title",
    "tagline",
    "status",
    "problem_statement",
    "features_count",
    "stories_count",
    "total_points",
    "created_at",
    "updated_at",
}
PROBLEM_TEXT = "Ward nurses spend 30 minutes per shift re-entering medication data."


async def listing(user, query: str = "") -> dict:  # type: ignore[no-untyped-def]
    response = await user.get(f"/api/initiatives{query}")
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


def ids(page: dict) -> list[str]:
    return [initiative["epic_id"] for initiative in page["initiatives"]]


async def archive(user, epic_id: str) -> None:  # type: ignore[no-untyped-def]
    assert (await user.patch(f"/api/initiatives/{epic_id}/archive")).status_code == 200


async def test_each_initiative_has_its_status_counts_and_points(pm, fake_llm) -> None:
    locked = await locked_epic(pm, fake_llm, "Locked one")
    feature = await approved_feature(pm, locked)
    await pointed_story(pm, fake_llm, feature["feature_id"], 3)
    await pointed_story(pm, fake_llm, feature["feature_id"], 5)
    drafted = await drafted_epic(pm, fake_llm, "Drafted one")
    draft = (await create_epic(pm, "Draft one"))["epic_id"]

    page = await listing(pm)

    assert page["total"] == 3 and page["page"] == 1 and page["page_size"] == 20 and page["has_more"] is False
    assert ids(page) == [draft, drafted, locked]  # most recently changed first
    assert all(set(initiative) == SUMMARY_KEYS for initiative in page["initiatives"])
    by_id = {initiative["epic_id"]: initiative for initiative in page["initiatives"]}
    assert [by_id[epic]["status"] for epic in (draft, drafted, locked)] == ["draft", "active", "completed"]
    assert (by_id[locked]["features_count"], by_id[locked]["stories_count"], by_id[locked]["total_points"]) == (1, 2, 8)
    assert (by_id[draft]["features_count"], by_id[draft]["stories_count"], by_id[draft]["total_points"]) == (0, 0, 0)
    assert by_id[locked]["problem_statement"].startswith("Problem Statement: " + PROBLEM_TEXT)
    assert by_id[locked]["tagline"] == by_id[locked]["problem_statement"][:100] + "..."
    assert by_id[draft]["tagline"] is None and by_id[draft]["problem_statement"] is None


async def test_a_status_filter_keeps_its_stages_and_archived_ones_appear_only_when_asked(pm, fake_llm) -> None:
    drafted = await drafted_epic(pm, fake_llm, "Drafted")
    draft = (await create_epic(pm, "Draft"))["epic_id"]
    archived = (await create_epic(pm, "Shelved"))["epic_id"]
    await archive(pm, archived)

    assert set(ids(await listing(pm))) == {drafted, draft}
    assert ids(await listing(pm, "?status=draft")) == [draft]
    assert ids(await listing(pm, "?status=active")) == [drafted]
    assert ids(await listing(pm, "?status=completed")) == []
    only_archived = await listing(pm, "?status=archived")
    assert ids(only_archived) == [archived] and only_archived["initiatives"][0]["status"] == "archived"
    assert only_archived["total"] == 1


async def test_search_finds_title_or_problem_case_insensitively_and_takes_wildcards_literally(pm, fake_llm) -> None:
    with_problem = await drafted_epic(pm, fake_llm, "Pharmacy sync")
    percent = (await create_epic(pm, "Done 100% of it"))["epic_id"]
    underscore = (await create_epic(pm, "snake_case title"))["epic_id"]
    plain = (await create_epic(pm, "Snakes and ladders"))["epic_id"]

    assert ids(await listing(pm, "?search=RE-ENTERING")) == [with_problem]  # in the problem statement only
    assert ids(await listing(pm, "?search=pharmacy")) == [with_problem]
    assert ids(await listing(pm, "?search=%25")) == [percent]  # "%" matches only a literal percent sign
    assert ids(await listing(pm, "?search=e_c")) == [underscore]  # "_" is not "any character"
    assert set(ids(await listing(pm, "?search=snake"))) == {underscore, plain}
    assert len(ids(await listing(pm, "?search=%20%20"))) == 4  # blank: no filter
    nothing = await listing(pm, "?search=zebra")
    assert nothing["initiatives"] == [] and nothing["total"] == 0


async def test_every_allowed_field_sorts_both_ways_and_ties_break_on_the_id(pm, fake_llm) -> None:
    locked = await locked_epic(pm, fake_llm, "bravo")
    feature = await approved_feature(pm, locked)
    await pointed_story(pm, fake_llm, feature["feature_id"], 2)
    drafted = await drafted_epic(pm, fake_llm, "Alpha")
    draft = (await create_epic(pm, "charlie"))["epic_id"]

    assert ids(await listing(pm, "?sort_by=title&sort_order=asc")) == [drafted, locked, draft]  # case-insensitive
    assert ids(await listing(pm, "?sort_by=title&sort_order=desc")) == [draft, locked, drafted]
    assert ids(await listing(pm, "?sort_by=created_at&sort_order=asc")) == [locked, drafted, draft]
    assert ids(await listing(pm, "?sort_by=updated_at&sort_order=asc")) == [locked, drafted, draft]
    assert ids(await listing(pm, "?sort_by=current_stage&sort_order=desc")) == [locked, drafted, draft]
    assert ids(await listing(pm, "?sort_by=total_points"))[0] == locked
    assert ids(await listing(pm, "?sort_by=stories_count"))[0] == locked
    assert ids(await listing(pm, "?sort_by=features_count&sort_order=asc"))[-1] == locked
    tied = ids(await listing(pm, "?sort_by=features_count&sort_order=asc"))[:2]
    assert tied == sorted([drafted, draft])


async def test_pages_carry_the_total_and_whether_more_follow(pm) -> None:
    created = [(await create_epic(pm, f"Epic {n}"))["epic_id"] for n in range(5)]
    newest_first = created[::-1]

    first = await listing(pm, "?page_size=2")
    second = await listing(pm, "?page_size=2&page=2")
    third = await listing(pm, "?page_size=2&page=3")
    beyond = await listing(pm, "?page_size=2&page=4")

    assert (ids(first), first["total"], first["has_more"]) == (newest_first[:2], 5, True)
    assert (ids(second), second["has_more"]) == (newest_first[2:4], True)
    assert (ids(third), third["has_more"]) == (newest_first[4:], False)
    assert (ids(beyond), beyond["total"], beyond["has_more"], beyond["page"]) == ([], 5, False, 4)
    assert len(ids(await listing(pm, "?page_size=100"))) == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?page=0", "page"),
        ("?page=-1", "page"),
        ("?page=two", "page"),
        ("?page_size=0", "page_size"),
        ("?page_size=101", "page_size"),
        ("?status=shipped", "status"),
        ("?status=ARCHIVED", "status"),
        ("?sort_by=user_id", "sort_by"),
        ("?sort_by=title;DROP TABLE epics", "sort_by"),
        ("?sort_order=sideways", "sort_order"),
        ("?search=" + "x" * 201, "search"),
    ],
)
async def test_a_bad_query_is_a_422_naming_the_field_and_changes_nothing(pm, database_url, query, field) -> None:
    await create_epic(pm, "Kept as it was")
    before = await fetch(database_url, "SELECT epic_id, title, is_archived, updated_at FROM epics")

    response = await pm.get(f"/api/initiatives{query}")

    assert response.status_code == 422
    body = await response.get_json()
    assert body["code"] == "VALIDATION_ERROR" and body["detail"][0]["loc"][-1] == field
    assert await fetch(database_url, "SELECT epic_id, title, is_archived, updated_at FROM epics") == before


async def test_another_users_initiatives_are_never_listed_or_counted(pm, other, fake_llm) -> None:
    await drafted_epic(pm, fake_llm, "Mine")
    shelved = (await create_epic(pm, "Mine too"))["epic_id"]
    await archive(pm, shelved)

    for query in ("", "?status=archived", "?status=active", "?search=mine"):
        page = await listing(other, query)
        assert (page["initiatives"], page["total"], page["has_more"]) == ([], 0, False)
    summary = await (await other.get("/api/initiatives/stats/summary")).get_json()
    assert summary == {"total": 0, "draft": 0, "active": 0, "completed": 0, "archived": 0}


async def test_the_library_needs_a_session(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/initiatives", "/api/initiatives/stats/summary", "/api/initiatives/epic_000000000000"):
        assert (await client.get(path)).status_code == 401
