"""The export tests' tree: built through the API as a user would, with story points and sprints set in
the rows (the API sets them through a refinement chat or a sprint plan, which are not what is tested)."""

from __future__ import annotations

import csv
import io
from typing import NamedTuple

from tests.builders import add_story, bug_linked_to, create_bug, create_feature
from tests.db.helpers import fetch
from tests.helpers import User

HYPERLINK = '=HYPERLINK("x")'


class Tree(NamedTuple):
    """pm's locked epic (MoSCoW must) with two features: the first (must, RICE 4) holds `dose` (3 points,
    sprint 2, RICE 6, labels) and `formula` (titled like a formula); the second has no stories. One bug is
    linked to `dose` and to the first feature, one to the epic, one to nothing, and a linked one is deleted."""

    epic_id: str
    feature_ids: list[str]
    story_ids: list[str]
    story_bug_id: str
    epic_bug_id: str
    unlinked_bug_id: str


async def _ok(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


async def build_tree(pm: User, epic_id: str, database_url: str) -> Tree:
    await _ok(await pm.put(f"/api/scoring/epic/{epic_id}/moscow", json={"score": "must_have"}))
    ward = await create_feature(pm, epic_id, title="Ward entry screen", acceptance_criteria=["Dose saved in one step"])
    sync = await create_feature(pm, epic_id, title="Pharmacy sync", description="Doses flow to pharmacy.")
    await _ok(await pm.post(f"/api/features/{ward['feature_id']}/approve"))
    await _ok(await pm.put(f"/api/scoring/feature/{ward['feature_id']}/moscow", json={"score": "must_have"}))
    rice = {"reach": 5, "impact": 2.0, "confidence": 0.8, "effort": 2.0}
    await _ok(await pm.put(f"/api/scoring/feature/{ward['feature_id']}/rice", json=rice))
    dose = await add_story(
        pm,
        ward["feature_id"],
        title="Record a dose",
        persona="ward nurse",
        action="record a dose once",
        benefit="I never type it twice",
        acceptance_criteria=["Given a patient When I record a dose Then it is saved", "-5% churn"],
        labels=["frontend", "ward app"],
        story_priority="must-have",
    )
    formula = await add_story(pm, ward["feature_id"], title=HYPERLINK)
    story_rice = {"reach": 5, "impact": 3.0, "confidence": 0.8, "effort": 2.0}
    await _ok(await pm.put(f"/api/scoring/story/{dose['story_id']}/rice", json=story_rice))
    await fetch(
        database_url,
        "UPDATE user_stories SET story_points = 3, sprint_number = 2, status = 'ready' WHERE story_id = $1",
        dose["story_id"],
    )
    story_bug = await create_bug(
        pm,
        title="Dose screen freezes",
        links=[
            {"entity_type": "story", "entity_id": dose["story_id"]},
            {"entity_type": "feature", "entity_id": ward["feature_id"]},
        ],
    )
    epic_bug = await bug_linked_to(pm, epic=epic_id)
    unlinked = await create_bug(pm, title="Login slow")
    deleted = await bug_linked_to(pm, epic=epic_id)
    assert (await pm.delete(f"/api/bugs/{deleted['bug_id']}")).status_code in (200, 204)
    return Tree(
        epic_id=epic_id,
        feature_ids=[ward["feature_id"], sync["feature_id"]],
        story_ids=[dose["story_id"], formula["story_id"]],
        story_bug_id=story_bug["bug_id"],
        epic_bug_id=epic_bug["bug_id"],
        unlinked_bug_id=unlinked["bug_id"],
    )


async def export(user: User, epic_id: str, file_format: str, include_bugs: bool = True):  # type: ignore[no-untyped-def]
    return await user.post(
        "/api/export/file", json={"epic_id": epic_id, "format": file_format, "include_bugs": include_bugs}
    )


async def exported_bytes(user: User, epic_id: str, file_format: str, include_bugs: bool = True) -> bytes:
    response = await export(user, epic_id, file_format, include_bugs)
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_data()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    """The file as the csv module reads it back (the BOM checked and removed); repeated headers (Jira's
    Labels) are joined with `|`."""
    assert data.startswith("\ufeff".encode())
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header, *rows = list(reader)
    out = []
    for row in rows:
        record: dict[str, str] = {}
        for name, cell in zip(header, row, strict=True):
            record[name] = f"{record[name]}|{cell}" if name in record else cell
        out.append(record)
    return out
