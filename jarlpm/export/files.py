"""The download: each format's writer, content type and file name, and a Content-Disposition that no
title can break (no path separators, quotes or control characters; an ASCII name for every client
plus the UTF-8 one of RFC 6266 / RFC 5987 when the title is not plain ASCII)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from jarlpm.export import writers
from jarlpm.export.tree import ExportTree

ExportFormat = Literal["jira_csv", "azure_devops_csv", "json", "markdown"]
MAX_STEM = 80  # characters of the title kept in the file name
FALLBACK_STEM = "epic"


@dataclass(frozen=True)
class FileFormat:
    write: Callable[[ExportTree], Iterator[str]]
    content_type: str
    suffix: str  # after the title: `<title>_<suffix>`


FORMATS: dict[ExportFormat, FileFormat] = {
    "jira_csv": FileFormat(writers.jira_csv, "text/csv; charset=utf-8", "jira.csv"),
    "azure_devops_csv": FileFormat(writers.azure_devops_csv, "text/csv; charset=utf-8", "azure_devops.csv"),
    "json": FileFormat(writers.json_document, "application/json", "export.json"),
    "markdown": FileFormat(writers.markdown_document, "text/markdown; charset=utf-8", "export.md"),
}

_UNSAFE = re.compile(r"[^\w.-]+")  # \w is Unicode-aware: letters and digits of any script stay
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def _stem(title: str, unsafe: re.Pattern[str]) -> str:
    """The title with every run of anything but letters, digits, `.` and `-` as one `_`, trimmed of
    leading dots (no hidden or `..` names) and cut to a sane length."""
    stem = unsafe.sub("_", title).strip("._-")[:MAX_STEM].strip("._-")
    return stem or FALLBACK_STEM


def file_names(title: str, suffix: str) -> tuple[str, str]:
    """(ASCII name, Unicode name) for a title: accents folded for the ASCII one."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    ascii_name = f"{_stem(folded, _ASCII_UNSAFE)}_{suffix}"
    unicode_name = f"{_stem(unicodedata.normalize('NFC', title), _UNSAFE)}_{suffix}"
    return ascii_name, unicode_name


def content_disposition(title: str, suffix: str) -> str:
    ascii_name, unicode_name = file_names(title, suffix)
    header = f'attachment; filename="{ascii_name}"'
    if unicode_name != ascii_name:
        header += f"; filename*=UTF-8''{quote(unicode_name, safe='')}"
    return header
