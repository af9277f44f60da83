"""llama-cpp-python in process: the no-key, no-network default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import instructor

from summarizer.errors import ConfigError
from summarizer.llm.embedded.weights import DEFAULT_MODEL_NAME, Progress, ensure_default_model
from summarizer.llm.base import Backend, Prefix, on_first_call, wrap_raw_create
from summarizer.llm.embedded.prefix import prime

N_CTX = 8192
WINDOW_CHARS = 8000  # ~2,000 tokens of article: with the prompt and a 4,096-token answer it fits N_CTX
MAX_TOKENS = 4096


def grammar_response_format(kwargs: dict[str, Any]) -> dict[str, Any]:
    """instructor's JSON_SCHEMA mode sends `{"type": "json_schema", ...}`, which llama-cpp-python silently
    ignores (no grammar, free text). It builds a grammar only from `{"type": "json_object", "schema": ...}`,
    so translate."""
    response_format = kwargs.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = response_format["json_schema"]["schema"]
        kwargs = {**kwargs, "response_format": {"type": "json_object", "schema": schema}}
    return kwargs


def load_llama(model_path: Path, n_ctx: int = N_CTX, seed: int = 0) -> Any:
    from summarizer.llm.embedded.fast_grammar import FastGrammarLlama  # imported here: only the embedded backend pays for the native library

    try:
        return FastGrammarLlama(model_path=str(model_path), n_ctx=n_ctx, n_threads=os.cpu_count() or 1, seed=seed, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise ConfigError(f"cannot load GGUF model ({exc})", source=str(model_path)) from exc


def embedded_backend(
    model_path: Path | None = None,
    mode: instructor.Mode = instructor.Mode.JSON_SCHEMA,
    progress: Progress | None = None,
    llama: Any = None,
) -> Backend:
    path = model_path or ensure_default_model(progress)
    name = DEFAULT_MODEL_NAME if model_path is None else path.stem
    if not path.is_file():  # said now, though the model itself loads at the first call
        raise ConfigError("model file not found", source=str(path))

    loaded: list[Any] = []
    primed: list[Prefix] = []  # the prefix the model holds (or will, once loaded)

    def connect() -> Any:
        model = llama or load_llama(path)
        if primed:
            prime(model, primed[0], path)
        loaded.append(model)

        def create(**kwargs: Any) -> Any:
            return model.create_chat_completion_openai_v1(**grammar_response_format(kwargs))

        return instructor.patch(create=wrap_raw_create(create), mode=mode)

    def warm(prefix: Prefix) -> None:
        """Calls run one at a time, so priming between two of them is safe."""
        if primed[:1] != [prefix]:
            primed[:] = [prefix]
            if loaded:
                prime(loaded[0], prefix, path)

    return Backend(
        id=f"embedded/{name}",
        model=name,
        mode=mode,
        create=on_first_call(connect),
        window_chars=WINDOW_CHARS,
        settings={"temperature": 0.0, "max_tokens": MAX_TOKENS, "seed": 0},
        warm=warm,
    )
