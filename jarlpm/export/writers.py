"""The four file formats, each written as a sequence of text pieces (about one per feature) so a large
epic reaches the client piece by piece instead of as one giant string.

Pure: a tree in, text out; no I/O.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from jarlpm.export.mappings import ADO_COLUMNS, JIRA_COLUMNS, Column, Item, Kind, Place, rice_text
from jarlpm.export.tree import Bug, ExportTree, Feature, Rice, Story
from jarlpm.scoring import rules as scoring

BOM = "\ufeff"
# A spreadsheet reads a cell starting with one of these as a formula (or strips it into one); the
# full-width forms count too, as some locales' spreadsheets accept them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
ROWS_PER_PIECE = 50  # Jira's rows go out in chunks: its file is ordered by level, not by feature


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet will not evaluate: a leading formula character gets a `'` before it
    (so "-5% churn" is written as "'-5% churn" too: spreadsheets then show it as typed)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Rows:
    """csv.writer over a buffer that is emptied each time a piece is taken."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def write(self, cells: list[str]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in cells])

    def take(self) -> str:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


def _widths(columns: tuple[Column, ...], rows: list[tuple[Kind, Item, Place]]) -> list[int]:
    """How many CSV columns each definition takes: one, or one per value of the fullest row (at least one)."""
    widths = []
    for column in columns:
        width = 1
        if column.repeated:
            for kind, item, place in rows:
                if kind in column.fields:
                    width = max(width, len(column.fields[kind].cell(item, place)))
        widths.append(width)
    return widths


def _cells(columns: tuple[Column, ...], widths: list[int], kind: Kind, item: Item, place: Place) -> list[str]:
    cells: list[str] = []
    for column, width in zip(columns, widths, strict=True):
        value: str | list[str] = column.fields[kind].cell(item, place) if kind in column.fields else ""
        values = value if isinstance(value, list) else [value]
        cells.extend(values + [""] * (width - len(values)))
    return cells


def _header(columns: tuple[Column, ...], widths: list[int]) -> list[str]:
    return [column.header for column, width in zip(columns, widths, strict=True) for _ in range(width)]


def _jira_places(tree: ExportTree) -> list[tuple[Kind, Item, Place]]:
    """Every row in the order Jira's importer needs (parents before children: the epic, then the
    standard issue types, then sub-tasks), numbered with its parent's Issue Id."""
    rows: list[tuple[Kind, Item, Place]] = [("epic", tree.epic, Place(1, None))]
    feature_ids: dict[str, int] = {}
    for feature in tree.features:
        feature_ids[feature.feature_id] = len(rows) + 1
        rows.append(("feature", feature, Place(len(rows) + 1, 1)))
    for bug in tree.bugs:
        rows.append(("bug", bug, Place(len(rows) + 1, 1)))
    for feature in tree.features:
        for story in feature.stories:
            rows.append(("user_story", story, Place(len(rows) + 1, feature_ids[feature.feature_id])))
    return rows


def jira_csv(tree: ExportTree) -> Iterator[str]:
    rows = _jira_places(tree)
    widths = _widths(JIRA_COLUMNS, rows)
    out = _Rows()
    out.write(_header(JIRA_COLUMNS, widths))
    yield BOM + out.take()
    for index, (kind, item, place) in enumerate(rows, start=1):
        out.write(_cells(JIRA_COLUMNS, widths, kind, item, place))
        if index % ROWS_PER_PIECE == 0:
            yield out.take()
    yield out.take()


def azure_devops_csv(tree: ExportTree) -> Iterator[str]:
    widths = [1] * len(ADO_COLUMNS)
    out = _Rows()
    nowhere = Place(0, None)  # ADO places rows by their title column, not by ids
    out.write(_header(ADO_COLUMNS, widths))
    out.write(_cells(ADO_COLUMNS, widths, "epic", tree.epic, nowhere))
    yield BOM + out.take()
    for feature in tree.features:
        out.write(_cells(ADO_COLUMNS, widths, "feature", feature, nowhere))
        for story in feature.stories:
            out.write(_cells(ADO_COLUMNS, widths, "user_story", story, nowhere))
        yield out.take()
    for bug in tree.bugs:
        out.write(_cells(ADO_COLUMNS, widths, "bug", bug, nowhere))
    yield out.take()


