"""What a provider call costs, from a price table (to be filled in: issue 2.6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def cost_usd(
    provider: str, model: str, input_tokens: int | None, output_tokens: int | None, on: date
) -> Decimal | None:
    """The cost of one call at the prices in force on `on`; None for a model without a price."""
    return None
