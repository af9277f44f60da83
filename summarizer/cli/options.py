"""Options every model-calling command shares, and the one way they become a backend; the output file."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from summarizer.errors import InputError
from summarizer.io.console import stderr

ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="`openai/<name>`, or a server's model name with --base-url. Default: the embedded model.")]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="An OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (vLLM, Ollama, llama.cpp server).")]
ApiKeyEnvOpt = Annotated[str | None, typer.Option("--api-key-env", metavar="NAME", help="The environment variable holding the endpoint's key. OPENAI_API_KEY goes to OpenAI's own host only; without this a --base-url server gets no key.")]
ModelPathOpt = Annotated[Path | None, typer.Option("--model-path", help="Any other GGUF file for the embedded backend.")]
ModeOpt = Annotated[str | None, typer.Option("--mode", help="Structured-output mode: tools, json_schema, json, md_json. Default: json_schema embedded, tools remote.")]
RetriesOpt = Annotated[int, typer.Option("--retries", min=0, max=5, help="Re-asks when the answer fails validation.")]
TimeoutOpt = Annotated[float | None, typer.Option("--timeout", help="Seconds per request to a remote endpoint.")]


@contextmanager
def assembly_progress() -> Iterator[Callable[[int, int], None]]:
    """A progress bar for the first run's model assembly; silent when nothing is assembled."""
    progress = Progress(TextColumn("assembling embedded model"), BarColumn(), DownloadColumn(), TimeRemainingColumn(), console=stderr)
    task: list[Any] = []

    def update(done: int, total: int) -> None:
        if not task:
            progress.start()
            task.append(progress.add_task("assemble", total=total))
        progress.update(task[0], completed=done)

    try:
        yield update
    finally:
        if task:  # stopping a bar never started still prints an empty line
            progress.stop()


def backend_from_options(model: str | None, base_url: str | None, model_path: Path | None, mode: str | None, timeout: float | None, api_key_env: str | None):
    from summarizer.llm import resolve_backend

    with assembly_progress() as progress:
        return resolve_backend(model, base_url=base_url, api_key_env=api_key_env, model_path=model_path, mode=mode, timeout=timeout, progress=progress)


@contextmanager
def output(out: Path | None) -> Iterator[TextIO]:
    """stdout, or `out` through a temporary file beside it, renamed over it once the run wrote something:
    a run with no record (or cut short) leaves an existing file as it was, and no temporary file."""
    if out is None:
        yield sys.stdout
        return
    if out.is_dir():
        raise InputError("is a directory: --out takes a file", source=str(out))
    target = out.resolve()  # a symlinked --out keeps its link: the file it points to is replaced
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        handle = temp.open("w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write output ({exc.strerror})", source=str(out)) from exc
    try:
        with handle:
            yield handle
        if temp.stat().st_size:
            temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
