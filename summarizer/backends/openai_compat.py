"""OpenAI and any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, LM Studio)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

import instructor

from ..errors import ConfigError
from .base import Backend, on_first_call, wrap_raw_acreate, wrap_raw_create

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
    return Backend(
        id=f"openai/{model}" if base_url is None else f"openai-compatible/{model}",
        model=model,
        mode=mode,
        create=on_first_call(lambda: instructor.patch(create=wrap_raw_create(plain_create(options)), mode=mode)),
        window_chars=WINDOW_CHARS,
        settings={"temperature": 0.0, "max_tokens": 4096, "seed": 0},
        acreate=on_first_call(lambda: instructor.patch(create=wrap_raw_acreate(plain_acreate(options)), mode=mode)),
    )


# The SDK's `chat.completions.create` first walks every parameter against its TypedDicts (aliases, dates);
# measured here that is ~2 ms of CPU per call (it recurses through the whole response schema), the largest
# single cost of a concurrent batch. Our body is plain JSON already, so post it as that method does.
_CHAT = "/chat/completions"
_AUTH = {"security": {"bearer_auth": True}}


def plain_create(options: dict[str, Any]) -> Callable[..., Any]:
    import openai
    from openai.types.chat import ChatCompletion

    client = openai.OpenAI(**options)

    def create(**body: Any) -> ChatCompletion:
        return client.post(_CHAT, body=body, cast_to=ChatCompletion, options=_AUTH)

    return create


def plain_acreate(options: dict[str, Any]) -> Callable[..., Awaitable[Any]]:
    import openai
    from openai.types.chat import ChatCompletion

    client = openai.AsyncOpenAI(**options)

    async def acreate(**body: Any) -> ChatCompletion:
        return await client.post(_CHAT, body=body, cast_to=ChatCompletion, options=_AUTH)

    return acreate
