"""POST /api/export/file and GET /api/export/preview: each format's bytes for a known tree, read back
field by field; linked bugs only; another user's epic is 404; a fixed number of queries."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import asyncpg
import pytest

from jarlpm.db.pool import init_connection
from jarlpm.db.urls import connect_target
from jarlpm.export import service
from tests.builders import add_story, create_epic, create_feature
from tests.db.helpers import fetch
from tests.export.helpers import HYPERLINK, Tree, build_tree, csv_rows, export, exported_bytes

BOM = "\ufeff".encode()


@pytest.fixture
async def tree(pm, epic_id, database_url) -> Tree:  # type: ignore[no-untyped-def]
    return await build_tree(pm, epic_id, database_url)


def _by_title(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        found.setdefault(row[key], []).append(row)
    return found


async def test_both_csv_files_read_back_field_by_field(pm, client, tree) -> None:  # type: ignore[no-untyped-def]
    response = await export(pm, tree.epic_id, "jira_csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="Medication_entry_jira.csv"'
    jira_bytes = await response.get_data()
    assert jira_bytes.startswith(BOM + b"Issue Id,Parent,Issue Type,Summary,")
    jira = csv_rows(jira_bytes)
    assert [(row["Issue Id"], row["Parent"], row["Issue Type"], row["Summary"]) for row in jira] == [
        ("1", "", "Epic", "Medication entry"),
        ("2", "1", "Story", "Ward entry screen"),
        ("3", "1", "Story", "Pharmacy sync"),
        ("4", "1", "Bug", "Dose screen freezes"),  # linked to a story and its feature: once
        ("5", "1", "Bug", "Dose screen freezes"),  # linked to the epic
        ("6", "2", "Sub-task", "Record a dose"),
        ("7", "2", "Sub-task", "'" + HYPERLINK),  # text, not a formula
    ]
    epic, ward, sync, story_bug, _, dose, formula = jira
    assert (epic["Priority"], ward["Priority"], sync["Priority"], story_bug["Priority"]) == ("High", "High", "", "High")
    assert (dose["Priority"], dose["Labels"], dose["Story Points"]) == ("High", "frontend|ward_app", "3")
    assert (formula["Labels"], formula["Story Points"]) == ("|", "")
    assert "*Problem*\nProblem Statement: Ward nurses" in epic["Description"]
    assert "*MoSCoW*\nMust Have" in epic["Description"]
    assert "*RICE*\n4 (reach 5, impact 2 High, confidence 0.8 Medium, effort 2)" in ward["Description"]
    assert "* -5% churn" in dose["Description"]
    assert "*Sprint*\n2" in dose["Description"] and "*Status*\nready" in dose["Description"]
    assert f"feature {tree.feature_ids[0]}, story {tree.story_ids[0]}" in story_bug["Description"]

    ado_bytes = await exported_bytes(pm, tree.epic_id, "azure_devops_csv")
    ado = csv_rows(ado_bytes)
    assert [(row["ID"], row["Work Item Type"], row["Title 1"], row["Title 2"], row["Title 3"]) for row in ado] == [
        ("", "Epic", "Medication entry", "", ""),
        ("", "Feature", "", "Ward entry screen", ""),
        ("", "User Story", "", "", "Record a dose"),
        ("", "User Story", "", "", "'" + HYPERLINK),
        ("", "Feature", "", "Pharmacy sync", ""),
        ("", "Bug", "", "Dose screen freezes", ""),
        ("", "Bug", "", "Dose screen freezes", ""),
    ]
    epic, ward, dose, _, sync, story_bug, _ = ado
    assert epic["Acceptance Criteria"].startswith("<ul><li>A dose entered on the ward")
    assert (epic["Priority"], ward["Priority"], sync["Priority"]) == ("1", "1", "")
    assert (dose["Story Points"], dose["Priority"], dose["Tags"]) == ("3", "1", "frontend; ward app")
    assert dose["Acceptance Criteria"] == (
        "<ul><li>Given a patient When I record a dose Then it is saved</li><li>-5% churn</li></ul>"
    )
    assert "<p><b>RICE</b></p><p>6 (reach 5, impact 3 Massive" in dose["Description"]
    assert (story_bug["Severity"], story_bug["Priority"]) == ("2 - High", "2")
    assert story_bug["Repro Steps"] == "<p><b>Steps to reproduce</b></p><p>1. Save a dose</p>"

    # The field mappings describe exactly these files' columns (public, no session needed).
    mappings = await (await client.get("/api/export/field-mappings")).get_json()
    assert mappings["columns"]["azure_devops"] == list(ado[0])
    assert mappings["columns"]["jira"] == list(jira[0])  # Labels: one column per label
    assert jira_bytes.count(b"Labels") == 2
    assert mappings["jira"]["user_story"]["issue_type"] == "Sub-task"
    assert set(mappings["jira"]["bug"]["fields"]) == {k for k in jira[0] if k not in ("Labels", "Story Points")}
    assert set(mappings["azure_devops"]["user_story"]["fields"]) == {
        "ID", "Work Item Type", "Title 3", "Description", "Acceptance Criteria", "Story Points", "Priority", "Tags"
    }  # fmt: skip
    assert "Acceptance criteria" in mappings["description"]["jira"]["epic"]
    assert "Acceptance criteria" not in mappings["description"]["azure_devops"]["epic"]


async def test_json_markdown_and_preview_hold_the_tree(pm, tree) -> None:  # type: ignore[no-untyped-def]
    response = await export(pm, tree.epic_id, "json")
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="Medication_entry_export.json"'
    document = json.loads(await response.get_data())
    assert list(document) == ["epic", "bugs", "totals"]
    epic = document["epic"]
    assert (epic["epic_id"], epic["title"], epic["stage"], epic["moscow"]) == (
        tree.epic_id, "Medication entry", "epic_locked", "must_have"
    )  # fmt: skip
    assert epic["summary"] == "Single-entry medication records for ward nurses."
    assert len(epic["acceptance_criteria"]) == 3
    ward, sync = epic["features"]
    assert [ward["feature_id"], sync["feature_id"]] == tree.feature_ids
    assert (ward["stage"], ward["moscow"], ward["rice"]) == (
        "approved", "must_have", {"reach": 5, "impact": 2.0, "confidence": 0.8, "effort": 2.0, "total": 4.0}
    )  # fmt: skip
    assert sync["stories"] == [] and sync["rice"] is None
    dose, formula = ward["stories"]
    assert [dose["story_id"], formula["story_id"]] == tree.story_ids
    assert dose == dose | {
        "title": "Record a dose",
        "story_text": "As a ward nurse, I want to record a dose once so that I never type it twice.",
        "story_points": 3,
        "priority": "must-have",
        "labels": ["frontend", "ward app"],
        "stage": "draft",
        "sprint_number": 2,
        "status": "ready",
    }
    assert dose["rice"]["total"] == 6.0 and formula["title"] == HYPERLINK  # JSON keeps the text as typed
    assert [bug["bug_id"] for bug in document["bugs"]] == [tree.story_bug_id, tree.epic_bug_id]
    assert document["bugs"][0]["links"] == [
        {"entity_type": "feature", "entity_id": tree.feature_ids[0]},
        {"entity_type": "story", "entity_id": tree.story_ids[0]},
    ]
    assert document["totals"] == {"features": 2, "stories": 2, "story_points": 3, "bugs": 2}

    response = await export(pm, tree.epic_id, "markdown")
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    markdown = (await response.get_data()).decode()
    assert [line for line in markdown.splitlines() if line.startswith("#")] == [
        "# Epic: Medication entry",
        "## Features",
        "### Feature 1: Ward entry screen",
        "#### Story 1.1: Record a dose",
        '#### Story 1.2: =HYPERLINK("x")',
        "### Feature 2: Pharmacy sync",
        "## Bugs",
        "### Bug: Dose screen freezes",
        "### Bug: Dose screen freezes",
    ]
    assert "- **MoSCoW:** Must Have" in markdown
    assert "- **RICE:** 4 (reach 5, impact 2 High, confidence 0.8 Medium, effort 2)" in markdown
    assert "- **Story points:** 3\n- **Priority:** must-have\n- **Labels:** frontend, ward app" in markdown
    assert "- **Sprint:** 2\n- **Status:** ready" in markdown
    assert "1\\. Save a dose" in markdown  # the bug's steps cannot open a list of the document's own

    preview = await (await pm.get(f"/api/export/preview/{tree.epic_id}")).get_json()
    assert (preview["epic_title"], preview["feature_count"], preview["story_count"], preview["bug_count"]) == (
        "Medication entry", 2, 2, 2
    )  # fmt: skip
    assert [(item["type"], item["title"]) for item in preview["items"]] == [
        ("Epic", "Medication entry"),
        ("Feature", "Ward entry screen"),
        ("User Story", "Record a dose"),
        ("User Story", HYPERLINK),
        ("Feature", "Pharmacy sync"),
        ("Bug", "Dose screen freezes"),
        ("Bug", "Dose screen freezes"),
    ]
    epic_item, ward_item, dose_item, *_, bug_item = preview["items"]
    assert (epic_item["stage"], epic_item["moscow"]) == ("epic_locked", "Must Have")
    assert (ward_item["stage"], ward_item["moscow"], ward_item["rice"]) == ("approved", "Must Have", 4.0)
    assert (dose_item["points"], dose_item["rice"], dose_item["status"]) == (3, 6.0, "ready")
    assert (bug_item["severity"], bug_item["status"]) == ("high", "draft")


async def _statements(database_url: str, user_id: str, epic_id: str) -> int:
    """How many statements loading the whole tree (bugs included) sends."""
    target = connect_target(database_url)
    conn = await asyncpg.connect(target.dsn, ssl=target.ssl)
    await init_connection(conn)
    sent: list[str] = []
    conn.add_query_logger(lambda record: sent.append(record.query))
    try:
        await service.load_tree(conn, user_id=user_id, epic_id=epic_id, include_bugs=True)
    finally:
        await conn.close()
    return len(sent)


async def test_without_bugs_for_others_and_with_a_fixed_number_of_queries(pm, other, tree, database_url) -> None:  # type: ignore[no-untyped-def]
    for file_format in ("jira_csv", "azure_devops_csv", "json", "markdown"):
        data = await exported_bytes(pm, tree.epic_id, file_format, include_bugs=False)
        assert b"Dose screen freezes" not in data and b"Login slow" not in data, file_format
        assert b"Record a dose" in data
        assert (await export(other, tree.epic_id, file_format)).status_code == 404
    preview = await (await pm.get(f"/api/export/preview/{tree.epic_id}?include_bugs=false")).get_json()
    assert (preview["bug_count"], [item["type"] for item in preview["items"]].count("Bug")) == (0, 0)
    response = await other.get(f"/api/export/preview/{tree.epic_id}")
    assert (response.status_code, (await response.get_json())["code"]) == (404, "EPIC_NOT_FOUND")

    [owner] = await fetch(database_url, "SELECT user_id FROM epics WHERE epic_id = $1", tree.epic_id)
    before = await _statements(database_url, owner["user_id"], tree.epic_id)
    bigger = await create_feature(pm, tree.epic_id, title="Audit log")
    assert (await pm.post(f"/api/features/{bigger['feature_id']}/approve")).status_code == 200
    for title in ("Log a change", "Show the log", "Export the log"):
        await add_story(pm, bigger["feature_id"], title=title)
    assert before == await _statements(database_url, owner["user_id"], tree.epic_id) == 4
    assert (await pm.get(f"/api/export/preview/{tree.epic_id}")).status_code == 200


async def test_an_epic_without_features_exports_its_row_alone_under_a_safe_name(pm) -> None:  # type: ignore[no-untyped-def]
    title = 'Ärzte "Q3" plan/../a\\b\nnext'
    epic_id = (await create_epic(pm, title))["epic_id"]
    response = await export(pm, epic_id, "azure_devops_csv")
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        'attachment; filename="Arzte_Q3_plan_.._a_b_next_azure_devops.csv"; '
        "filename*=UTF-8''%C3%84rzte_Q3_plan_.._a_b_next_azure_devops.csv"
    )
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8\'\'[A-Za-z0-9._%-]+', disposition)
    assert unquote(disposition.split("''")[1]) == "Ärzte_Q3_plan_.._a_b_next_azure_devops.csv"
    [row] = csv_rows(await response.get_data())
    stage_only = "<p><b>Stage</b></p><p>problem_capture</p>"
    assert (row["Work Item Type"], row["Title 1"], row["Description"]) == ("Epic", title, stage_only)
    [row] = csv_rows(await exported_bytes(pm, epic_id, "jira_csv"))
    assert (row["Issue Id"], row["Issue Type"], row["Summary"]) == ("1", "Epic", title)
    document = json.loads(await exported_bytes(pm, epic_id, "json"))
    assert (document["epic"]["features"], document["bugs"], document["totals"]["features"]) == ([], [], 0)
    markdown = (await exported_bytes(pm, epic_id, "markdown")).decode()
    assert [line for line in markdown.splitlines() if line.startswith("#")] == [
        '# Epic: Ärzte "Q3" plan/../a\\\\b next',
        "## Features",
    ]
    preview = await (await pm.get(f"/api/export/preview/{epic_id}")).get_json()
    assert (preview["feature_count"], preview["story_count"], len(preview["items"])) == (0, 0, 1)


async def test_an_unknown_format_is_422_and_a_missing_epic_404(pm) -> None:  # type: ignore[no-untyped-def]
    response = await pm.post("/api/export/file", json={"epic_id": "epic_000000000000", "format": "xlsx"})
    body = await response.get_json()
    assert (response.status_code, body["code"]) == (422, "VALIDATION_ERROR")
    assert body["detail"][0]["loc"] == ["format"]
    response = await export(pm, "epic_000000000000", "json")
    assert (response.status_code, (await response.get_json())["code"]) == (404, "EPIC_NOT_FOUND")
    assert (await pm.post("/api/export/file", json={"format": "json"})).status_code == 422
