"""The pure parts: which organisation a URL names, and where each work item hangs."""

from __future__ import annotations

import pytest

from jarlpm.errors import APIError
from jarlpm.export.tree import Bug, Epic, ExportTree, Feature, Link, Story
from jarlpm.integrations.azure_devops.client import normalize_organization_url, organization_name
from jarlpm.integrations.azure_devops.items import Options, items_of


@pytest.mark.parametrize(
    ("raw", "normalized", "name"),
    [
        ("fabrikam", "https://dev.azure.com/fabrikam", "fabrikam"),
        (" https://dev.azure.com/fabrikam/Ward%20App/_boards/ ", "https://dev.azure.com/fabrikam", "fabrikam"),
        ("https://fabrikam.visualstudio.com/DefaultCollection", "https://fabrikam.visualstudio.com", "fabrikam"),
        ("https://tfs.example.org/tfs/Main/", "https://tfs.example.org/tfs/Main", "Main"),
    ],
)
def test_an_organization_url_is_normalized(raw: str, normalized: str, name: str) -> None:
    assert normalize_organization_url(raw) == normalized
    assert organization_name(normalized) == name


@pytest.mark.parametrize("raw", ["https://dev.azure.com", "file:///etc/passwd", "https://user:pw@dev.azure.com/x"])
def test_an_unusable_organization_url_is_a_400(raw: str) -> None:
    with pytest.raises(APIError) as refused:
        normalize_organization_url(raw)
    assert refused.value.status == 400 and refused.value.code == "INVALID_ORGANIZATION_URL"


def _story(story_id: str) -> Story:
    return Story(
        story_id,
        None,
        "nurse",
        "record",
        "save time",
        f"As a nurse {story_id}",
        (),
        (),
        None,
        None,
        "draft",
        None,
        None,
        None,
    )


def _bug(bug_id: str, *links: tuple[str, str]) -> Bug:
    return Bug(
        bug_id,
        bug_id,
        "d",
        "high",
        None,
        "new",
        None,
        None,
        None,
        None,
        None,
        tuple(Link(kind, target) for kind, target in links),
    )


TREE = ExportTree(
    epic=Epic("e1", "Epic", "epic_locked", None, None, None, None, ()),
    features=(Feature("f1", "Feature", "d", (), "approved", None, None, (_story("s1"),)),),
    bugs=(_bug("b_story", ("story", "s1")), _bug("b_feature", ("feature", "f1")), _bug("b_epic", ("epic", "e1"))),
)


@pytest.mark.parametrize(
    ("scope", "parents"),
    [
        ("full", {"b_story": "s1", "b_feature": "f1", "b_epic": "e1"}),
        ("epic_features", {"b_story": "f1", "b_feature": "f1", "b_epic": "e1"}),
        ("epic_only", {"b_story": "e1", "b_feature": "e1", "b_epic": "e1"}),
    ],
)
def test_a_bug_hangs_under_what_it_is_linked_to_that_is_pushed(scope: str, parents: dict[str, str]) -> None:
    items = items_of(TREE, Options(project="P", tag_policy="none"), push_scope=scope, include_bugs=True)
    assert {item.entity_id: item.parent_id for item in items if item.entity_type == "bug"} == parents
    assert all("System.Tags" not in item.fields for item in items)
