"""The user's generation statistics from the log's totals (pure: grouped rows in, the answer out)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _cost(rows: Iterable[Mapping[str, Any]]) -> float | None:
    """Known costs summed; None when no generation had a known cost (the model has no price)."""
    costs = [row["cost_usd"] for row in rows if row["cost_usd"] is not None]
    return round(float(sum(costs, Decimal(0))), 6) if costs else None


def summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Generations, success rate (0..1), retries per generation, tokens and cost of some grouped rows."""
    generations = sum(row["generations"] for row in rows)
    return {
        "generations": generations,
        "successes": sum(row["successes"] for row in rows),
        "failures": sum(row["failures"] for row in rows),
        "abandoned": sum(row["abandoned"] for row in rows),
        "success_rate": _rate(sum(row["successes"] for row in rows), generations),
        "avg_retries": round(sum(row["retries"] for row in rows) / generations, 2) if generations else 0.0,
        "total_tokens": int(sum(row["tokens"] for row in rows)),
        "total_cost_usd": _cost(rows),
    }


def _grouped(rows: Sequence[Mapping[str, Any]], key: str) -> dict[str, list[Mapping[str, Any]]]:
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


def stats(rows: Sequence[Mapping[str, Any]], days: int) -> dict[str, Any]:
    """The contract's answer: totals, then the same figures by provider (with its models) and by prompt version."""
    total = summary(rows)
    providers = {
        provider: {**summary(group), "models": {model: summary(of) for model, of in _grouped(group, "model").items()}}
        for provider, group in _grouped(rows, "provider").items()
    }
    versions = {version: summary(group) for version, group in _grouped(rows, "prompt_version").items()}
    return {
        "period_days": days,
        "total_generations": total["generations"],
        "success_rate": total["success_rate"],
        "avg_retries": total["avg_retries"],
        "total_tokens": total["total_tokens"],
        "total_cost_usd": total["total_cost_usd"],
        "providers": providers,
        "prompt_versions": versions,
    }
