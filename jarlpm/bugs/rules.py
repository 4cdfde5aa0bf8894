"""Pure bug rules: the allowed values and the single-step status machine."""

from __future__ import annotations

from jarlpm.bugs.tables import BUG_PRIORITIES, BUG_SEVERITIES, BUG_STATUSES, LINK_ENTITY_TYPES

ENUMS = {"severity": BUG_SEVERITIES, "priority": BUG_PRIORITIES, "entity_type": LINK_ENTITY_TYPES}


def allowed_transitions(status: str) -> list[str]:
    """draft → confirmed → in_progress → resolved → closed, one step at a time; closed is final."""
    index = BUG_STATUSES.index(status)
    return list(BUG_STATUSES[index + 1 : index + 2])


def invalid_value(field: str, value: str | None) -> str | None:
    """The error message when `value` is not allowed for `field` (severity, priority, entity_type), else None."""
    if value is None or value in ENUMS[field]:
        return None
    return f"Invalid {field} {value!r}. Allowed values: {', '.join(ENUMS[field])}"


def transition_error(current: str, wanted: str) -> str | None:
    allowed = allowed_transitions(current)
    if wanted in allowed:
        return None
    return f"Invalid transition from {current} to {wanted}. Allowed transitions: {', '.join(allowed) or 'none'}"