# JSON: a nested tree with stable keys.


def _rice(rice: Rice | None) -> dict[str, Any] | None:
    return rice.as_dict() if rice else None


def story_json(story: Story) -> dict[str, Any]:
    return {
        "story_id": story.story_id,
        "title": story.title,
        "story_text": story.story_text,
        "persona": story.persona,
        "action": story.action,
        "benefit": story.benefit,
        "acceptance_criteria": list(story.acceptance_criteria),
        "story_points": story.points,
        "priority": story.priority,
        "labels": list(story.labels),
        "rice": _rice(story.rice),
        "stage": story.stage,
        "sprint_number": story.sprint_number,
        "status": story.status,
    }


def feature_json(feature: Feature) -> dict[str, Any]:
    return {
        "feature_id": feature.feature_id,
        "title": feature.title,
        "description": feature.description,
        "acceptance_criteria": list(feature.acceptance_criteria),
        "stage": feature.stage,
        "moscow": feature.moscow,
        "rice": _rice(feature.rice),
        "stories": [story_json(story) for story in feature.stories],
    }


def bug_json(bug: Bug) -> dict[str, Any]:
    return {
        "bug_id": bug.bug_id,
        "title": bug.title,
        "description": bug.description,
        "severity": bug.severity,
        "priority": bug.priority,
        "status": bug.status,
        "steps_to_reproduce": bug.steps_to_reproduce,
        "expected_behavior": bug.expected_behavior,
        "actual_behavior": bug.actual_behavior,
        "environment": bug.environment,
        "rice": _rice(bug.rice),
        "links": [{"entity_type": link.entity_type, "entity_id": link.entity_id} for link in bug.links],
    }


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_document(tree: ExportTree) -> Iterator[str]:
    """{"epic": {..., "features": [...]}, "bugs": [...], "totals": {...}}, one feature per piece."""
    epic = tree.epic
    head = {
        "epic_id": epic.epic_id,
        "title": epic.title,
        "stage": epic.stage,
        "moscow": epic.moscow,
        "problem_statement": epic.problem_statement,
        "desired_outcome": epic.desired_outcome,
        "summary": epic.summary,
        "acceptance_criteria": list(epic.acceptance_criteria),
    }
    yield '{"epic": ' + _dumps(head)[:-1] + ', "features": ['
    for index, feature in enumerate(tree.features):
        yield ("," if index else "") + "\n" + _dumps(feature_json(feature))
    totals = {
        "features": len(tree.features),
        "stories": len(tree.stories),
        "story_points": sum(story.points or 0 for story in tree.stories),
        "bugs": len(tree.bugs),
    }
    bugs = ",".join("\n" + _dumps(bug_json(bug)) for bug in tree.bugs)
    yield "]},\n" + '"bugs": [' + bugs + "],\n" + '"totals": ' + _dumps(totals) + "}\n"


# Markdown: a heading per epic, feature, story and bug; user text escaped so it cannot add structure.

_INLINE_SPECIALS = re.compile(r"([\\`*_{}\[\]<>#|~!])")
_BLOCK_START = re.compile(r"^(\s*)([-+=>])")
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])")


def md_inline(text: str) -> str:
    """One line of user text (a title): newlines folded, Markdown's specials backslash-escaped."""
    return _INLINE_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def md_block(text: str) -> str:
    """Multi-line user text: each line escaped, and a line that would open a list, quote or heading
    underline escaped at its start."""
    lines = []
    for line in text.splitlines():
        escaped = _INLINE_SPECIALS.sub(r"\\\1", line)
        escaped = _BLOCK_START.sub(lambda match: match.group(1) + "\\" + match.group(2), escaped)
        lines.append(_ORDERED_START.sub(lambda match: match.group(1) + "\\" + match.group(2), escaped))
    return "\n".join(lines)


