"""What a `--model` string asks for, and the models behind the names: the embedded GGUFs on this machine and
the providers instructor's `from_provider` knows (`deepseek/deepseek-chat`, `together/<model>`, ...).

instructor builds a provider's client from its own table: base URL, key from the provider's own environment
variable (DEEPSEEK_API_KEY, TOGETHER_API_KEY, ...), default structured-output mode. A client that speaks
OpenAI's protocol (instructor's `sdk_module` is openai) then runs on the one OpenAI path (openai_compat.py:
transient retries, token counts, rate limits, async), so every remote model is called, counted and priced the
same way. A provider instructor reaches through its own SDK (anthropic, google, mistral, ...) is refused in
one line for now: that path counts no tokens (so no cost) and maps none of its errors; an OpenAI-compatible
endpoint of the same models (`--base-url`) works."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import instructor

from summarizer.errors import ConfigError
from summarizer.llm.base import Backend
from summarizer.llm.embedded.weights import DEFAULT_MODEL_NAME, Progress, default_model_path

MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
OPENAI_PROTOCOL = "openai"  # instructor's sdk_module of a provider whose client is OpenAI's
OWN_URLS = {"azure_openai"}  # OpenAI's SDK, but AzureOpenAI composes deployment URLs and api-key headers itself


@dataclass(frozen=True)
class ModelRequest:
    """The model options as a backend factory gets them: `--model provider/name` split, and the rest."""

    provider: str
    name: str  # the provider's own model name ("" for the embedded default)
    base_url: str | None = None
    api_key_env: str | None = None
    model_path: Path | None = None
    mode: str | None = None
    timeout: float | None = None
    progress: Progress | None = None


def parse_mode(name: str | None, default: instructor.Mode) -> instructor.Mode:
    if name is None:
        return default
    try:
        return MODES[name]
    except KeyError:
        raise ConfigError(f"unknown --mode {name!r}: choose one of {', '.join(MODES)}") from None


def embedded_models() -> dict[str, Path | None]:
    """`embedded/<name>` -> its GGUF: the default (None until its first run assembles it from the installed
    data packages), then every other GGUF put in the models cache."""
    folder = default_model_path().parent
    cached = sorted(folder.glob("*.gguf")) if folder.is_dir() else []
    return {DEFAULT_MODEL_NAME: None} | {path.stem: path for path in cached if path.stem != DEFAULT_MODEL_NAME}


def instructor_providers() -> dict[str, str | None]:
    """Every provider name `instructor.from_provider` takes -> the SDK module its client is built on."""
    from instructor.v2.core.provider_specs import ALIAS_TO_PROVIDER, PROVIDER_SPECS

    return {alias: PROVIDER_SPECS[provider].sdk_module for alias, provider in ALIAS_TO_PROVIDER.items()}


def on_openai_path(provider: str) -> bool:
    """instructor builds this provider a plain OpenAI client: it runs on the one OpenAI path."""
    return instructor_providers().get(provider) == OPENAI_PROTOCOL and provider not in OWN_URLS


def instructor_backend(request: ModelRequest) -> Backend:
    """`provider/model` through instructor.from_provider, run on the OpenAI path (see the module's doc)."""
    if not on_openai_path(request.provider):
        raise ConfigError(
            f"--model {request.provider}/{request.name}: instructor reaches {request.provider} through a client of its own, "
            "whose tokens and errors summarizer does not count or map yet; use the provider's OpenAI-compatible endpoint "
            "with --base-url URL --model NAME --api-key-env VAR"
        )
    from instructor.core import ConfigurationError

    from summarizer.llm.openai_compat import DEFAULT_TIMEOUT_S, openai_backend

    key = {"api_key": os.environ.get(request.api_key_env)} if request.api_key_env else {}
    if request.api_key_env and not key["api_key"]:
        raise ConfigError(f"{request.api_key_env} is not set: --api-key-env names it as the endpoint's key")
    try:
        client = instructor.from_provider(f"{request.provider}/{request.name}", **key)
    except ConfigurationError as exc:  # a key variable unset, a base URL missing
        first = " ".join(str(exc).split()).split(". ")[0].rstrip(".")  # the rest says how to pass it in Python
        raise ConfigError(f"--model {request.provider}/{request.name}: {first} (or name the key's variable with --api-key-env)") from None
    return openai_backend(
        request.name,
        base_url=str(client.client.base_url),
        api_key=client.client.api_key,
        mode=parse_mode(request.mode, client.mode),
        timeout=request.timeout or DEFAULT_TIMEOUT_S,
        provider=request.provider,
    )

