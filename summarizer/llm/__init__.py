"""Backends resolve from the CLI's `--model`, `--base-url`, `--model-path` and `--mode` through one registry:
`--model provider/name` picks the factory registered for `provider` (the embedded model, OpenAI, every
OpenAI-protocol provider instructor knows); `--base-url` picks the OpenAI-compatible server's. A backend plugs
in with `register(provider, factory)`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import instructor

from summarizer.errors import ConfigError
from summarizer.llm.base import Backend
from summarizer.llm.embedded.weights import Progress
from summarizer.llm.providers import MODES, ModelRequest, embedded_models, instructor_backend, instructor_providers, parse_mode

Factory = Callable[[ModelRequest], Backend]
EMBEDDED = "embedded"
COMPATIBLE = "openai-compatible"  # any server at --base-url
_FACTORIES: dict[str, Factory] = {}


def register(provider: str, factory: Factory) -> None:
    """`--model <provider>/<name>` is built by `factory`; a later registration of the same name replaces it."""
    _FACTORIES[provider] = factory


def registered() -> list[str]:
    return list(_FACTORIES)


def resolve_backend(
    model: str | None = None,
    *,
    base_url: str | None = None,
    api_key_env: str | None = None,
    model_path: Path | None = None,
    mode: str | None = None,
    timeout: float | None = None,
    progress: Progress | None = None,
) -> Backend:
    """Embedded by default; `--base-url` for any compatible server; `provider/name` for a registered provider.
    `api_key_env` names the variable holding a remote endpoint's key (else the provider's own variable)."""
    provider, name = _split(model, base_url)
    factory = _FACTORIES.get(provider)
    if factory is None:
        raise ConfigError(
            f"unknown provider {provider!r} in --model {model}: use one of {', '.join(p for p in _FACTORIES if p != COMPATIBLE)} "
            "(`summarizer models` lists them), or --base-url URL --model NAME for a compatible server"
        )
    return factory(ModelRequest(provider, name, base_url, api_key_env, model_path, mode, timeout, progress))


def _split(model: str | None, base_url: str | None) -> tuple[str, str]:
    if base_url:  # a server's own model name, which may hold a slash (Qwen/Qwen2.5-7B-Instruct)
        if not model:
            raise ConfigError("--base-url needs --model: the model name the server serves")
        return COMPATIBLE, model.removeprefix("openai/")
    if model in (None, "", EMBEDDED):
        return EMBEDDED, ""
    provider, slash, name = model.partition("/")
    if not slash:
        raise ConfigError(f"unknown model {model!r}: name its provider (openai/{model}), use --base-url URL --model {model}, or omit --model for the embedded default")
    if not name and provider != EMBEDDED:
        raise ConfigError(f"--model {model} names no model: give {provider}/<model name>")
    return provider, name


def _embedded(request: ModelRequest) -> Backend:
    from summarizer.llm.embedded.backend import embedded_backend

    if request.api_key_env:
        raise ConfigError("--api-key-env is for a remote endpoint: pass --base-url URL or --model provider/NAME")
    path = request.model_path
    if path is None and request.name:
        models = embedded_models()
        if request.name not in models:
            raise ConfigError(f"unknown embedded model {request.name!r}: there is {', '.join(f'embedded/{n}' for n in models)}; or pass --model-path FILE.gguf")
        path = models[request.name]
    return embedded_backend(path, mode=parse_mode(request.mode, instructor.Mode.JSON_SCHEMA), progress=request.progress)


def _openai(request: ModelRequest) -> Backend:
    """OpenAI itself (no base URL) or the compatible server at `--base-url`; OPENAI_API_KEY goes to OpenAI's host only."""
    from summarizer.llm.openai_compat import DEFAULT_TIMEOUT_S, openai_backend

    return openai_backend(
        request.name, base_url=request.base_url, api_key_env=request.api_key_env,
        mode=parse_mode(request.mode, instructor.Mode.TOOLS), timeout=request.timeout or DEFAULT_TIMEOUT_S,
    )


for _provider in instructor_providers():
    register(_provider, instructor_backend)
register(EMBEDDED, _embedded)
register("openai", _openai)
register(COMPATIBLE, _openai)

__all__ = ["Backend", "Factory", "MODES", "ModelRequest", "parse_mode", "register", "registered", "resolve_backend"]
