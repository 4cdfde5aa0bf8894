"""The writers' pure rules: formula-safe cells, Markdown that a title cannot restructure, safe file
names, and files produced piece by piece."""

from __future__ import annotations

import csv
import io

import pytest

from jarlpm.export.files import MAX_STEM, content_disposition, file_names
from jarlpm.export.tree import build_tree
from jarlpm.export.writers import azure_devops_csv, json_document, markdown_document, md_block, md_inline, safe_cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-5% churn", "'-5% churn"),  # legitimate text is prefixed too: spreadsheets show it as typed
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("Record a dose", "Record a dose"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cells_that_a_spreadsheet_would_evaluate_are_prefixed(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


def test_markdown_text_cannot_add_headings_lists_or_links() -> None:
    assert md_inline("Dose\n# Injected [x](y) *bold*") == "Dose \\# Injected \\[x\\](y) \\*bold\\*"
    assert md_block("1. one\n# two\n- three\n> four\nplain") == "1\\. one\n\\# two\n\\- three\n\\> four\nplain"


@pytest.mark.parametrize(
    "title", ["", "../..", "///", '"\'"', "\n\t\x00", "✓✓", "." * 10, "x" * 1000, "a/b\\c:d*e?f<g>h|i"]
)
def test_file_names_are_never_empty_unsafe_or_long(title: str) -> None:
    ascii_name, unicode_name = file_names(title, "export.md")
    for name in (ascii_name, unicode_name):
        assert name.endswith("_export.md") and not name.startswith(".")
        assert not set(name) & set("/\\\"':*?<>|\n\r\t\x00")
        assert len(name) <= MAX_STEM + len("_export.md")
    assert ascii_name.isascii()
    assert "\n" not in content_disposition(title, "export.md")


def _rows(features: int) -> tuple[dict, list[dict], list[dict]]:
    epic = {
        "epic_id": "epic_1",
        "title": "Big",
        "current_stage": "epic_locked",
        "moscow_score": None,
        "problem_statement": None,
        "desired_outcome": None,
        "epic_summary": None,
        "acceptance_criteria": [],
    }
    feature_rows = [
        {
            "feature_id": f"feat_{n}",
            "title": f"F{n}",
            "description": "d",
            "acceptance_criteria": [],
            "current_stage": "draft",
            "moscow_score": None,
            "rice_total": None,
        }
        for n in range(features)
    ]
    story_rows = [
        {
            "story_id": f"story_{n}",
            "feature_id": f"feat_{n}",
            "title": None,
            "persona": "p",
            "action": "a",
            "benefit": "b",
            "story_text": "As a p, I want to a so that b.",
            "acceptance_criteria": [],
            "labels": [],
            "story_priority": None,
            "story_points": 1,
            "current_stage": "draft",
            "sprint_number": None,
            "status": None,
            "rice_total": None,
        }
        for n in range(features)
    ]
    return epic, feature_rows, story_rows


def test_files_are_written_piece_by_piece() -> None:
    epic, features, stories = _rows(30)
    tree = build_tree(epic, features, stories, [])
    assert len(list(json_document(tree))) == 32  # the head, one per feature, the tail
    assert len(list(markdown_document(tree))) == 31
    assert len(list(azure_devops_csv(tree))) == 32
    assert tree.stories[0].name == "As a p, I want to a so that b."  # no title: the story sentence


def test_titles_are_cut_to_what_the_trackers_accept() -> None:
    epic, features, stories = _rows(1)
    tree = build_tree({**epic, "title": "é" * 500}, features, stories, [])
    [_, row, *_] = list(csv.reader(io.StringIO("".join(azure_devops_csv(tree)).lstrip("\ufeff"))))
    assert row[2] == "é" * 254 + "…"
