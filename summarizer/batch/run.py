"""`summarizer batch`: a dump of articles in, one JSONL line per article out; concurrent, rate-limited,
cached, resumable, nothing lost (see output.py for the file's contract).

BatchRun is the state the live run (live.py) and the provider batch (provider.py) share: the inputs, the
output, the cache, the counts and the progress bar. Extraction is the `summarize` pipeline
(`extract_async`): same prompt, schema, validation, grounding and provenance.
"""

from __future__ import annotations

import itertools
import json
import os
import shlex
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from summarizer.batch.output import OutputLog, error_record, extraction_line
from summarizer.errors import ExtractionError, InputError, SummarizerError
from summarizer.extraction.cache import Keyer, ResultCache, open_cache
from summarizer.io.articles import DEFAULT_COLUMNS, Article, Columns
from summarizer.io.inputs import ARTICLE_SUFFIXES as BATCH_SUFFIXES
from summarizer.io.readers import count_inputs, stream_inputs
from summarizer.llm.base import Backend
from summarizer.llm.prompts import Prompt, load_prompt
from summarizer.schema import ArticleExtraction

DEFAULT_CONCURRENCY = 8
SHOWN_PROBLEMS = 10  # error and warning lines printed while running; the output file has them all


@dataclass
class BatchOptions:
    inputs: list[str]
    out: Path
    concurrency: int = DEFAULT_CONCURRENCY
    rpm: float | None = None
    tpm: float | None = None
    retries: int = 1
    resume: bool = False
    retry_errors: bool = False
    overwrite: bool = False
    cache: bool = True
    cache_path: Path | None = None
    columns: Columns = DEFAULT_COLUMNS
    input_format: str | None = None
    provider_batch: bool = False
    poll_interval: float = 10.0  # first wait between polls of a provider batch; grows to POLL_CAP_S
    base_url: str | None = None  # the provider batch talks to the same endpoint as the backend
    api_key_env: str | None = None  # ... with the same key
    progress: bool = True
    command: list[str] | None = None  # the CLI arguments, to print the resume command
    engine: str = "live"  # or "ray": Ray Data over a cluster (batch/ray_engine); --out is then a directory
    ray_address: str | None = None  # an existing Ray cluster ("auto", "ray://host:10001"); None starts one here
    actors: int = 2  # --engine ray: extraction actors, each with `concurrency` articles in flight


@dataclass
class BatchResult:
    """What a run did; also the manifest's `counts`."""

    extracted: int = 0  # new extractions (model calls made)
    cached: int = 0  # extractions served from the cache
    errors: int = 0  # error records written
    partial: int = 0  # of `extracted`: records missing events or claims (an answer that stayed invalid)
    skipped: int = 0  # already in the output (--resume)
    duplicates: int = 0  # inputs whose id was already seen in this run (not written twice)
    error_types: Counter = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    wall_s: float = 0.0
    cpu_s: float = 0.0  # client CPU time (process, all threads) during the run
    interrupted: bool = False
    fatal: str | None = None
    exit_code: int = 0

    def stop_clocks(self, started: float, cpu_started: float) -> None:
        """The run's wall and CPU time since `started`; the exit code of an interrupted or stopped run."""
        self.wall_s = time.perf_counter() - started
        self.cpu_s = time.process_time() - cpu_started
        if self.interrupted:
            self.exit_code = 130
        elif self.fatal:
            self.exit_code = max(self.exit_code, 3)

    @property
    def written(self) -> int:
        return self.extracted + self.cached + self.errors

    @property
    def seen(self) -> int:
        return self.written + self.skipped + self.duplicates


# --- progress -------------------------------------------------------------------------------------------


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "-/s", style="progress.data.speed")


def _progress(console: Console, enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.fields[total_text]}"),
        TextColumn("[green]done {task.fields[done]:,}[/] [red]errors {task.fields[errors]:,}[/] cached {task.fields[cached]:,} skipped {task.fields[skipped]:,}"),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
        refresh_per_second=4,
    )


# --- the run ------------------------------------------------------------------------------------------


