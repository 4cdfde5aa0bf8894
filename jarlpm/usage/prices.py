"""What a provider call costs, from a price table: per provider and model, USD per million tokens, dated.

The shipped table (prices.json beside this module) or the file LLM_PRICES_FILE names replaces it
entirely; it is read and validated once when the settings are read and installed when the app is
created (jarlpm/usage/routes.py), so a malformed file stops startup instead of pricing calls wrongly.

How a call is priced:
- the model's entry is its exact name, else the longest listed name the model starts with (a dated
  snapshot such as `gpt-4o-2024-08-06` takes the price of `gpt-4o` unless it is listed itself);
- of that model's prices, the one with the latest `from` date on or before the day of the call;
- cost = (input_tokens x input + output_tokens x output) / 1,000,000, in Decimal, rounded half up to
  the 6 places `llm_usage.cost_usd` keeps;
- a model without a price on that day, or a call whose provider did not report both token counts,
  costs null (unknown): tokens are never estimated, and half a cost would read as the whole of it;
- a `local` provider (a server the user runs themselves) costs 0 unless the table lists the model
  under "local", in which case it is priced like any other.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_PRICE_FILE = Path(__file__).with_name("prices.json")
PER_TOKENS = Decimal(1_000_000)
COST_PLACES = Decimal("0.000001")  # llm_usage.cost_usd is numeric(14, 6)
SELF_HOSTED_PROVIDER = "local"

Provider = Literal["openai", "anthropic", "google", "local"]


class PriceFileError(ValueError):
    """A price file that cannot be read or does not have the documented shape."""


@dataclass(frozen=True)
class Price:
    """USD per million tokens, in force from `effective` until the model's next price."""

    effective: date
    input_per_million: Decimal
    output_per_million: Decimal

    def cost(self, input_tokens: int, output_tokens: int) -> Decimal:
        total = input_tokens * self.input_per_million + output_tokens * self.output_per_million
        return (total / PER_TOKENS).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


class PriceTable:
    """Every listed model's prices, oldest first, per provider."""

    def __init__(self, prices: Mapping[str, Mapping[str, Sequence[Price]]]) -> None:
        self._prices = {
            provider: {model: sorted(entries, key=lambda price: price.effective) for model, entries in models.items()}
            for provider, models in prices.items()
        }
        # Longest first: the first listed name a model starts with is the most specific one.
        self._prefixes = {provider: sorted(models, key=len, reverse=True) for provider, models in self._prices.items()}

    def listed_name(self, provider: str, model: str) -> str | None:
        """The listed model whose prices apply: the exact name, else the longest listed prefix."""
        models = self._prices.get(provider, {})
        if model in models:
            return model
        return next((name for name in self._prefixes.get(provider, []) if model.startswith(name)), None)

    def price(self, provider: str, model: str, on: date) -> Price | None:
        """The price in force on `on`: the latest entry dated on or before it."""
        name = self.listed_name(provider, model)
        return None if name is None else self._in_force(self._prices[provider][name], on)

    def cost(
        self, provider: str, model: str, input_tokens: int | None, output_tokens: int | None, on: date
    ) -> Decimal | None:
        """The cost of one call, or None when the price or a token count is unknown."""
        name = self.listed_name(provider, model)
        if name is None:
            # Nobody bills the user for a server they run themselves, unless the table says so.
            return Decimal(0) if provider == SELF_HOSTED_PROVIDER else None
        price = self._in_force(self._prices[provider][name], on)
        if price is None or input_tokens is None or output_tokens is None:
            return None
        return price.cost(input_tokens, output_tokens)

    @staticmethod
    def _in_force(entries: list[Price], on: date) -> Price | None:
        index = bisect_right([entry.effective for entry in entries], on)
        return entries[index - 1] if index else None


# --- the file -------------------------------------------------------------------------------------------

# Bounded so that the largest token counts llm_usage holds (int4) still fit its numeric(14, 6) cost.
PerMillion = Annotated[Decimal, Field(ge=0, le=10_000)]
ModelName = Annotated[str, Field(min_length=1, max_length=200)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective: date = Field(alias="from")
    input: PerMillion
    output: PerMillion


class _PriceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    about: str | None = None
    prices: dict[Provider, dict[ModelName, Annotated[list[_Entry], Field(min_length=1)]]]

    @model_validator(mode="after")
    def _one_price_a_day(self) -> _PriceFile:
        for provider, models in self.prices.items():
            for model, entries in models.items():
                dates = [entry.effective for entry in entries]
                if len(set(dates)) != len(dates):
                    raise ValueError(f"prices.{provider}.{model} lists two prices from the same date")
        return self

    def table(self) -> PriceTable:
        return PriceTable(
            {
                provider: {
                    model: [Price(entry.effective, entry.input, entry.output) for entry in entries]
                    for model, entries in models.items()
                }
                for provider, models in self.prices.items()
            }
        )


def read_price_file(path: Path) -> PriceTable:
    """The table in `path`; PriceFileError names the file and the first problem found."""
    try:
        # Decimal straight from the text: 0.075 stays exactly 0.075.
        raw = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as error:
        raise PriceFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise PriceFileError(f"{path}: is not valid JSON ({error})") from None
    try:
        return _PriceFile.model_validate(raw).table()
    except ValidationError as error:
        raise PriceFileError(f"{path}: {_first_problem(error)}") from None


def _first_problem(error: ValidationError) -> str:
    problem = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in problem["loc"])
    message = str(problem["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def load_prices(path: Path | None) -> PriceTable:
    """The table of LLM_PRICES_FILE, or the shipped one when it is not set."""
    return read_price_file(path if path is not None else DEFAULT_PRICE_FILE)


# --- the table in force -----------------------------------------------------------------------------------

_in_force: PriceTable | None = None


def use_prices(table: PriceTable) -> None:
    """Prices every call from now on with `table` (the app installs its settings' table when created)."""
    global _in_force
    _in_force = table


def prices_in_force() -> PriceTable:
    global _in_force
    if _in_force is None:  # outside an app (a script): the shipped table
        _in_force = load_prices(None)
    return _in_force


def cost_usd(
    provider: str, model: str, input_tokens: int | None, output_tokens: int | None, on: date
) -> Decimal | None:
    """The cost of one call at the prices in force on `on`; None for a model without a price."""
    return prices_in_force().cost(provider, model, input_tokens, output_tokens, on)
