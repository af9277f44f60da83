"""Options every model-calling command shares (one BackendOptions group), and the one way they become a
backend; the cache flags; the output file and its format."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from summarizer.errors import ConfigError, InputError
from summarizer.io.console import stderr

if TYPE_CHECKING:
    from summarizer.llm.base import Backend

MODEL_PANEL = "Model"
ModelOpt = Annotated[str | None, typer.Option("--model", "-m", rich_help_panel=MODEL_PANEL, help="`provider/model` (`openai/gpt-4o-mini`, `anthropic/...`: `summarizer models` lists them), `embedded/<name>`, or a server's model name with --base-url. Default: the embedded model.")]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", rich_help_panel=MODEL_PANEL, help="An OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (vLLM, Ollama, llama.cpp server).")]
ApiKeyEnvOpt = Annotated[str | None, typer.Option("--api-key-env", metavar="NAME", rich_help_panel=MODEL_PANEL, help="The environment variable holding the endpoint's key (default: the provider's own, e.g. DEEPSEEK_API_KEY). OPENAI_API_KEY goes to OpenAI's own host only; without this a --base-url server gets no key.")]
ModelPathOpt = Annotated[Path | None, typer.Option("--model-path", rich_help_panel=MODEL_PANEL, help="Any other GGUF file for the embedded backend.")]
ModeOpt = Annotated[str | None, typer.Option("--mode", rich_help_panel=MODEL_PANEL, help="Structured-output mode: tools, json_schema, json, md_json. Default: json_schema embedded, the provider's own remote (tools for OpenAI).")]
RetriesOpt = Annotated[int, typer.Option("--retries", min=0, max=5, rich_help_panel=MODEL_PANEL, help="Re-asks when the answer fails validation.")]
TimeoutOpt = Annotated[float | None, typer.Option("--timeout", rich_help_panel=MODEL_PANEL, help="Seconds per request to a remote endpoint.")]
# The extraction cache, one meaning wherever a command has it: on by default, `--no-cache` off, `--cache PATH` elsewhere.
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the extraction cache.")]
CacheOpt = Annotated[Path | None, typer.Option("--cache", metavar="PATH", help="The extraction cache file (default ~/.cache/summarizer/extractions.sqlite, or under $SUMMARIZER_CACHE).")]


@dataclass(frozen=True)
class BackendOptions:
    """The options of every model-calling command, declared once (`with_backend_options`)."""

    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    model_path: Path | None = None
    mode: str | None = None
    retries: int = 1
    timeout: float | None = None

    def chosen(self) -> list[str]:
        """The flags that choose a model (not --retries and --timeout), as given."""
        return [f"--{f.name.replace('_', '-')}" for f in fields(self) if f.name not in ("retries", "timeout") and getattr(self, f.name)]


_BACKEND_PARAMETERS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=getattr(BackendOptions, name))
    for name, annotation in [
        ("model", ModelOpt), ("base_url", BaseUrlOpt), ("api_key_env", ApiKeyEnvOpt), ("model_path", ModelPathOpt),
        ("mode", ModeOpt), ("retries", RetriesOpt), ("timeout", TimeoutOpt),
    ]
]


def with_backend_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`command(..., backend: BackendOptions)` as typer sees it: its `backend` parameter becomes the model
    options (in their own help panel), gathered back into one BackendOptions when it is called."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "backend"]

    @functools.wraps(command)
    def run(**kwargs: Any) -> Any:
        chosen = {p.name: kwargs.pop(p.name) for p in _BACKEND_PARAMETERS}
        return command(**kwargs, backend=BackendOptions(**chosen))

    run.__signature__ = signature.replace(parameters=own + _BACKEND_PARAMETERS)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in run.__signature__.parameters.values()}  # type: ignore[attr-defined]
    return run


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


def backend_from_options(options: BackendOptions) -> Backend:
    from summarizer.llm import resolve_backend

    with assembly_progress() as progress:
        return resolve_backend(
            options.model, base_url=options.base_url, api_key_env=options.api_key_env, model_path=options.model_path,
            mode=options.mode, timeout=options.timeout, progress=progress,
        )


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


# What an --out suffix says the file is; a command picks its format from it (an explicit --format wins).
SUFFIX_FORMATS = {
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
    ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet",
}


def format_of(out: Path | None, writes: tuple[str, ...], command: str) -> str | None:
    """The format `out`'s suffix names, or None (stdout, no suffix, one naming no format). A format the
    command does not write is refused before any work, rather than written under a name that says otherwise."""
    fmt = SUFFIX_FORMATS.get(out.suffix.lower()) if out is not None else None
    if fmt is not None and fmt not in writes:
        tables = "; flat tables come from `summarizer export OUT.jsonl --to events.csv`" if fmt in ("csv", "tsv", "parquet") else ""
        raise ConfigError(f"{command} writes {' or '.join(writes)}, not {fmt}: name the file by one of those{tables}", source=str(out))
    return fmt
