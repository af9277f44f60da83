"""OpenAI and any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, LM Studio)."""

from __future__ import annotations

import asyncio
import json
import os
import weakref
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import instructor

from summarizer.errors import ConfigError
from summarizer.llm.base import Backend, on_first_call, wrap_raw_acreate, wrap_raw_create

WINDOW_CHARS = 40_000  # hosted and server models have long contexts: window only very long articles
DEFAULT_TIMEOUT_S = 120.0
OPENAI_HOST = "api.openai.com"
# The client requires a key string and, given none, reads OPENAI_API_KEY itself: a server with no key of
# its own gets this instead, so OpenAI's key never leaves for another host.
NO_KEY = "not-needed"


def is_openai(base_url: str | None) -> bool:
    """OpenAI's own API: no `base_url` (the client's default) or an explicit https://api.openai.com/..."""
    if base_url is None:
        return True
    url = urlsplit(base_url)
    return url.scheme == "https" and url.hostname == OPENAI_HOST


def endpoint_key(base_url: str | None, api_key_env: str | None = None) -> str:
    """The key sent to `base_url`: the variable `--api-key-env` names, else OPENAI_API_KEY for OpenAI's
    own host only, else the placeholder (a local server checks none)."""
    if api_key_env:
        return required_env(api_key_env, "--api-key-env names it as the endpoint's key")
    if is_openai(base_url):
        return required_env("OPENAI_API_KEY", "export it to use OpenAI, or pass --base-url for a local server")
    return NO_KEY


def required_env(name: str, hint: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"{name} is not set: {hint}")
    return value


def openai_backend(
    model: str,
    *,
    base_url: str | None = None,
    mode: instructor.Mode = instructor.Mode.TOOLS,
    timeout: float = DEFAULT_TIMEOUT_S,
    api_key_env: str | None = None,
    api_key: str | None = None,
    provider: str | None = None,
) -> Backend:
    """`model` is the name the endpoint knows. With no `base_url` this is OpenAI itself and needs a key.
    `provider` and `api_key`: another provider's OpenAI-protocol endpoint and its key (llm/providers.py)."""
    # retries are ours (tenacity, honouring Retry-After), so the client's own are off
    options = {"base_url": base_url, "api_key": api_key or endpoint_key(base_url, api_key_env), "timeout": timeout, "max_retries": 0}
    clients = AsyncClients(options)
    return Backend(
        id=f"{provider or ('openai' if is_openai(base_url) else 'openai-compatible')}/{model}",
        model=model,
        mode=mode,
        create=on_first_call(lambda: instructor.patch(create=wrap_raw_create(plain_create(options)), mode=mode)),
        window_chars=WINDOW_CHARS,
        settings={"temperature": 0.0, "max_tokens": 4096, "seed": 0},
        acreate=on_first_call(lambda: instructor.patch(create=wrap_raw_acreate(plain_acreate(clients)), mode=mode)),
        aclose=clients.aclose,
        endpoint=base_url or os.environ.get("OPENAI_BASE_URL"),  # where the SDK sends a request without base_url
    )


# The SDK's `chat.completions.create` first walks every parameter against its TypedDicts (aliases, dates),
# ~2 ms of CPU per call here (it recurses through the whole response schema), and builds the reply with its
# lenient constructor, another ~0.5 ms: together more than the rest of a concurrent batch's work per article.
# Our body is plain JSON already, so it is posted as that method does, and the reply is parsed by pydantic.
_CHAT = "/chat/completions"
_AUTH = {"security": {"bearer_auth": True}}


def chat_completion(content: bytes) -> Any:
    """The reply as a ChatCompletion; one that strays from the schema (a field missing, a null where a
    string is due: some compatible servers) is read leniently, as the SDK would."""
    from openai.types.chat import ChatCompletion
    from pydantic import ValidationError

    try:
        return ChatCompletion.model_validate_json(content)
    except ValidationError:
        return ChatCompletion.construct(**json.loads(content))


def plain_create(options: dict[str, Any]) -> Callable[..., Any]:
    import openai

    client = openai.OpenAI(**options)

    def create(**body: Any) -> Any:
        return chat_completion(client.post(_CHAT, body=body, cast_to=bytes, options=_AUTH))

    return create


class AsyncClients:
    """One async client per event loop, on openai's aiohttp transport: its connection pool checks every
    open connection on every request (httpcore), which at 32 in flight cost ~1.3 ms of CPU per request
    here. An aiohttp session belongs to the loop that opened it, and is closed with `aclose`."""

    def __init__(self, options: dict[str, Any]):
        self.options = options
        self.by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()

    def get(self) -> Any:
        loop = asyncio.get_running_loop()
        if loop not in self.by_loop:
            import openai

            self.by_loop[loop] = openai.AsyncOpenAI(**self.options, http_client=openai.DefaultAioHttpClient(timeout=self.options["timeout"]))
        return self.by_loop[loop]

    async def aclose(self) -> None:
        client = self.by_loop.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.close()


def plain_acreate(clients: AsyncClients) -> Callable[..., Awaitable[Any]]:
    async def acreate(**body: Any) -> Any:
        return chat_completion(await clients.get().post(_CHAT, body=body, cast_to=bytes, options=_AUTH))

    return acreate