class BatchRun:
    """State shared by the live (async) run and the provider-batch run: output, cache, counts, progress."""

    def __init__(self, options: BatchOptions, backend: Backend, console: Console, inputs: Iterator[Article | InputError], prompt: Prompt | None = None):
        self.options, self.backend, self.console = options, backend, console
        self.inputs = inputs  # streamed (non_empty): one pass
        self.prompt = prompt or load_prompt()
        self.result = BatchResult()
        self.cache: ResultCache | None = open_cache(options.cache_path, self.warn) if options.cache else None
        self.out = OutputLog(options.out, resume=options.resume or options.retry_errors, retry_errors=options.retry_errors, overwrite=options.overwrite)
        self.key = Keyer(backend, self.prompt, options.retries)
        self.claimed: set[str] = set()  # ids admitted in this run
        self.stopping = False
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        self.started_at = datetime.now(timezone.utc)
        self.shown = 0
        self.progress = _progress(console, options.progress)
        self.task = self.progress.add_task("batch", total=None, total_text="?", done=0, errors=0, cached=0, skipped=0)

    # -- admission: everything decided without a model call ------------------------------------------

    def admit(self, item: Article | InputError) -> tuple[Article, str] | None:
        """An article that needs the model (with its cache key), or None when handled here: input errors
        recorded, ids already done skipped, duplicates dropped, cache hits written."""
        if isinstance(item, InputError):
            article_id = getattr(item, "article_id", None) or item.source or "?"
            if self._already(article_id):
                return None
            self.write_error(article_id, item, 0)
            return None
        if self._already(item.id):
            return None
        for message in item.warnings:
            self.note(f"[yellow]warning:[/yellow] {escape(item.label)}: {escape(message)}")
        key = self.key(item)
        if self.cache is not None:
            line = self.cache.get(key, item)
            if line is not None:
                self.out.write(line)
                self.result.cached += 1
                self.advance()
                return None
        return item, key

    def _already(self, article_id: str) -> bool:
        if self.out.has(article_id, retry_errors=self.options.retry_errors):
            self.result.skipped += 1
            self.advance()
            return True
        if article_id in self.claimed:
            self.result.duplicates += 1
            self.note(f"[yellow]warning:[/yellow] duplicate id {escape(repr(article_id))}: only its first input is extracted")
            self.advance()
            return True
        self.claimed.add(article_id)
        return False

    # -- results ------------------------------------------------------------------------------------

    def write_extraction(self, article: Article, key: str, record: ArticleExtraction) -> None:
        """One record's line. A partial one is marked, counted, not cached (--retry-errors asks the model
        again) and exits like an answer that stayed invalid."""
        line, missing = extraction_line(record)
        self.out.write(line)
        if self.cache is not None and not missing:
            self.cache.put(key, article, line)
        self.result.extracted += 1
        if missing:
            self.result.partial += 1
            self.result.exit_code = max(self.result.exit_code, ExtractionError.exit_code)
            self.note(f"[yellow]partial:[/yellow] {escape(article.label)}: no valid {' or '.join(missing)} answer; its {' and '.join(missing)} are missing")
        usage = record.provenance.usage
        self.result.prompt_tokens += usage.prompt_tokens
        self.result.completion_tokens += usage.completion_tokens
        self.advance()

    def write_error(self, article_id: str, error: BaseException, attempts: int | None) -> None:
        record = error_record(article_id, error, attempts)
        self.out.write(json.dumps(record, ensure_ascii=False))
        self.result.errors += 1
        self.result.error_types[record["error"]["type"]] += 1
        exit_code = error.exit_code if isinstance(error, SummarizerError) else 1
        self.result.exit_code = max(self.result.exit_code, exit_code)
        self.note(f"[red]error:[/red] {escape(record['error']['message'])}")
        self.advance()

    def note(self, message: str) -> None:
        self.shown += 1
        if self.shown <= SHOWN_PROBLEMS:
            self.console.print(message, markup=True, highlight=False, soft_wrap=True)
        elif self.shown == SHOWN_PROBLEMS + 1:
            self.console.print(f"(more errors and warnings are not shown: see the error records in {self.options.out})", highlight=False, markup=False)

    def warn(self, message: str) -> None:
        self.note(f"[yellow]warning:[/yellow] {escape(message)}")

    def advance(self) -> None:
        r = self.result
        self.progress.update(self.task, advance=1, done=r.extracted + r.cached, errors=r.errors, cached=r.cached, skipped=r.skipped + r.duplicates)

    # -- inputs and progress total -------------------------------------------------------------------

    def items(self) -> Iterator[Article | InputError]:
        return self.inputs

    def count_in_background(self) -> None:
        """The bar's total (for the ETA), counted in a daemon thread so work starts at once."""

        def count() -> None:
            try:
                total = count_inputs(self.options.inputs, fmt=self.options.input_format)
            except Exception:
                return
            if total is not None:
                self.progress.update(self.task, total=total, total_text=f"{total:,}")

        threading.Thread(target=count, name="count-inputs", daemon=True).start()

    # -- the end ------------------------------------------------------------------------------------

    def close(self) -> BatchResult:
        """Stop the clocks and the bar, set the exit code, close the output and the cache (report.finish
        then writes the manifest and the summary)."""
        r = self.result
        r.stop_clocks(self.started, self.cpu_started)
        self.progress.stop()
        self.out.close()
        if self.cache is not None:
            self.cache.close()
        return r

    def resume_command(self) -> str:
        return resume_command(self.options)


def resume_command(options: BatchOptions) -> str:
    if not options.command:
        return "the same command with --resume"
    args = [a for a in options.command if a not in ("--resume", "--overwrite")]
    return shlex.join(["summarizer", *args, "--resume"])


def non_empty(options: BatchOptions) -> Iterator[Article | InputError]:
    """The inputs, or the one-line InputError `summarize` and `brief` give when they name no article at all
    (an empty directory or dump): a batch of nothing is a mistake, not a success."""
    items = stream_inputs(options.inputs, columns=options.columns, fmt=options.input_format)
    first = next(items, None)
    if first is not None:
        return itertools.chain([first], items)
    spec = options.inputs[0] if len(options.inputs) == 1 else None
    if spec is not None and os.path.isdir(spec):
        raise InputError(f"directory has no articles ({', '.join(BATCH_SUFFIXES)})", source=spec)
    raise InputError("no articles: the input is empty", source=spec)
