"""Pure PRD logic: the two stored shapes of `sections`, and counting the repairs of a generation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator

from jarlpm.prd.models import JsonDocument, MarkdownDocument, StructuredPRD


def json_sections(prd: StructuredPRD, **flags: object) -> dict:
    """`sections` of a structured PRD: `{"prd": {...}, "format": "json", "validated": true, ...flags}`."""
    return {"prd": prd.model_dump(mode="json"), "format": "json", "validated": True, **flags}


def markdown_sections(content: str) -> dict:
    """`sections` of a legacy markdown PRD."""
    return {"content": content}


def document_of(row: Mapping) -> JsonDocument | MarkdownDocument | None:
    """The stored PRD of a `get_prd` row in the contract's form (JSON or markdown); None when there is none."""
    if row["prd_id"] is None:
        return None
    sections = row["sections"] or {}
    fields = {key: row[key] for key in ("prd_id", "title", "version", "status", "source")}
    if "prd" in sections:
        return JsonDocument(data=StructuredPRD.model_validate(sections["prd"]), **fields)
    return MarkdownDocument(content=str(sections.get("content") or ""), **fields)


class AttemptCounter:
    """Counts the documents the model handed in for validation; every one after the first was a repair."""

    def __init__(self) -> None:
        self.seen = 0

    def __call__(self, value: Any) -> Any:
        self.seen += 1
        return value

    @property
    def repairs(self) -> int:
        return max(self.seen - 1, 0)

    def schema(self) -> Any:
        """StructuredPRD, counting each validation."""
        return Annotated[StructuredPRD, BeforeValidator(self)]
