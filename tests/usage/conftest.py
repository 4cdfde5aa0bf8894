"""The usage tests price calls from their own table, so their expected costs do not follow the shipped prices."""

from __future__ import annotations

import json

import pytest

PRICES = {
    "prices": {
        "openai": {"gpt-4o": [{"from": "2020-01-01", "input": 2.5, "output": 10}]},
        "anthropic": {"claude-sonnet-4": [{"from": "2020-01-01", "input": 3, "output": 15}]},
    }
}


@pytest.fixture
def settings(make_settings, database_url, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(PRICES))
    return make_settings(database_url, llm_prices_file=path)
