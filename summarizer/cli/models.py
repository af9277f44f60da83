"""`summarizer models`: what `--model` can name here: the embedded default and the GGUFs cached beside it,
and the providers understood (through instructor.from_provider), each with what it needs."""

from __future__ import annotations

import importlib.util

import typer


def models() -> None:
    """The models `--model` can name: embedded (in process, no key), providers, a compatible server.

    Examples:

        summarizer models

        summarizer summarize article.txt --model deepseek/deepseek-chat
    """
    from summarizer.llm import COMPATIBLE, EMBEDDED, registered
    from summarizer.llm.embedded.weights import MODEL_BYTES, default_model_path
    from summarizer.llm.providers import embedded_models, instructor_providers, on_openai_path

    lines = ["Embedded (in process, no key, no network): --model embedded/<name>, or no --model for the default"]
    for name, path in embedded_models().items():
        if path is None:
            cached = default_model_path()
            state = f"cached at {cached}" if cached.is_file() and cached.stat().st_size == MODEL_BYTES else "assembled from the installed data packages on first use"
            lines.append(f"  {EMBEDDED}/{name}  (default; {state})")
        else:
            lines.append(f"  {EMBEDDED}/{name}  (cached at {path})")
    lines += ["", "Providers: --model <provider>/<model>, key from the provider's own variable (or --api-key-env NAME)"]
    sdks = instructor_providers()
    for provider in registered():
        if provider in (EMBEDDED, COMPATIBLE):
            continue
        sdk = sdks.get(provider, "")
        if provider == "openai":
            note = "OPENAI_API_KEY, sent to OpenAI's own host only"
        elif on_openai_path(provider):
            note = "through instructor.from_provider"
        elif provider not in sdks:
            note = "a registered backend"
        else:
            installed = "installed" if sdk and _installed(sdk) else "not installed"
            note = f"not yet (instructor's own client: {sdk or 'none'}, {installed}); reach it by its OpenAI-compatible endpoint, --base-url"
        lines.append(f"  {provider:<14} {note}")
    lines += ["", f"Any OpenAI-compatible server (vLLM, Ollama, llama.cpp server): --base-url URL --model NAME  (backend id {COMPATIBLE}/NAME)"]
    typer.echo("\n".join(lines))


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False
