"""Where the plain-SQL files and the Alembic scripts are, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"none of {', '.join(map(str, candidates))} exists")


def sql_dir() -> Path:
    # A wheel carries the files inside the package (see pyproject's force-include); a checkout at the top.
    return _first_existing(PACKAGE_DIR / "_sql", PROJECT_DIR / "sql")


def migrations_dir() -> Path:
    return _first_existing(PACKAGE_DIR / "_migrations", PROJECT_DIR / "migrations")
