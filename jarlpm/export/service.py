"""The export's rules: load the whole tree with a fixed number of queries, then describe or write it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from asyncpg import Connection

from jarlpm.errors import APIError
from jarlpm.export import repo
from jarlpm.export.tree import ExportTree, build_tree
from jarlpm.scoring import rules as scoring


async def load_tree(conn: Connection, *, user_id: str, epic_id: str, include_bugs: bool) -> ExportTree:
    """The epic, its features, all their stories and (when asked) the bugs linked into it: four
    statements at most however large the epic (never one per feature or story); 404 when it is not
    the user's."""
    epic = await repo.get_epic(conn, user_id=user_id, epic_id=epic_id)
    if epic is None:
        raise APIError(404, "EPIC_NOT_FOUND", "Epic not found")
    features = await repo.list_features(conn, user_id=user_id, epic_id=epic_id)
    stories = await repo.list_stories(conn, user_id=user_id, epic_id=epic_id) if features else []
    bugs = await repo.list_linked_bugs(conn, user_id=user_id, epic_id=epic_id) if include_bugs else []
    return build_tree(epic, features, stories, bugs)


def preview_items(tree: ExportTree) -> list[dict[str, Any]]:
    """What the file will hold, in file order: the epic, each feature followed by its stories, the bugs."""
    epic = tree.epic
    items: list[dict[str, Any]] = [
        {"type": "Epic", "title": epic.title, "stage": epic.stage, "moscow": scoring.moscow_label(epic.moscow)}
    ]
    for feature in tree.features:
        items.append(
            {
                "type": "Feature",
                "title": feature.title,
                "stage": feature.stage,
                "moscow": scoring.moscow_label(feature.moscow),
                "rice": feature.rice.total if feature.rice else None,
            }
        )
        items.extend(
            {
                "type": "User Story",
                "title": story.name,
                "stage": story.stage,
                "rice": story.rice.total if story.rice else None,
                "points": story.points,
                "status": story.status,
            }
            for story in feature.stories
        )
    items.extend(
        {
            "type": "Bug",
            "title": bug.title,
            "severity": bug.severity,
            "status": bug.status,
            "rice": bug.rice.total if bug.rice else None,
        }
        for bug in tree.bugs
    )
    return items


async def encoded(pieces: Iterator[str]) -> AsyncIterator[bytes]:
    """The writer's pieces as UTF-8 bytes, one network write each; it holds no connection."""
    for piece in pieces:
        if piece:
            yield piece.encode("utf-8")