def _fields(pairs: list[tuple[str, object]]) -> str:
    lines = [f"- **{name}:** {md_inline(str(value))}" for name, value in pairs if value not in (None, "", ())]
    return "\n".join(lines) + "\n\n" if lines else ""


def _list(name: str, items: tuple[str, ...]) -> str:
    if not items:
        return ""
    return f"**{name}**\n\n" + "\n".join(f"- {md_inline(item)}" for item in items) + "\n\n"


def _paragraph(name: str, text: str | None) -> str:
    return f"**{name}**\n\n{md_block(text)}\n\n" if text else ""


def _md_story(number: str, story: Story) -> str:
    return (
        f"#### Story {number}: {md_inline(story.name)}\n\n"
        + _paragraph("Story", story.story_text)
        + _fields(
            [
                ("Story points", story.points),
                ("Priority", story.priority),
                ("Labels", ", ".join(story.labels)),
                ("RICE", rice_text(story.rice)),
                ("Stage", story.stage),
                ("Sprint", story.sprint_number),
                ("Status", story.status),
            ]
        )
        + _list("Acceptance criteria", story.acceptance_criteria)
    )


def _md_feature(number: int, feature: Feature) -> str:
    text = (
        f"### Feature {number}: {md_inline(feature.title)}\n\n"
        + _fields(
            [
                ("Stage", feature.stage),
                ("MoSCoW", scoring.moscow_label(feature.moscow)),
                ("RICE", rice_text(feature.rice)),
                ("Stories", len(feature.stories)),
                ("Story points", sum(story.points or 0 for story in feature.stories)),
            ]
        )
        + _paragraph("Description", feature.description)
        + _list("Acceptance criteria", feature.acceptance_criteria)
    )
    return text + "".join(_md_story(f"{number}.{index}", story) for index, story in enumerate(feature.stories, 1))


def _md_bug(bug: Bug) -> str:
    return (
        f"### Bug: {md_inline(bug.title)}\n\n"
        + _fields(
            [
                ("Severity", bug.severity),
                ("Priority", bug.priority),
                ("Status", bug.status),
                ("RICE", rice_text(bug.rice)),
                ("Linked to", ", ".join(f"{link.entity_type} {link.entity_id}" for link in bug.links)),
            ]
        )
        + _paragraph("Description", bug.description)
        + _paragraph("Steps to reproduce", bug.steps_to_reproduce)
        + _paragraph("Expected behavior", bug.expected_behavior)
        + _paragraph("Actual behavior", bug.actual_behavior)
        + _paragraph("Environment", bug.environment)
    )


def markdown_document(tree: ExportTree) -> Iterator[str]:
    epic = tree.epic
    yield (
        f"# Epic: {md_inline(epic.title)}\n\n"
        + _fields(
            [
                ("Stage", epic.stage),
                ("MoSCoW", scoring.moscow_label(epic.moscow)),
                ("Features", len(tree.features)),
                ("Stories", len(tree.stories)),
                ("Story points", sum(story.points or 0 for story in tree.stories)),
            ]
        )
        + _paragraph("Problem", epic.problem_statement)
        + _paragraph("Desired outcome", epic.desired_outcome)
        + _paragraph("Summary", epic.summary)
        + _list("Acceptance criteria", epic.acceptance_criteria)
        + "## Features\n\n"
        + ("" if tree.features else "No features yet.\n\n")
    )
    for number, feature in enumerate(tree.features, 1):
        yield _md_feature(number, feature)
    if tree.bugs:
        yield "## Bugs\n\n" + "".join(_md_bug(bug) for bug in tree.bugs)
