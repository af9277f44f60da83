"""The one price table (summarizer/llm/prices.py: genai-prices' data), as batch and eval read it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from summarizer.batch.report import cost
from summarizer.llm.prices import cost_usd


def test_cost_uses_the_price_table_and_is_unknown_elsewhere():
    assert cost_usd("openai/gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert cost_usd("openai/gpt-4o", 1_000_000, 0) == pytest.approx(2.5)
    assert cost_usd("openai/gpt-3.5-turbo", 1_000_000, 1_000_000) == pytest.approx(2.0)
    assert cost_usd("embedded/qwen", 10_000, 10_000) == 0.0  # in process: nothing per token
    assert cost_usd("openai-compatible/llama", 10, 10) is None  # any other server: unknown, not 0
    assert cost_usd("ollama/llama3.1", 10, 10) is None  # a local server too
    assert cost_usd("openai/no-such-model", 10, 10) is None  # a model not in the table


def test_every_provider_model_string_is_priced_from_the_same_table():
    # the providers `--model provider/name` reaches through instructor.from_provider (llm/providers.py)
    assert cost_usd("deepseek/deepseek-chat", 1_000_000, 0) > 0
    assert cost_usd("together/meta-llama/Llama-3.3-70B-Instruct-Turbo", 1_000_000, 0) > 0
    assert cost_usd("gemini/gemini-2.0-flash", 1_000_000, 0) == cost_usd("google/gemini-2.0-flash", 1_000_000, 0) > 0  # genai-prices' name for it


def test_a_dated_snapshot_takes_its_family_price():
    assert cost_usd("openai/gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000) == cost_usd("openai/gpt-4o-mini", 1_000_000, 1_000_000)
    assert cost_usd("openai/gpt-4o-2024-08-06", 1_000_000, 0) == cost_usd("openai/gpt-4o", 1_000_000, 0)


def test_the_batch_api_halves_the_price():
    assert cost_usd("openai/gpt-4o-mini", 1_000_000, 1_000_000, batch_api=True) == pytest.approx(0.375)
    assert cost_usd("openai-compatible/llama", 10, 10, batch_api=True) is None


def test_batch_reports_the_same_price_rounded_to_a_hundredth_of_a_cent():
    backend = SimpleNamespace(id="openai/gpt-4o-mini")
    assert cost(backend, 12_345, 6_789) == round(cost_usd("openai/gpt-4o-mini", 12_345, 6_789), 4) == 0.0059
    assert cost(backend, 12_345, 6_789, provider_batch=True) == 0.003
    assert cost(SimpleNamespace(id="openai-compatible/llama"), 10, 10) is None
