"""The price table: which entry prices a call (exact name, longest prefix, effective date), the arithmetic,
what costs null or zero, and a price file that does not have the documented shape stopping startup."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from jarlpm.app import create_app
from jarlpm.config import ConfigError, Settings
from jarlpm.usage.prices import DEFAULT_PRICE_FILE, Price, PriceFileError, PriceTable, load_prices, read_price_file

JAN, JUN = date(2025, 1, 1), date(2025, 6, 1)
TABLE = PriceTable(
    {
        "openai": {
            "gpt-4": [Price(JAN, Decimal(30), Decimal(60))],
            "gpt-4o": [Price(JAN, Decimal(5), Decimal(15)), Price(JUN, Decimal("2.5"), Decimal(10))],
            "gpt-4o-mini": [Price(JAN, Decimal("0.15"), Decimal("0.6"))],
        },
        "local": {"llama-hosted": [Price(JAN, Decimal(1), Decimal(1))]},
    }
)
GOOD_FILE = {"prices": {"openai": {"gpt-4o": [{"from": "2025-01-01", "input": 2.5, "output": 10}]}}}


@pytest.mark.parametrize(
    "model,listed",
    [
        ("gpt-4o", "gpt-4o"),
        ("gpt-4o-2024-08-06", "gpt-4o"),  # a dated snapshot takes its family's price
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),  # the longest listed prefix wins
        ("gpt-4-0613", "gpt-4"),
        ("gpt-3.5-turbo", None),
        ("GPT-4o", None),  # names are matched as written
    ],
)
def test_a_model_takes_the_price_of_its_exact_name_else_its_longest_listed_prefix(model, listed) -> None:
    assert TABLE.listed_name("openai", model) == listed


def test_the_price_in_force_is_the_latest_dated_on_or_before_the_call() -> None:
    assert TABLE.price("openai", "gpt-4o", date(2024, 12, 31)) is None  # before its first price
    assert TABLE.price("openai", "gpt-4o", JAN) == Price(JAN, Decimal(5), Decimal(15))
    assert TABLE.price("openai", "gpt-4o", date(2025, 5, 31)) == Price(JAN, Decimal(5), Decimal(15))
    assert TABLE.price("openai", "gpt-4o-2024-08-06", JUN) == Price(JUN, Decimal("2.5"), Decimal(10))


def test_the_cost_is_exact_decimal_rounded_half_up_to_six_places() -> None:
    # 11 x 2.5 + 7 x 10 = 97.5 per million tokens: 0.0000975, kept as 0.000098.
    assert TABLE.cost("openai", "gpt-4o", 11, 7, JUN) == Decimal("0.000098")
    assert TABLE.cost("openai", "gpt-4o", 11, 7, JAN) == Decimal("0.000160")
    assert TABLE.cost("openai", "gpt-4o-mini", 1_000_000, 1_000_000, JUN) == Decimal("0.75")
    assert TABLE.cost("openai", "gpt-4o", 0, 0, JUN) == Decimal(0)


@pytest.mark.parametrize(
    "provider,model,tokens,on",
    [
        ("openai", "o1", (11, 7), JUN),  # not listed
        ("anthropic", "gpt-4o", (11, 7), JUN),  # listed under another provider only
        ("openai", "gpt-4o", (11, 7), date(2024, 1, 1)),  # no price yet on that day
        ("openai", "gpt-4o", (None, None), JUN),  # the provider reported no tokens
        ("openai", "gpt-4o", (11, None), JUN),  # half a count: no half a cost
        ("openai", "gpt-4o", (None, 7), JUN),
        ("local", "llama-hosted", (None, 7), JUN),  # a priced local model needs its tokens too
    ],
)
def test_an_unknown_price_or_token_count_costs_null(provider, model, tokens, on) -> None:
    assert TABLE.cost(provider, model, *tokens, on) is None


def test_a_self_hosted_model_costs_nothing_unless_the_table_prices_it() -> None:
    assert TABLE.cost("local", "llama3", 11, 7, JUN) == Decimal(0)
    assert TABLE.cost("local", "llama3", None, None, JUN) == Decimal(0)
    assert TABLE.cost("local", "llama-hosted-70b", 500_000, 500_000, JUN) == Decimal(1)


def test_the_shipped_table_prices_every_default_model_today() -> None:
    table, today = load_prices(None), datetime.now(UTC).date()
    for provider, model in [
        ("openai", "gpt-4o"),
        ("anthropic", "claude-sonnet-4-20250514"),
        ("google", "gemini-2.0-flash"),
    ]:
        assert table.cost(provider, model, 11, 7, today) is not None, model
    assert table.cost("openai", "gpt-4o-2024-05-13", 1_000_000, 0, today) == Decimal(5)  # a snapshot listed itself
    assert table.cost("openai", "gpt-4o-2024-08-06", 1_000_000, 0, today) == Decimal("2.5")
    assert read_price_file(DEFAULT_PRICE_FILE).listed_name("anthropic", "claude-opus-4-5-20251101") == "claude-opus-4-5"


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "prices.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def entry(**fields: object) -> dict:
    return {"prices": {"openai": {"gpt-4o": [{"from": "2025-01-01", "input": 2.5, "output": 10, **fields}]}}}


@pytest.mark.parametrize(
    "content,problem",
    [
        ("{not json", "is not valid JSON"),
        ({"models": {}}, "prices: Field required"),
        ({"prices": {"mistral": {}}}, "prices.mistral"),
        ({"prices": {"openai": {"gpt-4o": []}}}, "prices.openai.gpt-4o: List should have at least 1 item"),
        (entry(input=-1), "prices.openai.gpt-4o.0.input: Input should be greater than or equal to 0"),
        (entry(output=10_001), "prices.openai.gpt-4o.0.output: Input should be less than or equal to 10000"),
        (entry(output="ten"), "prices.openai.gpt-4o.0.output"),
        (entry(**{"from": "last spring"}), "prices.openai.gpt-4o.0.from"),
        (entry(currency="EUR"), "prices.openai.gpt-4o.0.currency: Extra inputs are not permitted"),
        (
            {"prices": {"openai": {"o3": [{"from": "2025-01-01", "input": 1, "output": 1}] * 2}}},
            "prices.openai.o3 lists two prices from the same date",
        ),
    ],
)
def test_a_malformed_price_file_names_the_file_and_the_problem(tmp_path, content, problem) -> None:
    path = write(tmp_path, content)
    with pytest.raises(PriceFileError) as error:
        read_price_file(path)
    assert str(error.value).startswith(f"{path}: ") and problem in str(error.value)


def test_a_missing_price_file_is_named(tmp_path) -> None:
    with pytest.raises(PriceFileError, match=f"{tmp_path / 'nowhere.json'}: cannot be read"):
        read_price_file(tmp_path / "nowhere.json")


def test_llm_prices_file_is_validated_when_the_settings_are_read(tmp_path) -> None:
    env = {"JARLPM_DATA_DIR": str(tmp_path / "data")}
    assert Settings.from_env(env).llm_prices_file is None
    good = write(tmp_path, GOOD_FILE)
    assert Settings.from_env({**env, "LLM_PRICES_FILE": str(good)}).llm_prices_file == good
    bad = write(tmp_path, entry(input=-1))
    with pytest.raises(ConfigError, match=f"LLM_PRICES_FILE is invalid: {bad}: prices.openai.gpt-4o.0.input"):
        Settings.from_env({**env, "LLM_PRICES_FILE": str(bad)})


def test_a_malformed_price_file_stops_app_creation(tmp_path) -> None:
    bad = write(tmp_path, {"prices": {"openai": {"gpt-4o": [{"from": "2025-01-01", "input": 1}]}}})
    settings = Settings(
        env="test",
        database_url="postgresql://nobody@127.0.0.1:9/none",
        data_dir=tmp_path,
        encryption_key=Fernet.generate_key().decode(),
        llm_prices_file=bad,
    )
    with pytest.raises(ConfigError, match=f"LLM_PRICES_FILE is invalid: {bad}: prices.openai.gpt-4o.0.output: Field"):
        create_app(settings)
