"""Rows leave the repositories as plain dicts, never asyncpg Records."""

from __future__ import annotations

from typing import Any


def optional_row(row: Any) -> dict | None:
    """A fetched row as a dict; None stays None (nothing found, or a write that matched no row)."""
    return dict(row) if row is not None else None
