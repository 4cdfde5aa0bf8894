"""The library's pure rules: the derived status, which archive flag a status asks for, search patterns,
taglines and copy titles."""

from __future__ import annotations

import pytest

from jarlpm.db.search import contains_pattern
from jarlpm.epics.tables import EPIC_STAGES
from jarlpm.initiatives import rules


@pytest.mark.parametrize(
    ("stage", "shown"),
    [
        ("problem_capture", "draft"),
        ("problem_confirmed", "draft"),
        ("outcome_capture", "draft"),
        ("outcome_confirmed", "draft"),
        ("epic_drafted", "active"),
        ("epic_locked", "completed"),
    ],
)
def test_the_stage_decides_the_status_unless_archived(stage: str, shown: str) -> None:
    assert rules.display_status(stage, False) == shown
    assert rules.display_status(stage, True) == "archived"


def test_every_stage_has_a_status_and_each_filter_keeps_its_stages() -> None:
    assert set(rules.STAGE_STATUS) == set(EPIC_STAGES)
    assert rules.stages_with_status("draft") == list(EPIC_STAGES[:4])
    assert rules.stages_with_status("completed") == ["epic_locked"]
    assert rules.stages_with_status("archived") is None and rules.stages_with_status(None) is None


def test_a_status_is_reached_by_the_archive_flag_or_not_at_all() -> None:
    assert rules.archived_for("problem_capture", "archived") is True
    assert rules.archived_for("epic_locked", "completed") is False
    assert rules.archived_for("epic_drafted", "active") is False
    assert rules.archived_for("problem_capture", "completed") is None
    assert rules.archived_for("epic_locked", "draft") is None  # stages never go back


@pytest.mark.parametrize(
    ("search", "pattern"),
    [
        ("nurse", "%nurse%"),
        ("  nurse ", "%nurse%"),
        ("100%", "%100\\%%"),
        ("a_b", "%a\\_b%"),
        ("C:\\temp", "%C:\\\\temp%"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_search_text_is_matched_literally_anywhere(search: str | None, pattern: str | None) -> None:
    assert contains_pattern(search) == pattern


def test_taglines_and_previews_cut_long_problems() -> None:
    assert rules.tagline(None) is None
    assert rules.tagline("x" * 100) == "x" * 100
    assert rules.tagline("x" * 101) == "x" * 100 + "..."
    assert rules.problem_preview("y" * 250) == "y" * 200


def test_a_copy_is_named_as_asked_or_after_its_original_within_the_column() -> None:
    assert rules.copy_title("Ward entry", None) == "Ward entry (Copy)"
    assert rules.copy_title("Ward entry", "  ") == "Ward entry (Copy)"
    assert rules.copy_title("Ward entry", " Second go ") == "Second go"
    long_copy = rules.copy_title("t" * 500, None)
    assert len(long_copy) == rules.TITLE_LENGTH and long_copy.endswith(" (Copy)")
