"""What an epic's tree becomes in Azure DevOps: one work item per epic, feature, story and bug, with
exactly the fields Azure DevOps will hold (the push hash covers them) and its parent.

Epic <- Feature <- User Story; a bug goes under a story of the push it is linked to, else under a
linked feature, else under the epic. Rich text is escaped HTML (Azure DevOps renders these fields as
HTML, so a title like `<script>` must arrive as text).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jarlpm.export.mappings import ADO_PRIORITIES, ADO_SEVERITIES
from jarlpm.export.tree import Bug, Epic, ExportTree, Feature, Story
from jarlpm.integrations.push import Item

DEFAULT_TYPES = {"epic": "Epic", "feature": "Feature", "story": "User Story", "bug": "Bug"}
DEFAULT_POINTS_FIELD = "Microsoft.VSTS.Scheduling.StoryPoints"
TITLE_MAX_CHARS = 255
JARLPM_TAG = "jarlpm"

TITLE = "System.Title"
DESCRIPTION = "System.Description"
ACCEPTANCE_CRITERIA = "Microsoft.VSTS.Common.AcceptanceCriteria"
PRIORITY = "Microsoft.VSTS.Common.Priority"
SEVERITY = "Microsoft.VSTS.Common.Severity"
REPRO_STEPS = "Microsoft.VSTS.TCM.ReproSteps"
TAGS = "System.Tags"
AREA_PATH = "System.AreaPath"
ITERATION_PATH = "System.IterationPath"


@dataclass(frozen=True)
class Options:
    """How the user set the integration up, and where this push goes."""

    project: str
    area_path: str | None = None
    iteration_path: str | None = None
    story_points_field: str = DEFAULT_POINTS_FIELD
    tag_policy: str = "add"
    types: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TYPES))

    def type_of(self, entity_type: str) -> str:
        return self.types.get(entity_type) or DEFAULT_TYPES[entity_type]


def _text(value: str | None) -> str:
    return html.escape(value or "").replace("\n", "<br>")


def _section(heading: str, value: str | None) -> str:
    return f"<h3>{html.escape(heading)}</h3><p>{_text(value)}</p>" if value else ""


def _list(entries: Iterable[str]) -> str:
    items = "".join(f"<li>{_text(entry)}</li>" for entry in entries if entry)
    return f"<ul>{items}</ul>" if items else ""


def _priority(raw: str | None) -> int | None:
    value = ADO_PRIORITIES.get(raw or "")
    return int(value) if value else None


def _common(options: Options, title: str, labels: Iterable[str] = ()) -> dict[str, Any]:
    fields: dict[str, Any] = {TITLE: title[:TITLE_MAX_CHARS]}
    if options.tag_policy == "add":
        fields[TAGS] = "; ".join(dict.fromkeys([JARLPM_TAG, *(label.replace(";", ",") for label in labels)]))
    if options.area_path:
        fields[AREA_PATH] = options.area_path
    if options.iteration_path:
        fields[ITERATION_PATH] = options.iteration_path
    return fields


def _without_empty(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value not in (None, "")}


def epic_fields(epic: Epic, options: Options) -> dict[str, Any]:
    description = (
        _section("Summary", epic.summary)
        + _section("Problem", epic.problem_statement)
        + _section("Desired outcome", epic.desired_outcome)
    )
    return _without_empty(
        {
            **_common(options, epic.title),
            DESCRIPTION: description,
            ACCEPTANCE_CRITERIA: _list(epic.acceptance_criteria),
            PRIORITY: _priority(epic.moscow),
        }
    )


def feature_fields(feature: Feature, options: Options) -> dict[str, Any]:
    return _without_empty(
        {
            **_common(options, feature.title),
            DESCRIPTION: f"<p>{_text(feature.description)}</p>" if feature.description else "",
            ACCEPTANCE_CRITERIA: _list(feature.acceptance_criteria),
            PRIORITY: _priority(feature.moscow),
        }
    )


def story_fields(story: Story, options: Options) -> dict[str, Any]:
    return _without_empty(
        {
            **_common(options, story.name, story.labels),
            DESCRIPTION: f"<p>{_text(story.story_text)}</p>",
            ACCEPTANCE_CRITERIA: _list(story.acceptance_criteria),
            PRIORITY: _priority(story.priority),
            options.story_points_field: story.points,
        }
    )


def bug_fields(bug: Bug, options: Options) -> dict[str, Any]:
    repro = (
        _section("Description", bug.description)
        + _section("Steps to reproduce", bug.steps_to_reproduce)
        + _section("Expected behavior", bug.expected_behavior)
        + _section("Actual behavior", bug.actual_behavior)
        + _section("Environment", bug.environment)
    )
    return _without_empty(
        {
            **_common(options, bug.title),
            REPRO_STEPS: repro,
            SEVERITY: ADO_SEVERITIES.get(bug.severity),
            PRIORITY: _priority(bug.priority),
        }
    )


def _bug_parent(bug: Bug, epic_id: str, pushed: set[str], feature_of: Mapping[str, str]) -> str:
    """The story the bug is linked to, else (that story's or a linked) feature, else the epic."""
    for kind in ("story", "feature"):
        for link in bug.links:
            if link.entity_type == "story" and link.entity_id in feature_of:
                target = link.entity_id if kind == "story" else feature_of[link.entity_id]
            elif link.entity_type == "feature" and kind == "feature":
                target = link.entity_id
            else:
                continue
            if target in pushed:
                return target
    return epic_id


def items_of(tree: ExportTree, options: Options, *, push_scope: str, include_bugs: bool) -> list[Item]:
    """The work items a push holds, parents before children, in the tree's order."""
    epic = tree.epic
    items = [Item("epic", epic.epic_id, epic.title, None, epic_fields(epic, options))]
    with_features = push_scope != "epic_only"
    with_stories = push_scope in ("epic_features_stories", "full")
    feature_of: dict[str, str] = {}
    for feature in tree.features if with_features else ():
        items.append(Item("feature", feature.feature_id, feature.title, epic.epic_id, feature_fields(feature, options)))
        for story in feature.stories:
            feature_of[story.story_id] = feature.feature_id
            if with_stories:
                items.append(
                    Item("story", story.story_id, story.name, feature.feature_id, story_fields(story, options))
                )
    if include_bugs:
        pushed = {item.entity_id for item in items}
        for bug in tree.bugs:
            parent = _bug_parent(bug, epic.epic_id, pushed, feature_of)
            items.append(Item("bug", bug.bug_id, bug.title, parent, bug_fields(bug, options)))
    return items
