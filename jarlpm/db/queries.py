"""Every query lives in sql/<domain>.sql (aiosql format); each file is its own namespace.

aiosql's from_path on a folder merges all files into one namespace, where equal names in two domains
collide, so each file is loaded on its own and exposed as `queries.<domain>`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import aiosql

from jarlpm.paths import sql_dir


class _Queries:
    def __getattr__(self, domain: str) -> Any:
        if domain.startswith("_"):
            raise AttributeError(domain)
        return _load(domain)


@cache
def _load(domain: str) -> Any:
    path = sql_dir() / f"{domain}.sql"
    if not path.is_file():
        raise AttributeError(f"no SQL file for domain {domain!r} ({path})")
    return aiosql.from_path(path, "asyncpg")


queries = _Queries()
