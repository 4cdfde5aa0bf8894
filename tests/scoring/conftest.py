"""What the scoring tests score: one tree of pm's, built through the API as a user would."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from tests.builders import add_story, approved_feature, bug_linked_to, create_bug, create_feature, standalone_story


class Scorable(NamedTuple):
    """pm's locked epic with an approved feature (its story approved too) and a draft feature, a
    standalone story, a bug linked to the epic's story and a bug linked to nothing."""

    epic_id: str
    feature_id: str
    draft_feature_id: str
    story_id: str
    standalone_story_id: str
    bug_id: str
    standalone_bug_id: str


@pytest.fixture
async def tree(pm, epic_id) -> Scorable:  # type: ignore[no-untyped-def]
    feature = await approved_feature(pm, epic_id)
    draft = await create_feature(pm, epic_id, title="Pharmacy sync", description="Doses flow to pharmacy.")
    story = await add_story(pm, feature["feature_id"], title="Record a dose")
    assert (await pm.post(f"/api/stories/{story['story_id']}/approve")).status_code == 200
    return Scorable(
        epic_id=epic_id,
        feature_id=feature["feature_id"],
        draft_feature_id=draft["feature_id"],
        story_id=story["story_id"],
        standalone_story_id=(await standalone_story(pm, title="Export doses"))["story_id"],
        bug_id=(await bug_linked_to(pm, story=story["story_id"]))["bug_id"],
        standalone_bug_id=(await create_bug(pm, title="Login slow"))["bug_id"],
    )
