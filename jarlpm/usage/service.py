"""The /api/usage answer, shaped from the rows of the grouped query."""

from __future__ import annotations

from decimal import Decimal

from jarlpm.usage.models import DayUsage, ModelUsage, UsageOut, UsageTotals


def usage_out(rows: list[dict], days: int) -> UsageOut:
    """The grouped rows (one total, one per model, one per day) as the answer."""
    by_kind: dict[str, list[dict]] = {"total": [], "model": [], "day": []}
    for row in rows:
        by_kind[row["grouped_by"]].append({**row, "cost_usd": _number(row["cost_usd"])})
    [total] = by_kind["total"]  # GROUPING SETS (...) with () yields it even without a call
    if total["calls"] == 0:
        total["cost_usd"] = 0.0  # nothing was spent: zero, not unknown
    return UsageOut(
        period_days=days,
        totals=UsageTotals.model_validate(total),
        by_model=[ModelUsage.model_validate(row) for row in by_kind["model"]],
        by_day=[DayUsage.model_validate(row) for row in by_kind["day"]],
    )


def _number(cost: Decimal | None) -> float | None:
    # A JSON number for the client; six decimal places survive a float well within any real total.
    return None if cost is None else float(cost)
