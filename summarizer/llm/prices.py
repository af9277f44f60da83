"""What a run's tokens cost: one price table, read by `batch` (manifest, summary) and `eval` (report).

The table is pydantic's `genai-prices` (a data snapshot inside the package, no network): it prices every
provider `--model` can name (OpenAI, DeepSeek, Together, OpenRouter, Databricks, ...), matches a dated
snapshot (`gpt-4o-mini-2024-07-18`) to its model, and moves with each release of the package instead of a
hand-kept table going stale. A backend id is `<provider>/<model>`; the provider is looked up under
genai-prices' own name for it. The Batch API halves the price. The embedded backend runs in process: its
tokens cost nothing. Anything else (a local server, a model the table lacks) has no known price: None,
never a guess.
"""

from __future__ import annotations

FREE_PROVIDERS = ("embedded",)  # in process: no per-token price
UNPRICED_PROVIDERS = ("openai-compatible", "ollama")  # someone's own server: its price is not the list's
PRICE_PROVIDER_IDS = {"gemini": "google", "generative-ai": "google", "vertexai": "google", "bedrock": "aws", "azure_openai": "azure", "xai": "x-ai"}
BATCH_API_DISCOUNT = 0.5


def cost_usd(backend_id: str, prompt_tokens: int, completion_tokens: int, *, batch_api: bool = False) -> float | None:
    """What the tokens cost at list price (halved through the Batch API), or None when the price is unknown."""
    provider, _, model = backend_id.partition("/")
    if provider in FREE_PROVIDERS:
        return 0.0
    if provider in UNPRICED_PROVIDERS or not model:
        return None
    from genai_prices import Usage, calc_price  # imported here: ~0.3 s, paid only when a cost is reported

    try:
        price = calc_price(Usage(input_tokens=prompt_tokens, output_tokens=completion_tokens), model, provider_id=PRICE_PROVIDER_IDS.get(provider, provider))
    except LookupError:  # a provider or model the table does not know
        return None
    return float(price.total_price) * (BATCH_API_DISCOUNT if batch_api else 1)
