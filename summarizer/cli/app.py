"""The `summarizer` command. Expected failures print one line naming the input and the cause and map to
exit codes (bad input 2, provider/config 3, no valid record 4); `--verbose` adds the detail."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from summarizer.io.articles import read_inputs
from summarizer.errors import InputError, SummarizerError
from summarizer.io.console import report, state, stderr, warn
from summarizer.schema import ArticleExtraction, ExtractionDraft

app = typer.Typer(
    help="Turn news articles into typed, grounded events and claims.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


class OutputFormat(str, Enum):
    json = "json"
    md = "md"


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


def write_record(sink: TextIO, record: ArticleExtraction, fmt: OutputFormat, several: bool) -> None:
    if fmt is OutputFormat.md:
        from summarizer.io.render import to_markdown

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
    # instructor logs each failed attempt at ERROR over many lines; the command's one-line error says it
    logging.getLogger("instructor").setLevel(logging.NOTSET if verbose else logging.CRITICAL)


@app.command()
def summarize(
    paths: Annotated[list[str], typer.Argument(help="Article files (.txt, .md, .json, .jsonl), directories, or - for stdin.")],
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key_env: ApiKeyEnvOpt = None,
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
    from summarizer.extraction.run import extract

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
                backend = backend or backend_from_options(model, base_url, model_path, mode, timeout, api_key_env)
                with stderr.status(f"extracting {item.id} on {backend.id}", spinner="dots"):
                    record = extract(item, backend, retries=retries)
                write_record(sink, record, fmt, several)
            except SummarizerError as err:
                report(err)
                worst = max(worst, err.exit_code)
    raise typer.Exit(worst)


@app.command()
def batch(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, globs (quoted: 'dump/**/*.txt'), JSONL/CSV/TSV dumps, or - for stdin.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The JSONL output: one line per input, appended line by line.")],
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    api_key_env: ApiKeyEnvOpt = None,
    model_path: ModelPathOpt = None,
    mode: ModeOpt = None,
    retries: RetriesOpt = 1,
    timeout: TimeoutOpt = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1, max=1024, help="Articles in flight at once. The embedded model runs one at a time: for throughput serve it with llama.cpp's or vLLM's server and use --base-url.")] = 8,
    rpm: Annotated[float | None, typer.Option("--rpm", min=0.1, help="Client-side limit: requests per minute (retries and re-asks count).")] = None,
    tpm: Annotated[float | None, typer.Option("--tpm", min=1, help="Client-side limit: tokens per minute (estimated per call, settled with the reported usage).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an earlier output: skip every id already in it.")] = False,
    retry_errors: Annotated[bool, typer.Option("--retry-errors", help="With --resume, also redo the inputs whose line is an error or partial record (that line is replaced).")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Start an existing output over.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the extraction cache.")] = False,
    cache_path: Annotated[Path | None, typer.Option("--cache", help="The cache file (default ~/.cache/summarizer/extractions.sqlite, or under $SUMMARIZER_CACHE).")] = None,
    text_column: Annotated[str, typer.Option("--text-column", help="JSON key or CSV column with the article text.")] = "text",
    id_column: Annotated[str, typer.Option("--id-column", help="... with the article id (else the path, else the content hash).")] = "id",
    title_column: Annotated[str, typer.Option("--title-column", help="... with the title.")] = "title",
    date_column: Annotated[str, typer.Option("--date-column", help="... with the publication date (ISO).")] = "date",
    url_column: Annotated[str, typer.Option("--url-column", help="... with the URL.")] = "url",
    input_format: Annotated[str | None, typer.Option("--input-format", help="jsonl, json, csv, tsv or text. Default: by file suffix; stdin is JSONL when it starts with {, else one article.")] = None,
    provider_batch: Annotated[bool, typer.Option("--provider-batch", help="Go through OpenAI's Batch API (half price, within 24 h): write requests, upload, poll, collect into the same output.")] = False,
    poll_interval: Annotated[float, typer.Option("--poll-interval", min=0.0, help="Seconds before the first poll of a provider batch; backs off to 5 minutes.")] = 10.0,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar (the summary is still printed).")] = False,
) -> None:
    """Structure a dump of articles: one JSONL line per input, concurrent, cached, resumable.

    Every input gets exactly one line: its extraction, or an error record
    `{id, status: "error", error_type, message, attempts, source}`; the batch goes on. After a crash or
    Ctrl-C, `--resume` does only what is missing. A run manifest (counts, tokens, cost, timing) is written
    beside the output. Exit code: 0 all done, else the worst error's code (2 input, 3 provider, 4 no valid
    record), 130 interrupted.

    The embedded default model runs one article at a time, in process. For throughput, serve a model
    with llama.cpp's or vLLM's server and point `--base-url` at it; `--concurrency` then applies.

    Examples:

        summarizer batch 'dump/**/*.txt' --out structured.jsonl

        summarizer batch articles.jsonl --out out.jsonl --model openai/gpt-4o-mini --concurrency 32 --rpm 500 --tpm 200000

        summarizer batch articles.csv --text-column body --id-column url --out out.jsonl --resume

        summarizer batch articles.jsonl --out out.jsonl --provider-batch --model openai/gpt-4o-mini

        summarizer batch articles.jsonl --out out.jsonl --base-url http://127.0.0.1:8000/v1 --model qwen2.5-7b
    """
    from summarizer.io.articles import INPUT_FORMATS, Columns
    from summarizer.batch.run import BatchOptions, run_batch
    from summarizer.errors import ConfigError

    if input_format is not None and input_format not in INPUT_FORMATS:
        raise ConfigError(f"unknown --input-format {input_format!r}: choose one of {', '.join(INPUT_FORMATS)}")
    options = BatchOptions(
        inputs=paths,
        out=out,
        concurrency=concurrency,
        rpm=rpm,
        tpm=tpm,
        retries=retries,
        resume=resume,
        retry_errors=retry_errors,
        overwrite=overwrite,
        cache=not no_cache,
        cache_path=cache_path,
        columns=Columns(text=text_column, id=id_column, title=title_column, date=date_column, url=url_column),
        input_format=input_format,
        provider_batch=provider_batch,
        poll_interval=poll_interval,
        base_url=base_url,
        api_key_env=api_key_env,
        progress=not no_progress,
        command=sys.argv[1:],
    )
    try:
        result = run_batch(options, lambda: backend_from_options(model, base_url, model_path, mode, timeout, api_key_env), stderr)
    except SummarizerError as err:
        report(err)
        raise typer.Exit(err.exit_code) from None
    raise typer.Exit(result.exit_code)


@app.command()
def schema(draft: Annotated[bool, typer.Option("--draft", help="The schema of the model's first call (sentence citations) instead of the output's.")] = False) -> None:
    """Print the JSON Schema of the output record."""
    model = ExtractionDraft if draft else ArticleExtraction
    typer.echo(json.dumps(model.model_json_schema(), indent=2))


from summarizer.cli.evaluate import eval_command  # noqa: E402  (imported here: it reuses the option types above)

app.command("eval")(eval_command)

from summarizer.cli.brief import brief_command  # noqa: E402  (same: it reuses the option types above)

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
