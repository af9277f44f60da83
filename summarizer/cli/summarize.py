"""`summarizer summarize`: articles in, one grounded record each, to stdout or `--out`."""

from __future__ import annotations

import itertools
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from summarizer.cli.options import BackendOptions, backend_from_options, format_of, output, with_backend_options
from summarizer.errors import InputError, SummarizerError
from summarizer.io.console import report, stderr, warn
from summarizer.io.inputs import no_articles
from summarizer.io.readers import stream_inputs
from summarizer.schema import ArticleExtraction

if TYPE_CHECKING:
    from summarizer.llm.base import Backend


class OutputFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    md = "md"


class RecordWriter:
    """Records to the sink as they come: json is one pretty object (several: a JSON array), jsonl one line
    each, md one page each; None (stdout or an --out suffix naming no format) is json for one record and
    jsonl for several, as summarize always wrote to a terminal."""

    def __init__(self, sink: TextIO, fmt: OutputFormat | None, several: bool):
        self.sink, self.several, self.written = sink, several, 0
        self.fmt = fmt or (OutputFormat.jsonl if several else OutputFormat.json)

    def write(self, record: ArticleExtraction) -> None:
        if self.fmt is OutputFormat.md:
            from summarizer.io.render import to_markdown

            self.sink.write(to_markdown(record) + ("\n" if self.several else ""))
        elif self.fmt is OutputFormat.jsonl:
            self.sink.write(record.model_dump_json() + "\n")
        elif self.several:
            self.sink.write(("[\n" if not self.written else ",\n") + record.model_dump_json(indent=2))
        else:
            self.sink.write(record.model_dump_json(indent=2) + "\n")
        self.written += 1
        self.sink.flush()

    def close(self) -> None:
        if self.fmt is OutputFormat.json and self.several and self.written:
            self.sink.write("\n]\n")


@with_backend_options
def summarize(
    paths: Annotated[list[str], typer.Argument(help="Article files (.txt, .md, .json, .jsonl), directories, or - for stdin.")],
    backend: BackendOptions,
    fmt: Annotated[OutputFormat | None, typer.Option("--format", "-f", help="json (one object; several: an array), jsonl (one line each) or md. Default: from --out's suffix (.json, .jsonl, .md); on stdout json for one record, jsonl for several.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout; the suffix picks the format.")] = None,
) -> None:
    """Extract grounded events and claims from articles.

    Examples:

        summarizer summarize seeds/000_fc4c5d789ceb7862.txt

        summarizer summarize seeds/003_1f565a1a16ffb178.txt --format md

        summarizer summarize seeds/*.txt --out records.jsonl

        summarizer summarize article.txt --model openai/gpt-4o-mini

        summarizer summarize article.txt --base-url http://127.0.0.1:8000/v1 --model qwen2.5-7b
    """
    from summarizer.extraction.run import extract

    try:
        named = format_of(out, tuple(f.value for f in OutputFormat), "summarize")
    except SummarizerError as err:
        report(err)
        raise typer.Exit(err.exit_code) from None
    fmt = fmt or (OutputFormat(named) if named else None)
    items = stream_inputs(paths)
    head = list(itertools.islice(items, 2))  # streamed: only enough is read ahead to know one from several
    if not head:
        empty = no_articles(paths)
        report(empty)
        raise typer.Exit(empty.exit_code)
    model: Backend | None = None
    worst = 0
    with output(out) as sink:
        writer = RecordWriter(sink, fmt, several=len(head) > 1)
        for item in itertools.chain(head, items):
            try:
                if isinstance(item, InputError):
                    raise item
                for message in item.warnings:
                    warn(item.origin, message)
                model = model or backend_from_options(backend)
                with stderr.status(f"extracting {item.id} on {model.id}", spinner="dots"):
                    record = extract(item, model, retries=backend.retries)
                writer.write(record)
            except SummarizerError as err:
                report(err)
                worst = max(worst, err.exit_code)
        writer.close()
    raise typer.Exit(worst)
