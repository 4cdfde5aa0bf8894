"""Free-text search in SQL: what a user types, matched literally anywhere in a column (ILIKE … ESCAPE '\\')."""

from __future__ import annotations

LIKE_ESCAPE = "\\"


def contains_pattern(search: str | None) -> str | None:
    """`search` as a LIKE pattern matching it anywhere, its own % and _ taken literally (None: no filter)."""
    if search is None or not search.strip():
        return None
    escaped = search.strip()
    for special in (LIKE_ESCAPE, "%", "_"):
        escaped = escaped.replace(special, LIKE_ESCAPE + special)
    return f"%{escaped}%"
