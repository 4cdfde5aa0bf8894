"""What each tracker's CSV importer receives: the one definition of the columns, read by the CSV writers
and by GET /export/field-mappings, so the documented mapping is always the file's.

Jira Cloud (CSV importer): one row per issue, parents before children (epics, then standard issue
types, then sub-tasks); `Issue Id` numbers the rows of this file and `Parent` names the parent's
`Issue Id`. JarlPM's epic is an Epic, a feature a Story, a user story a Sub-task of its feature, and a
bug a Bug under the epic. A multi-valued Labels field is one `Labels` column per label.

Azure DevOps (Boards > Queries > Import work items): new items have an empty `ID`; the hierarchy is
given by the title column a row fills (`Title 1` epic, `Title 2` feature or bug, `Title 3` user
story), each row under the nearest row above it one level up. Imported items start in the process's
first state, so no State column is sent (Agile process field names: Story Points, Acceptance
Criteria, Repro Steps, Severity). Rich-text fields are written as escaped HTML.

Both trackers take at most 255 characters of title, so longer titles are cut there (with `…`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from jarlpm.export.tree import Bug, Epic, Feature, Rice, Story
from jarlpm.scoring import rules as scoring

Kind = Literal["epic", "feature", "user_story", "bug"]
KINDS: tuple[Kind, ...] = ("epic", "feature", "user_story", "bug")
Item = Epic | Feature | Story | Bug

JIRA_ISSUE_TYPES: dict[Kind, str] = {"epic": "Epic", "feature": "Story", "user_story": "Sub-task", "bug": "Bug"}
ADO_WORK_ITEM_TYPES: dict[Kind, str] = {"epic": "Epic", "feature": "Feature", "user_story": "User Story", "bug": "Bug"}
ADO_LEVELS: dict[Kind, int] = {"epic": 1, "feature": 2, "user_story": 3, "bug": 2}
PREVIEW_TYPES: dict[Kind, str] = {"epic": "Epic", "feature": "Feature", "user_story": "User Story", "bug": "Bug"}

# MoSCoW (epics, features), the story's own priority, and the bug's p0..p3 on each tracker's scale.
JIRA_PRIORITIES = {
    "must_have": "High",
    "should_have": "Medium",
    "could_have": "Low",
    "wont_have": "Lowest",
    "must-have": "High",
    "should-have": "Medium",
    "nice-to-have": "Low",
    "p0": "Highest",
    "p1": "High",
    "p2": "Medium",
    "p3": "Low",
}
ADO_PRIORITIES = {
    "must_have": "1",
    "should_have": "2",
    "could_have": "3",
    "wont_have": "4",
    "must-have": "1",
    "should-have": "2",
    "nice-to-have": "3",
    "p0": "1",
    "p1": "2",
    "p2": "3",
    "p3": "4",
}
ADO_SEVERITIES = {"critical": "1 - Critical", "high": "2 - High", "medium": "3 - Medium", "low": "4 - Low"}


def rice_text(rice: Rice | None) -> str | None:
    if rice is None:
        return None
    impact = scoring.impact_label(rice.impact)
    confidence = scoring.confidence_label(rice.confidence)
    return (
        f"{rice.total:g} (reach {rice.reach}, impact {rice.impact:g}{f' {impact}' if impact else ''}, "
        f"confidence {rice.confidence:g}{f' {confidence}' if confidence else ''}, effort {rice.effort:g})"
    )


def links_text(bug: Bug) -> str:
    return ", ".join(f"{link.entity_type} {link.entity_id}" for link in bug.links)


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


# The composed description: (name, value, the Azure DevOps column it goes to instead of Description).
SectionValue = str | tuple[str, ...] | None


@dataclass(frozen=True)
class Section:
    name: str
    value: Callable[[Any], SectionValue]
    ado_column: str | None = None


SECTIONS: dict[Kind, tuple[Section, ...]] = {
    "epic": (
        Section("Problem", lambda e: e.problem_statement),
        Section("Desired outcome", lambda e: e.desired_outcome),
        Section("Summary", lambda e: e.summary),
        Section("Acceptance criteria", lambda e: e.acceptance_criteria, "Acceptance Criteria"),
        Section("MoSCoW", lambda e: scoring.moscow_label(e.moscow)),
        Section("Stage", lambda e: e.stage),
    ),
    "feature": (
        Section("Description", lambda f: f.description),
        Section("Acceptance criteria", lambda f: f.acceptance_criteria, "Acceptance Criteria"),
        Section("MoSCoW", lambda f: scoring.moscow_label(f.moscow)),
        Section("RICE", lambda f: rice_text(f.rice)),
        Section("Stage", lambda f: f.stage),
    ),
    "user_story": (
        Section("Story", lambda s: s.story_text),
        Section("Acceptance criteria", lambda s: s.acceptance_criteria, "Acceptance Criteria"),
        Section("Priority", lambda s: s.priority),
        Section("RICE", lambda s: rice_text(s.rice)),
        Section("Stage", lambda s: s.stage),
        Section("Sprint", lambda s: _text(s.sprint_number)),
        Section("Status", lambda s: s.status),
    ),
    "bug": (
        Section("Description", lambda b: b.description),
        Section("Steps to reproduce", lambda b: b.steps_to_reproduce, "Repro Steps"),
        Section("Expected behavior", lambda b: b.expected_behavior, "Repro Steps"),
        Section("Actual behavior", lambda b: b.actual_behavior, "Repro Steps"),
        Section("Environment", lambda b: b.environment, "Repro Steps"),
        Section("Severity", lambda b: b.severity),
        Section("Status", lambda b: b.status),
        Section("RICE", lambda b: rice_text(b.rice)),
        Section("Linked to", links_text),
    ),
}


def _filled(kind: Kind, item: Item, ado_column: str | None, *, every: bool) -> list[tuple[str, str | tuple[str, ...]]]:
    """The sections of `item` that have a value: all of them (`every`), or those of one ADO column."""
    found = []
    for section in SECTIONS[kind]:
        if not every and section.ado_column != ado_column:
            continue
        value = section.value(item)
        if value:
            found.append((section.name, value))
    return found


def plain_text(kind: Kind, item: Item) -> str:
    """Every section as plain text (Jira's Description): a bold name line, then the text or a list."""
    parts = []
    for name, value in _filled(kind, item, None, every=True):
        body = "\n".join(f"* {line}" for line in value) if isinstance(value, tuple) else value
        parts.append(f"*{name}*\n{body}")
    return "\n\n".join(parts)


def _html_value(value: str | tuple[str, ...]) -> str:
    if isinstance(value, tuple):
        return "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in value) + "</ul>"
    return "<p>" + html.escape(value).replace("\n", "<br>") + "</p>"


def html_text(kind: Kind, item: Item, ado_column: str | None) -> str:
    """The sections bound for one Azure DevOps rich-text column, as escaped HTML."""
    sections = _filled(kind, item, ado_column, every=False)
    if ado_column == "Acceptance Criteria":  # the column is the list itself
        return "".join(_html_value(value) for _, value in sections)
    return "".join(f"<p><b>{html.escape(name)}</b></p>{_html_value(value)}" for name, value in sections)


def description_sections() -> dict[str, dict[Kind, list[str]]]:
    return {
        "jira": {kind: [section.name for section in SECTIONS[kind]] for kind in KINDS},
        "azure_devops": {
            kind: [section.name for section in SECTIONS[kind] if section.ado_column is None] for kind in KINDS
        },
    }


# Columns: each names what fills it for each kind of row (absent: the cell stays empty for that kind).


@dataclass(frozen=True)
class Place:
    """Where a row sits in the file: its Jira issue id and its parent's."""

    issue_id: int
    parent_id: int | None


Cell = Callable[[Any, Place], "str | list[str]"]


@dataclass(frozen=True)
class Field:
    source: str
    cell: Cell


@dataclass(frozen=True)
class Column:
    header: str
    fields: Mapping[Kind, Field]
    repeated: bool = False  # one column per value (Jira's Labels)


def _every(source: str, cell: Cell, kinds: tuple[Kind, ...] = KINDS) -> dict[Kind, Field]:
    return {kind: Field(source, cell) for kind in kinds}


def _priority(scale: dict[str, str], value: str | None) -> str:
    return scale.get(value or "", "")


def _jira_label(label: str) -> str:
    return "_".join(label.split())  # Jira labels cannot hold spaces


def _ado_tag(label: str) -> str:
    return label.replace(";", ",")  # `;` separates Azure DevOps tags


def _constant(value: str) -> Cell:
    return lambda item, place: value


def _plain(kind: Kind) -> Cell:
    return lambda item, place: plain_text(kind, item)


def _html(kind: Kind, ado_column: str | None) -> Cell:
    return lambda item, place: html_text(kind, item, ado_column)


MAX_TITLE = 255  # both trackers refuse a longer summary / title; JarlPM titles may hold 500


def _fit(text: str) -> str:
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def _title(kind: Kind) -> Cell:
    if kind == "user_story":
        return lambda story, place: _fit(story.name)
    return lambda item, place: _fit(item.title)


JIRA_COLUMNS: tuple[Column, ...] = (
    Column("Issue Id", _every("row number in this file", lambda item, place: str(place.issue_id))),
    Column(
        "Parent",
        {
            "feature": Field("the epic's Issue Id", lambda item, place: str(place.parent_id)),
            "user_story": Field("its feature's Issue Id", lambda item, place: str(place.parent_id)),
            "bug": Field("the epic's Issue Id", lambda item, place: str(place.parent_id)),
        },
    ),
    Column(
        "Issue Type",
        {kind: Field(f"'{JIRA_ISSUE_TYPES[kind]}'", _constant(JIRA_ISSUE_TYPES[kind])) for kind in KINDS},
    ),
    Column(
        "Summary",
        {
            "epic": Field("title", _title("epic")),
            "feature": Field("title", _title("feature")),
            "user_story": Field("title, or the story text when it has none", _title("user_story")),
            "bug": Field("title", _title("bug")),
        },
    ),
    Column(
        "Description",
        {kind: Field("composed description (see description.jira)", _plain(kind)) for kind in KINDS},
    ),
    Column(
        "Priority",
        {
            "epic": Field(
                "MoSCoW: must→High, should→Medium, could→Low, won't→Lowest",
                lambda e, p: _priority(JIRA_PRIORITIES, e.moscow),
            ),
            "feature": Field(
                "MoSCoW: must→High, should→Medium, could→Low, won't→Lowest",
                lambda f, p: _priority(JIRA_PRIORITIES, f.moscow),
            ),
            "user_story": Field(
                "story priority: must-have→High, should-have→Medium, nice-to-have→Low",
                lambda s, p: _priority(JIRA_PRIORITIES, s.priority),
            ),
            "bug": Field(
                "priority: p0→Highest, p1→High, p2→Medium, p3→Low", lambda b, p: _priority(JIRA_PRIORITIES, b.priority)
            ),
        },
    ),
    Column(
        "Labels",
        {
            "user_story": Field(
                "labels (spaces become _), one Labels column each",
                lambda s, p: [_jira_label(label) for label in s.labels],
            )
        },
        repeated=True,
    ),
    Column("Story Points", {"user_story": Field("story points", lambda s, p: _text(s.points) or "")}),
)


def _ado_title(level: int) -> dict[Kind, Field]:
    kinds = [kind for kind in KINDS if ADO_LEVELS[kind] == level]
    source = {1: "epic title", 2: "feature or bug title", 3: "story title, or the story text when it has none"}[level]
    return {kind: Field(source, _title(kind)) for kind in kinds}


ADO_COLUMNS: tuple[Column, ...] = (
    Column("ID", _every("empty: new work items", lambda item, place: "")),
    Column(
        "Work Item Type",
        {kind: Field(f"'{ADO_WORK_ITEM_TYPES[kind]}'", _constant(ADO_WORK_ITEM_TYPES[kind])) for kind in KINDS},
    ),
    Column("Title 1", _ado_title(1)),
    Column("Title 2", _ado_title(2)),
    Column("Title 3", _ado_title(3)),
    Column(
        "Description",
        {
            kind: Field(
                "composed description as HTML (see description.azure_devops)",
                _html(kind, None),
            )
            for kind in KINDS
        },
    ),
    Column(
        "Acceptance Criteria",
        {
            kind: Field(
                "acceptance criteria as an HTML list",
                _html(kind, "Acceptance Criteria"),
            )
            for kind in ("epic", "feature", "user_story")
        },
    ),
    Column(
        "Repro Steps",
        {
            "bug": Field(
                "steps to reproduce, expected, actual, environment as HTML",
                lambda b, p: html_text("bug", b, "Repro Steps"),
            )
        },
    ),
    Column("Story Points", {"user_story": Field("story points", lambda s, p: _text(s.points) or "")}),
    Column(
        "Priority",
        {
            "epic": Field(
                "MoSCoW: must→1, should→2, could→3, won't→4", lambda e, p: _priority(ADO_PRIORITIES, e.moscow)
            ),
            "feature": Field(
                "MoSCoW: must→1, should→2, could→3, won't→4", lambda f, p: _priority(ADO_PRIORITIES, f.moscow)
            ),
            "user_story": Field(
                "story priority: must-have→1, should-have→2, nice-to-have→3",
                lambda s, p: _priority(ADO_PRIORITIES, s.priority),
            ),
            "bug": Field("priority: p0→1, p1→2, p2→3, p3→4", lambda b, p: _priority(ADO_PRIORITIES, b.priority)),
        },
    ),
    Column(
        "Severity",
        {
            "bug": Field(
                "severity: critical→1 - Critical … low→4 - Low", lambda b, p: ADO_SEVERITIES.get(b.severity, "")
            )
        },
    ),
    Column(
        "Tags",
        {
            "user_story": Field(
                "labels, separated by '; '", lambda s, p: "; ".join(_ado_tag(label) for label in s.labels)
            )
        },
    ),
)


def _tracker(columns: tuple[Column, ...], types: dict[Kind, str]) -> dict[Kind, dict[str, Any]]:
    return {
        kind: {
            "issue_type": types[kind],
            "fields": {column.header: column.fields[kind].source for column in columns if kind in column.fields},
        }
        for kind in KINDS
    }


def field_mappings() -> dict[str, Any]:
    """GET /export/field-mappings: read from the same column definitions the writers use."""
    return {
        "jira": _tracker(JIRA_COLUMNS, JIRA_ISSUE_TYPES),
        "azure_devops": _tracker(ADO_COLUMNS, ADO_WORK_ITEM_TYPES),
        "description": description_sections(),
        "columns": {
            "jira": [column.header for column in JIRA_COLUMNS],
            "azure_devops": [column.header for column in ADO_COLUMNS],
        },
    }
