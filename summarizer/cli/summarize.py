"""`summarizer summarize`: articles in, one grounded record each, to stdout or `--out`."""

from __future__ import annotations

import itertools
from enum import Enum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from summarizer.cli.options import ApiKeyEnvOpt, BaseUrlOpt, ModelOpt, ModelPathOpt, ModeOpt, RetriesOpt, TimeoutOpt, backend_from_options, output
from summarizer.errors import InputError, SummarizerError
from summarizer.io.console import report, stderr, warn
from summarizer.io.inputs import no_articles
from summarizer.io.readers import stream_inputs
from summarizer.schema import ArticleExtraction


class OutputFormat(str, Enum):
    json = "json"
    md = "md"


def write_record(sink: TextIO, record: ArticleExtraction, fmt: OutputFormat, several: bool) -> None:
    if fmt is OutputFormat.md:
        from summarizer.io.render import to_markdown

        sink.write(to_markdown(record) + ("\n" if several else ""))
    elif several:  # one JSON object per line, so several records stay machine-readable
        sink.write(record.model_dump_json() + "\n")
    else:
        sink.write(record.model_dump_json(indent=2) + "\n")
    sink.flush()


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

    items = stream_inputs(paths)
    head = list(itertools.islice(items, 2))  # streamed: only enough is read ahead to know one from several
    if not head:
        empty = no_articles(paths)
        report(empty)
        raise typer.Exit(empty.exit_code)
    several = len(head) > 1
    backend, worst = None, 0
    with output(out) as sink:
        for item in itertools.chain(head, items):
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
