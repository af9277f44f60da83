"""The `summarizer` command. Expected failures print one line naming the input and the cause and map to
exit codes (bad input 2, provider/config 3, no valid record 4); `--verbose` adds the detail."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from .articles import read_inputs
from .errors import InputError, SummarizerError
from .schema import ArticleExtraction, ExtractionDraft

app = typer.Typer(
    help="Turn news articles into typed, grounded events and claims.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
stderr = Console(stderr=True, highlight=False)
state = {"verbose": False}


class OutputFormat(str, Enum):
    json = "json"
    md = "md"


ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="`openai/<name>`, or a server's model name with --base-url. Default: the embedded model.")]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="An OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (vLLM, Ollama, llama.cpp server).")]
ModelPathOpt = Annotated[Path | None, typer.Option("--model-path", help="Any other GGUF file for the embedded backend.")]
ModeOpt = Annotated[str | None, typer.Option("--mode", help="Structured-output mode: tools, json_schema, json, md_json. Default: json_schema embedded, tools remote.")]
RetriesOpt = Annotated[int, typer.Option("--retries", min=0, max=5, help="Re-asks when the answer fails validation.")]
TimeoutOpt = Annotated[float | None, typer.Option("--timeout", help="Seconds per request to a remote endpoint.")]


def report(err: SummarizerError) -> None:
    stderr.print(f"[red]error:[/red] {err.one_line()}", markup=True, soft_wrap=True)
    if state["verbose"] and err.__cause__ is not None:
        stderr.print(f"  caused by: {err.__cause__!r}", markup=False, soft_wrap=True)


def warn(source: str, message: str) -> None:
    stderr.print(f"[yellow]warning:[/yellow] {source}: {message}", markup=True, soft_wrap=True)


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
        progress.stop()


def backend_from_options(model: str | None, base_url: str | None, model_path: Path | None, mode: str | None, timeout: float | None):
    from .backends import resolve_backend

    with assembly_progress() as progress:
        return resolve_backend(model, base_url=base_url, model_path=model_path, mode=mode, timeout=timeout, progress=progress)


@contextmanager
def output(out: Path | None) -> Iterator[TextIO]:
    if out is None:
        yield sys.stdout
        return
    try:
        handle = out.open("w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write output ({exc.strerror})", source=str(out)) from exc
    with handle:
        yield handle


def write_record(sink: TextIO, record: ArticleExtraction, fmt: OutputFormat, several: bool) -> None:
    if fmt is OutputFormat.md:
        from .render import to_markdown

        sink.write(to_markdown(record) + ("\n" if several else ""))
    elif several:  # one JSON object per line, so several records stay machine-readable
        sink.write(record.model_dump_json() + "\n")
    else:
        sink.write(record.model_dump_json(indent=2) + "\n")
    sink.flush()


@app.callback()
def main_options(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More detail on errors and progress.")] = False) -> None:
    state["verbose"] = verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def summarize(
    paths: Annotated[list[str], typer.Argument(help="Article files (.txt, .md, .json, .jsonl), directories, or - for stdin.")],
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    model_path: ModelPathOpt = None,
    mode: ModeOpt = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="json (one object; JSON Lines for several) or md.")] = OutputFormat.json,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")] = None,
    retries: RetriesOpt = 1,
    timeout: TimeoutOpt = None,
) -> None:
    """Extract grounded events and claims from articles.

    Examples:

        summarizer summarize seeds/000_fc4c5d789ceb7862.txt

        summarizer summarize seeds/003_1f565a1a16ffb178.txt --format md

        summarizer summarize article.txt --model openai/gpt-4o-mini

        summarizer summarize article.txt --base-url http://127.0.0.1:8000/v1 --model qwen2.5-7b
    """
    from .pipeline import extract

    items = list(read_inputs(paths))
    several = len(items) > 1
    backend, worst = None, 0
    with output(out) as sink:
        for item in items:
            try:
                if isinstance(item, InputError):
                    raise item
                for message in item.warnings:
                    warn(item.origin, message)
                backend = backend or backend_from_options(model, base_url, model_path, mode, timeout)
                with stderr.status(f"extracting {item.id} on {backend.id}", spinner="dots"):
                    record = extract(item, backend, retries=retries)
                write_record(sink, record, fmt, several)
            except SummarizerError as err:
                report(err)
                worst = max(worst, err.exit_code)
    raise typer.Exit(worst)


@app.command()
def schema(draft: Annotated[bool, typer.Option("--draft", help="The model-facing schema (sentence citations) instead of the output's.")] = False) -> None:
    """Print the JSON Schema of the output record."""
    model = ExtractionDraft if draft else ArticleExtraction
    typer.echo(json.dumps(model.model_json_schema(), indent=2))


from .evals.command import eval_command  # noqa: E402  (imported here: it reuses the option types above)

app.command("eval")(eval_command)

from .briefing_command import brief_command  # noqa: E402  (same: it reuses the option types above)

app.command("brief")(brief_command)


def main() -> None:
    """Console entry point: expected errors are one line; anything else is a bug, shown briefly."""
    try:
        app()
    except SummarizerError as err:
        report(err)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        stderr.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: one line unless --verbose
        if state["verbose"]:
            raise
        stderr.print(f"internal error: {type(exc).__name__}: {exc} (rerun with --verbose for the traceback)", markup=False)
        sys.exit(1)
