"""What an epic tree becomes in Jira: one issue per entity, its fields (descriptions in Atlassian
Document Format) and its parent. Pure functions: no I/O.

The hierarchy. Jira Cloud has three levels, in team-managed and company-managed projects alike: Epic
(1) above Story, Task and Bug (0) above Sub-task (-1), and the `parent` field may only point one level
up. Features become Tasks and stories Stories by default, which sit on the same level, so a story's
Jira parent is the epic, not its feature; its feature is named at the top of its description. When the
user maps stories to a sub-task type, the story's parent is its feature's issue instead (a Sub-task
needs a parent on level 0). Features and bugs always hang under the epic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jarlpm.export.tree import Bug, Epic, ExportTree, Feature, Story
from jarlpm.integrations.push import Item

DEFAULT_ISSUE_TYPES = {"epic": "Epic", "feature": "Task", "story": "Story", "bug": "Bug"}
SUMMARY_MAX_CHARS = 255
LABEL_MAX_CHARS = 255
SCOPES_WITH_FEATURES = ("epic_features", "epic_features_stories", "full")
SCOPES_WITH_STORIES = ("epic_features_stories", "full")


def browse_url(site_url: str, key: str) -> str:
    """An issue's page on its site (the original built it from the cloud id, a UUID: a dead link)."""
    return f"{site_url.rstrip('/')}/browse/{key}"


def is_subtask_type(name: str) -> bool:
    return re.sub(r"[\s_-]", "", name).lower() == "subtask"


@dataclass(frozen=True)
class FieldMappings:
    """The user's Jira settings for a push (PUT /configure), with their defaults."""

    issue_types: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ISSUE_TYPES))
    story_points_field: str | None = None
    epic_link_field: str | None = None
    label_prefix: str | None = None

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> FieldMappings:
        stored = stored or {}
        chosen = stored.get("issue_type_mapping") or {}
        types = {kind: str(chosen.get(kind) or default) for kind, default in DEFAULT_ISSUE_TYPES.items()}
        return cls(
            issue_types=types,
            story_points_field=stored.get("story_points_field"),
            epic_link_field=stored.get("epic_link_field"),
            label_prefix=stored.get("label_prefix"),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "issue_type_mapping": dict(self.issue_types),
            "story_points_field": self.story_points_field,
            "epic_link_field": self.epic_link_field,
            "label_prefix": self.label_prefix,
        }

    def issue_type(self, entity_type: str) -> str:
        return self.issue_types[entity_type]

    @property
    def stories_are_subtasks(self) -> bool:
        return is_subtask_type(self.issue_type("story"))


# --- Atlassian Document Format ------------------------------------------------------------------


def _inline(text: str) -> list[dict[str, Any]]:
    """Text with its line breaks kept as hard breaks (ADF text nodes must not be empty)."""
    nodes: list[dict[str, Any]] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            nodes.append({"type": "hardBreak"})
        if line:
            nodes.append({"type": "text", "text": line})
    return nodes


def paragraphs(text: str | None) -> list[dict[str, Any]]:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))]
    return [{"type": "paragraph", "content": _inline(block)} for block in blocks if block]


def heading(text: str) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": text}]}


def bullets(lines: Iterable[str]) -> list[dict[str, Any]]:
    items = [
        {"type": "listItem", "content": [{"type": "paragraph", "content": _inline(line.strip())}]}
        for line in lines
        if line and line.strip()
    ]
    return [{"type": "bulletList", "content": items}] if items else []


def section(title: str, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [heading(title), *blocks] if blocks else []


def document(*blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": [block for group in blocks for block in group]}


# --- fields -------------------------------------------------------------------------------------


def summary(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:SUMMARY_MAX_CHARS] or "Untitled"


def labels(raw: Iterable[str], prefix: str | None) -> list[str]:
    """Story labels as Jira takes them (no whitespace), each with the prefix, without repeats."""
    found: list[str] = []
    for label in raw:
        cleaned = re.sub(r"\s+", "-", label.strip())
        if not cleaned:
            continue
        value = f"{prefix or ''}{cleaned}"[:LABEL_MAX_CHARS]
        if value not in found:
            found.append(value)
    return found


def _epic_fields(epic: Epic) -> dict[str, Any]:
    description = document(
        paragraphs(epic.summary),
        section("Problem", paragraphs(epic.problem_statement)),
        section("Desired outcome", paragraphs(epic.desired_outcome)),
        section("Acceptance criteria", bullets(epic.acceptance_criteria)),
    )
    return {"summary": summary(epic.title), "description": description}


def _feature_fields(feature: Feature) -> dict[str, Any]:
    description = document(
        paragraphs(feature.description), section("Acceptance criteria", bullets(feature.acceptance_criteria))
    )
    return {"summary": summary(feature.title), "description": description}


def _story_fields(story: Story, feature: Feature, mappings: FieldMappings) -> dict[str, Any]:
    # Under the epic (the default), the feature a story belongs to is only visible here.
    context = [] if mappings.stories_are_subtasks else paragraphs(f"Feature: {feature.title}")
    description = document(
        context, paragraphs(story.story_text), section("Acceptance criteria", bullets(story.acceptance_criteria))
    )
    fields: dict[str, Any] = {
        "summary": summary(story.name),
        "description": description,
        "labels": labels(story.labels, mappings.label_prefix),
    }
    if mappings.story_points_field and story.points is not None:
        fields[mappings.story_points_field] = story.points
    return fields


def _bug_fields(bug: Bug) -> dict[str, Any]:
    description = document(
        paragraphs(bug.description),
        section("Steps to reproduce", paragraphs(bug.steps_to_reproduce)),
        section("Expected behaviour", paragraphs(bug.expected_behavior)),
        section("Actual behaviour", paragraphs(bug.actual_behavior)),
        section("Environment", paragraphs(bug.environment)),
        paragraphs(f"Severity: {bug.severity}"),
    )
    return {"summary": summary(bug.title), "description": description}


def items(tree: ExportTree, *, push_scope: str, include_bugs: bool, mappings: FieldMappings) -> list[Item]:
    """The issues a push of `tree` makes, parents first; `parent_id` names the entity whose issue is the
    Jira parent (see the module docstring)."""
    epic = tree.epic
    found = [Item("epic", epic.epic_id, epic.title, None, _epic_fields(epic))]
    if push_scope in SCOPES_WITH_FEATURES:
        for feature in tree.features:
            found.append(Item("feature", feature.feature_id, feature.title, epic.epic_id, _feature_fields(feature)))
    if push_scope in SCOPES_WITH_STORIES:
        for feature in tree.features:
            parent = feature.feature_id if mappings.stories_are_subtasks else epic.epic_id
            for story in feature.stories:
                fields = _story_fields(story, feature, mappings)
                found.append(Item("story", story.story_id, story.name, parent, fields))
    if include_bugs:
        for bug in tree.bugs:
            found.append(Item("bug", bug.bug_id, bug.title, epic.epic_id, _bug_fields(bug)))
    return found


def feature_of_story(tree: ExportTree) -> dict[str, str]:
    return {story.story_id: feature.feature_id for feature in tree.features for story in feature.stories}
