"""What a run's tokens cost: one price table, read by `batch` (manifest, summary) and `eval` (report).

USD per million tokens (input, output), OpenAI's list prices (https://openai.com/api/pricing) as written
down on 2026-11-23 for the models people run this with; not refreshed since. Backend ids are
`openai/<model>`; a dated snapshot (`gpt-4o-mini-2024-07-18`, `gpt-3.5-turbo-0125`) takes its family's
price, any other variant (`gpt-4o-audio-preview`) is unknown. The Batch API halves the price. The embedded
backend runs in process: its tokens cost nothing. Anything else (a local server, an unknown model) has no
known price: None, never a guess.
"""

from __future__ import annotations

import re

PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-3.5-turbo": (0.50, 1.50),
}
PRICED_PROVIDER = "openai"
FREE_PROVIDERS = ("embedded",)  # in process: no per-token price
BATCH_API_DISCOUNT = 0.5
_SNAPSHOT = re.compile(r"-\d[\d-]*")  # "-2024-07-18", "-0125"


def price_per_mtok(backend_id: str) -> tuple[float, float] | None:
    """(input, output) USD per million tokens, or None when the model's price is unknown."""
    provider, _, model = backend_id.partition("/")
    if provider in FREE_PROVIDERS:
        return (0.0, 0.0)
    if provider != PRICED_PROVIDER:
        return None
    if model in PRICES_PER_MTOK:
        return PRICES_PER_MTOK[model]
    return next((price for name, price in PRICES_PER_MTOK.items() if model.startswith(name) and _SNAPSHOT.fullmatch(model[len(name) :])), None)


def cost_usd(backend_id: str, prompt_tokens: int, completion_tokens: int, *, batch_api: bool = False) -> float | None:
    """What the tokens cost at list price (halved through the Batch API), or None when the price is unknown."""
    price = price_per_mtok(backend_id)
    if price is None:
        return None
    cost = (prompt_tokens * price[0] + completion_tokens * price[1]) / 1e6
    return cost * BATCH_API_DISCOUNT if batch_api else cost
