"""Pure delivery-context rules: the allowed values, and the read-only block every prompt starts with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jarlpm.delivery_context.tables import DELIVERY_METHODOLOGIES, DELIVERY_PLATFORMS, QUALITY_MODES

ENUMS = {
    "delivery_methodology": DELIVERY_METHODOLOGIES,
    "delivery_platform": DELIVERY_PLATFORMS,
    "quality_mode": QUALITY_MODES,
}
NOT_SPECIFIED = "Not specified"
PLATFORM_NAMES = {"jira": "Jira", "azure_devops": "Azure DevOps", "none": "None", "other": "Other"}


def unknown_enum_value(field: str, value: str | None) -> str | None:
    """The error message when `value` is not allowed for `field`, else None (values are lower-cased first)."""
    if value is None or value.lower() in ENUMS[field]:
        return None
    return f"Invalid {field} {value!r}. Allowed values: {', '.join(ENUMS[field])}"


def _team(context: Mapping) -> str:
    parts = []
    if context.get("num_developers") is not None:
        parts.append(f"{context['num_developers']} developers")
    if context.get("num_qa") is not None:
        parts.append(f"{context['num_qa']} QA")
    return ", ".join(parts) or NOT_SPECIFIED


def _or_not_specified(value: object, render: Callable[[Any], str] = str) -> str:
    return NOT_SPECIFIED if value in (None, "") else render(value)


def prompt_block(context: Mapping | None) -> str:
    """The `PRODUCT DELIVERY CONTEXT (Read-Only)` block prepended to system prompts."""
    context = context or {}
    lines = [
        ("Industry", _or_not_specified(context.get("industry"))),
        ("Delivery Methodology", _or_not_specified(context.get("delivery_methodology"), lambda v: str(v).title())),
        ("Sprint Cycle Length", _or_not_specified(context.get("sprint_cycle_length"), lambda v: f"{v} days")),
        ("Sprint Start Date", _or_not_specified(context.get("sprint_start_date"), lambda v: v.isoformat())),
        ("Team Size", _team(context)),
        ("Delivery Platform", _or_not_specified(context.get("delivery_platform"), lambda v: PLATFORM_NAMES.get(v, v))),
    ]
    return "PRODUCT DELIVERY CONTEXT (Read-Only):\n" + "\n".join(f"- {label}: {value}" for label, value in lines)
