"""OpenAI and any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, LM Studio)."""

from __future__ import annotations

import os

import instructor
import openai

from ..errors import ConfigError
from .base import Backend, wrap_raw_acreate, wrap_raw_create

WINDOW_CHARS = 40_000  # hosted and server models have long contexts: window only very long articles
DEFAULT_TIMEOUT_S = 120.0


def openai_backend(
    model: str,
    *,
    base_url: str | None = None,
    mode: instructor.Mode = instructor.Mode.TOOLS,
    timeout: float = DEFAULT_TIMEOUT_S,
    api_key: str | None = None,
) -> Backend:
    """`model` is the name the endpoint knows. With no `base_url` this is OpenAI itself and needs a key."""
    api_key = api_key or os.environ.get("OPENAI_API_KEY")
    if base_url is None and not api_key:
        raise ConfigError(f"OPENAI_API_KEY is not set: export it to use openai/{model}, or pass --base-url for a local server")
    # retries are ours (tenacity, honouring Retry-After), so the client's own are off
    options = {"base_url": base_url, "api_key": api_key or "not-needed", "timeout": timeout, "max_retries": 0}
    client, aclient = openai.OpenAI(**options), openai.AsyncOpenAI(**options)
    return Backend(
        id=f"openai/{model}" if base_url is None else f"openai-compatible/{model}",
        model=model,
        mode=mode,
        create=instructor.patch(create=wrap_raw_create(client.chat.completions.create), mode=mode),
        window_chars=WINDOW_CHARS,
        settings={"temperature": 0.0, "max_tokens": 4096, "seed": 0},
        acreate=instructor.patch(create=wrap_raw_acreate(aclient.chat.completions.create), mode=mode),
    )
