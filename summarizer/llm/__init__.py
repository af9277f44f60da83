"""Backends resolve from the CLI's `--model`, `--base-url`, `--model-path` and `--mode`."""

from __future__ import annotations

from pathlib import Path

import instructor

from summarizer.errors import ConfigError
from summarizer.llm.embedded.weights import Progress
from summarizer.llm.base import Backend

MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}


def parse_mode(name: str | None, default: instructor.Mode) -> instructor.Mode:
    if name is None:
        return default
    try:
        return MODES[name]
    except KeyError:
        raise ConfigError(f"unknown --mode {name!r}: choose one of {', '.join(MODES)}") from None


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
    """Embedded by default; `--base-url` for any compatible server; `openai/<name>` for OpenAI.
    `api_key_env` names the variable holding a remote endpoint's key (OpenAI's own: OPENAI_API_KEY)."""
    if base_url or (model and model.startswith("openai/")):
        from summarizer.llm.openai_compat import DEFAULT_TIMEOUT_S, openai_backend

        if not model:
            raise ConfigError("--base-url needs --model: the model name the server serves")
        name = model.removeprefix("openai/")
        return openai_backend(name, base_url=base_url or None, api_key_env=api_key_env, mode=parse_mode(mode, instructor.Mode.TOOLS), timeout=timeout or DEFAULT_TIMEOUT_S)
    if api_key_env:
        raise ConfigError("--api-key-env is for a remote endpoint: pass --base-url URL or --model openai/NAME")
    if model in (None, "", "embedded") or model.startswith("embedded/"):
        from summarizer.llm.embedded.backend import embedded_backend

        return embedded_backend(model_path, mode=parse_mode(mode, instructor.Mode.JSON_SCHEMA), progress=progress)
    raise ConfigError(f"unknown model {model!r}: use openai/<name>, --base-url URL --model NAME, or omit --model for the embedded default")


__all__ = ["Backend", "MODES", "parse_mode", "resolve_backend"]
